/** Shared by the bench's scenarios: what an engine is, load with CPU accounting, the latency probe, free slots. */
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Database } from '../src/adapters/db/database.ts';
import { runLoad, type LoadOptions, type LoadResult } from './load.ts';
import { busiestOthers, cpuSecondsOf, machineCpu, processesCpu } from './proc.ts';
import type { LoopStats } from './loop-monitor.ts';
import { ROOT, type ServerHandle, type ServerOptions } from './server.ts';
import { fmt } from './report.ts';

export interface Measured extends LoadResult {
  serverCpuPct: number;
  serverCpuMsPerReq: number;
  dbCpuPct: number | undefined;
  dbCpuMsPerReq: number | undefined;
  clientCpuPct: number;
  /** CPU of the whole machine, in % of one core (100 × cores = all busy). */
  machineCpuPct: number;
  /** What the machine spent outside the server, its PostgreSQL backends and this process. */
  otherCpuPct: number;
  /** The server's main thread during the run. */
  loop: LoopStats;
  /** The busiest processes outside the bench during the run. */
  others: string[];
}

export interface Engine {
  name: string;
  kind: 'pglite' | 'postgres';
  server: ServerOptions;
  /** Opens the database from the bench process (for PGlite: only while the server is stopped). */
  open(): Promise<Database>;
  /** Pids of the database's server processes serving the service, when they can be seen. */
  backendPids(): Promise<number[]>;
  analyze: boolean;
  /** auto_explain output for a statement and the statements it runs (database not in use by the service). */
  explain(text: string, params: readonly unknown[]): Promise<string[]>;
  /** Mean ms of a statement run serially as a named (server-side prepared) statement, where the driver has them. */
  timePrepared?: (text: string, params: readonly unknown[], runs: number) => Promise<number>;
}

export async function measure(engine: Engine, server: ServerHandle, options: LoadOptions): Promise<Measured> {
  const pidsBefore = await engine.backendPids();
  const dbBefore = new Map(pidsBefore.map((pid) => [pid, cpuSecondsOf(pid) ?? 0]));
  const serverBefore = cpuSecondsOf(server.pid) ?? 0;
  const clientBefore = process.cpuUsage();
  await server.loopStats();
  const processesBefore = processesCpu();
  const machineBefore = machineCpu();
  const result = await runLoad(options);
  const machineAfter = machineCpu();
  const processesAfter = processesCpu();
  const loop = await server.loopStats();
  const client = process.cpuUsage(clientBefore);
  const serverCpu = (cpuSecondsOf(server.pid) ?? 0) - serverBefore;
  let dbCpu: number | undefined;
  if (engine.kind === 'postgres') {
    const pidsAfter = await engine.backendPids();
    dbCpu = 0;
    for (const pid of new Set([...pidsBefore, ...pidsAfter])) dbCpu += (cpuSecondsOf(pid) ?? dbBefore.get(pid) ?? 0) - (dbBefore.get(pid) ?? 0);
  }
  const perReq = (seconds: number): number => (result.requests > 0 ? (seconds * 1000) / result.requests : NaN);
  const pct = (seconds: number): number => (seconds / result.seconds) * 100;
  const clientCpu = (client.user + client.system) / 1e6;
  const cores = os.cpus().length;
  const machineCpuPct = ((machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total)) * 100 * cores;
  return {
    ...result,
    serverCpuPct: pct(serverCpu),
    serverCpuMsPerReq: perReq(serverCpu),
    dbCpuPct: dbCpu === undefined ? undefined : pct(dbCpu),
    dbCpuMsPerReq: dbCpu === undefined ? undefined : perReq(dbCpu),
    clientCpuPct: pct(clientCpu),
    machineCpuPct,
    otherCpuPct: Math.max(0, machineCpuPct - pct(serverCpu + (dbCpu ?? 0) + clientCpu)),
    loop,
    others: busiestOthers(processesBefore, processesAfter, result.seconds, new Set([process.pid, server.pid, ...pidsBefore])),
  };
}

/** The 1-connection latency probe, in its own process (bench/probe.ts). */
export function runProbe(url: string, path: string, seconds: number): Promise<LoadResult> {
  return new Promise((resolveProbe, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/probe.ts', url, path, String(seconds)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`probe exited with code ${code}`));
      try {
        resolveProbe(JSON.parse(out.trim().split('\n').pop() ?? '') as LoadResult);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

export interface AvailabilityBody {
  slots: { time: string; available: boolean; blockedBy: unknown[] }[];
}

export async function fetchSlots(url: string, date: string): Promise<AvailabilityBody['slots']> {
  const res = await fetch(`${url}/api/availability?serviceId=diag&date=${date}`);
  if (res.status !== 200) throw new Error(`availability ${date}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as AvailabilityBody).slots;
}

/**
 * `count` free slots of the demo's `diag` from the day after tomorrow on (at most `perDay` a day,
 * so that a run spreads over days), within 90 days; throws when there are not enough.
 */
export async function freeSlots(url: string, count: number, perDay = Infinity): Promise<{ date: string; time: string }[]> {
  const out: { date: string; time: string }[] = [];
  for (let d = 2; d <= 90 && out.length < count; d++) {
    const date = new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    for (const s of (await fetchSlots(url, date)).filter((x) => x.available).slice(0, perDay)) if (out.length < count) out.push({ date, time: s.time });
  }
  if (out.length < count) throw new Error(`only ${out.length} free slots found, ${count} needed`);
  return out;
}

/**
 * The body of the i-th booking request of a contention run: `perSlot` requests in a row for
 * each of `slots` (so the requests in flight race for the same slot), each from its own customer.
 */
export function bookingBodies(slots: { date: string; time: string }[], perSlot: number, prefix: string): (i: number) => string {
  return (i) => {
    const slot = slots[Math.floor(i / perSlot) % slots.length] ?? { date: '', time: '' };
    return JSON.stringify({
      serviceId: 'diag',
      date: slot.date,
      time: slot.time,
      customer: { name: `Client Bench ${i}`, email: `${prefix}${i}@exemple.fr`, phone: '06 12 34 56 78' },
      paymentMethodId: 'pm_card_visa',
    });
  };
}

/** The cells every read-route table starts with: database, route, req/s, p50, p99, failures, server and PostgreSQL CPU per request. */
export function routeCells(engine: string, route: string, m: Measured): string[] {
  return [engine, route, fmt(m.rps, 0), fmt(m.p50, 2), fmt(m.p99, 2), String(m.failures), fmt(m.serverCpuMsPerReq, 3), fmt(m.dbCpuMsPerReq, 3)];
}
