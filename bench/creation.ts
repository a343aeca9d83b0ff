/**
 * BENCH_SCENARIOS=creation: booking creation under contention against a one-INSERT route on
 * the same server (issue 12: goal ≥ 0.5×). The real server in its own process
 * (bench/server-entry.ts with BENCH_INSERT_ROUTE=1, which adds `POST /bench/insert`: one
 * INSERT through the service's database pool), on a fresh database per engine: PGlite in its
 * worker thread, then PostgreSQL. Contention as in the core scenario: 20 connections, 200
 * `POST /api/bookings` on 20 free slots, 10 per slot in a row (the first 20 in flight race
 * for two slots; 20 × 201 and 180 × 409 SLOT_TAKEN). The INSERT route gets the same 200
 * requests at the same concurrency right after; BENCH_CREATION_ROUNDS rounds (default 3)
 * alternate the two on new slots, and the ratio is the sum of requests over the sum of
 * seconds, creation / insert.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { runLoad, type LoadOptions, type LoadResult } from './load.ts';
import { cpuSecondsOf } from './proc.ts';
import { bookingBodies, freeSlots } from './measure.ts';
import { fmt, statusList, table } from './report.ts';
import { startServer, withScratchDatabase, type ServerOptions } from './server.ts';

const CONNECTIONS = Math.max(1, Math.round(Number(process.env.BENCH_CREATION_CONNECTIONS || 20)));
const SLOTS = 20;
const PER_SLOT = 10;
const WARM_SLOTS = 10;

/** A run with the CPU it cost: the server process (PGlite's thread included) and PostgreSQL's backends, ms per request. */
interface Costed extends LoadResult {
  serverMsPerReq: number;
  dbMsPerReq: number | undefined;
}

export interface CreationRun {
  engine: string;
  rounds: { creation: Costed; insert: Costed }[];
  ratio: number;
}

async function runOne(
  name: string,
  server: ServerOptions,
  roundsWanted: number,
  log: (t?: string) => void,
  backendPids?: () => Promise<number[]>,
): Promise<CreationRun> {
  const handle = await startServer({ ...server, env: { ...server.env, BENCH_INSERT_ROUTE: '1' } });
  const costed = async (options: LoadOptions): Promise<Costed> => {
    const pids = backendPids ? await backendPids() : [];
    const dbBefore = new Map(pids.map((pid) => [pid, cpuSecondsOf(pid) ?? 0]));
    const serverBefore = cpuSecondsOf(handle.pid) ?? 0;
    const result = await runLoad(options);
    const serverMsPerReq = (((cpuSecondsOf(handle.pid) ?? 0) - serverBefore) * 1000) / result.requests;
    let dbMsPerReq: number | undefined;
    if (backendPids) {
      let db = 0;
      for (const pid of new Set([...pids, ...(await backendPids())])) db += (cpuSecondsOf(pid) ?? dbBefore.get(pid) ?? 0) - (dbBefore.get(pid) ?? 0);
      dbMsPerReq = (db * 1000) / result.requests;
    }
    return { ...result, serverMsPerReq, dbMsPerReq };
  };
  const cpu = (x: Costed): string => `CPU/req server ${fmt(x.serverMsPerReq, 2)} ms${x.dbMsPerReq === undefined ? '' : `, postgres ${fmt(x.dbMsPerReq, 2)} ms`}`;
  try {
    const slots = await freeSlots(handle.url, WARM_SLOTS + roundsWanted * SLOTS, 6);
    const post = { url: handle.url, method: 'POST' as const, headers: { 'content-type': 'application/json' }, connections: CONNECTIONS };
    const insert = () => costed({ ...post, path: '/bench/insert', amount: SLOTS * PER_SLOT, body: () => '{}' });
    // Warm-up (JIT, pools): creation on slots of their own, and the INSERT route.
    await runLoad({ ...post, path: '/api/bookings', amount: WARM_SLOTS * 4, body: bookingBodies(slots.slice(0, WARM_SLOTS), 4, 'warm') });
    await insert();
    const rounds: CreationRun['rounds'] = [];
    for (let r = 0; r < roundsWanted; r++) {
      const chosen = slots.slice(WARM_SLOTS + r * SLOTS, WARM_SLOTS + (r + 1) * SLOTS);
      const creation = await costed({ ...post, path: '/api/bookings', amount: SLOTS * PER_SLOT, body: bookingBodies(chosen, PER_SLOT, `bench${r}-`) });
      const baseline = await insert();
      rounds.push({ creation, insert: baseline });
      log(
        `${name} round ${r + 1}: creation ${fmt(creation.rps, 0)} req/s p50 ${fmt(creation.p50, 2)} ms p99 ${fmt(creation.p99, 2)} ms [${statusList(creation.statuses)}] ${cpu(creation)}; ` +
          `one INSERT ${fmt(baseline.rps, 0)} req/s p50 ${fmt(baseline.p50, 2)} ms p99 ${fmt(baseline.p99, 2)} ms [${statusList(baseline.statuses)}] ${cpu(baseline)}; ` +
          `ratio ${fmt(creation.rps / baseline.rps, 2)}`,
      );
    }
    const rate = (xs: LoadResult[]) => xs.reduce((n, x) => n + x.requests, 0) / xs.reduce((s, x) => s + x.seconds, 0);
    const ratio = rate(rounds.map((x) => x.creation)) / rate(rounds.map((x) => x.insert));
    return { engine: name, rounds, ratio };
  } finally {
    await handle.stop();
  }
}

export async function runCreationBench(config: { adminUrl: string; only: string | undefined; log: (text?: string) => void }): Promise<CreationRun[]> {
  const { log } = config;
  const rounds = Math.max(1, Math.round(Number(process.env.BENCH_CREATION_ROUNDS || 3)));
  log(`\n## Booking creation under contention vs a one-INSERT route (${CONNECTIONS} connections, ${SLOTS * PER_SLOT} requests a run, ${rounds} rounds)\n`);
  const runs: CreationRun[] = [];
  if (!config.only || config.only === 'pglite') {
    const dir = mkdtempSync(join(os.tmpdir(), 'artisanconnect-creation-'));
    try {
      runs.push(await runOne('PGlite (worker thread)', { dataDir: dir, label: 'creation-pglite', env: { PGLITE_THREAD: 'worker' } }, rounds, log));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!config.only || config.only === 'postgres') {
    runs.push(
      await withScratchDatabase(config.adminUrl, 'artisanconnect_creation', async (databaseUrl, admin, name) => {
        const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(databaseUrl).hostname);
        const backendPids = async (): Promise<number[]> =>
          (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`, [name])).rows.map((r) => r.pid);
        return runOne('PostgreSQL', { databaseUrl, label: 'creation-postgres' }, rounds, log, local ? backendPids : undefined);
      }),
    );
  }
  log('');
  log(
    table(
      ['database', 'creation req/s (per round)', 'one INSERT req/s (per round)', 'creation p99 ms (worst round)', 'CPU ms/req server: creation / INSERT', 'CPU ms/req postgres: creation / INSERT', 'ratio creation / INSERT'],
      runs.map((r) => {
        const mean = (xs: (number | undefined)[]) => (xs.some((x) => x === undefined) ? undefined : xs.reduce<number>((a, b) => a + (b ?? 0), 0) / xs.length);
        const pair = (f: (x: Costed) => number | undefined) => `${fmt(mean(r.rounds.map((x) => f(x.creation))), 2)} / ${fmt(mean(r.rounds.map((x) => f(x.insert))), 2)}`;
        return [
          r.engine,
          r.rounds.map((x) => fmt(x.creation.rps, 0)).join(' / '),
          r.rounds.map((x) => fmt(x.insert.rps, 0)).join(' / '),
          fmt(Math.max(...r.rounds.map((x) => x.creation.p99)), 2),
          pair((x) => x.serverMsPerReq),
          pair((x) => x.dbMsPerReq),
          fmt(r.ratio, 2),
        ];
      }),
    ),
  );
  return runs;
}
