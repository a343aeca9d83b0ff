import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Temporal } from 'temporal-polyfill';
import { publicHolidayName } from '../../src/domain/public-holidays.ts';

/** The repository root (where package.json and src/ live). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A TCP port that was free a moment ago (the OS picks it; we release it for the child). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A minimal environment for a child service: only what npm/node need to run, plus the
 * test's own variables. Nothing leaks from the test runner (VITEST*, NODE_OPTIONS,
 * DATABASE_URL, TEST_DATABASE_URL…), so the child reads exactly the configuration given.
 */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** stdout + stderr so far (for failure messages). */
  output(): string;
  /** Resolves once the process has exited and every holder of its stdio has gone. */
  closed: Promise<ExitInfo>;
  running(): boolean;
  /** Polls GET /api/health until 200; fails early if the process exits. */
  waitForHealth(timeoutMs: number): Promise<void>;
  /** The server itself: the deepest process of the group (npm -> sh -> tsx -> node). */
  serverPid(): number;
  /** Sends a signal to the whole process group. */
  signalGroup(signal: NodeJS.Signals): void;
  /** SIGKILL to the group and wait; safe to call on a process already gone. */
  kill(): Promise<void>;
}

const started = new Set<ServiceProcess>();

/**
 * Starts the service as a separate process, in its own process group (detached) so that
 * the whole tree can be signalled and cleaned up. `npm` runs `npm start` as the README
 * says; `node` runs `node --import tsx src/main.ts`, a single process. PORT is `port`
 * unless `env` sets it.
 */
export function startServiceProcess(how: 'npm' | 'node', env: Record<string, string>, port: number): ServiceProcess {
  const [command, args] = how === 'npm' ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', 'src/main.ts']];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: childEnv({ PORT: String(port), ...env }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let exited = false;
  const closed = new Promise<ExitInfo>((resolve) => {
    child.on('close', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
    child.on('error', (error) => {
      out += `\n[spawn error] ${String(error)}`;
      exited = true;
      resolve({ code: null, signal: null });
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* the group is gone already */
    }
  };
  const handle: ServiceProcess = {
    child,
    port,
    baseUrl,
    output: () => out,
    closed,
    running: () => !exited,
    async waitForHealth(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exited) throw new Error(`service exited before becoming healthy:\n${out}`);
        try {
          const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
          if (res.status === 200) return;
        } catch {
          /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error(`service not healthy after ${timeoutMs} ms:\n${out}`);
    },
    serverPid() {
      // The node process running src/main.ts (npm and sh sit above it; tsx's esbuild
      // service may sit below it for a moment, so "the leaf" is not a safe answer).
      const group = processGroup(child.pid!);
      const servers = group.filter((p) => p.command.includes('src/main.ts') && /(^|\/)node(\s|$)/.test(p.command.split('\0')[0] ?? ''));
      if (servers.length !== 1) throw new Error(`expected one server process in group ${child.pid}, found ${JSON.stringify(group)}`);
      return servers[0]!.pid;
    },
    signalGroup,
    async kill() {
      if (!exited) signalGroup('SIGKILL');
      await closed;
    },
  };
  started.add(handle);
  void closed.then(() => started.delete(handle));
  return handle;
}

/** Kills every service process this test file started and still running (afterAll/afterEach). */
export async function killAllServiceProcesses(): Promise<void> {
  await Promise.all([...started].map((p) => p.kill()));
}

/** Waits for an exit, failing after timeoutMs. */
export async function exitWithin(p: ServiceProcess, timeoutMs: number): Promise<ExitInfo & { ms: number }> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`process still running after ${timeoutMs} ms:\n${p.output()}`)), timeoutMs);
  });
  try {
    const info = await Promise.race([p.closed, timeout]);
    return { ...info, ms: Date.now() - t0 };
  } finally {
    clearTimeout(timer);
  }
}

/** Processes of one process group, read from /proc (Linux). */
function processGroup(pgid: number): { pid: number; ppid: number; command: string }[] {
  const members: { pid: number; ppid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp …": comm may hold spaces, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') {
        const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        members.push({ pid: Number(entry), ppid: Number(fields[1]), command });
      }
    } catch {
      /* exited while we looked */
    }
  }
  return members;
}

/**
 * A date the demo artisan is open on, by the real clock (for child processes, which use
 * it): the first Monday–Friday that is not a French public holiday, at least `minDays`
 * after today in Paris.
 */
export function openWeekdayAhead(minDays: number): string {
  return firstOpenWeekday(Temporal.Now.plainDateISO('Europe/Paris').add({ days: minDays }));
}

/** The first open weekday strictly after `date` (YYYY-MM-DD). */
export function nextOpenWeekday(date: string): string {
  return firstOpenWeekday(Temporal.PlainDate.from(date).add({ days: 1 }));
}

function firstOpenWeekday(from: Temporal.PlainDate): string {
  let date = from;
  while (date.dayOfWeek > 5 || publicHolidayName(date) !== undefined) date = date.add({ days: 1 });
  return date.toString();
}

/** fetch + JSON, for tests talking to a child process over real HTTP. */
export async function http(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

/**
 * Runs one of the npm scripts' programs (`npm run backup` is `node --import tsx src/cli/backup.ts`)
 * with only `env` set; never throws for a non-zero exit.
 */
export function runCli(script: 'backup' | 'restore', file: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, '--', file], { cwd: REPO_ROOT, env: childEnv(env) }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}
