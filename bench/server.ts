import { BENCH_SECRETS_KEY } from './dataset.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import type { LoopStats } from './loop-monitor.ts';

/** The repository root: the server is started from there, as `npm start` would. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

export interface ServerHandle {
  url: string;
  pid: number;
  /** Seconds from spawn to the first 200 of /api/health. */
  readySeconds: number;
  /** The server's event loop utilisation and delay since the previous call. */
  loopStats(): Promise<LoopStats>;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Either a PGlite data directory or a PostgreSQL URL. */
  dataDir?: string;
  databaseUrl?: string;
  label: string;
  /** More environment for the service (e.g. PGLITE_THREAD). */
  env?: Record<string, string>;
}

/**
 * Starts the real service as its own process: `node --import tsx bench/server-entry.ts`,
 * i.e. src/main.ts's main() plus bench/loop-monitor.ts (event loop figures over IPC),
 * spawned from process.execPath so that the child's pid is the node process itself (no
 * npm/sh wrapper), which is what /proc/<pid>/status must be read from.
 */
export async function startServer(options: ServerOptions): Promise<ServerHandle> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    // The highest values src/config.ts accepts: the limiters still run, but never refuse.
    RATE_LIMIT_READ_PER_MINUTE: '1000000',
    RATE_LIMIT_CREATE_PER_MINUTE: '100000',
    RATE_LIMIT_MANAGE_PER_MINUTE: '100000',
    RATE_LIMIT_BUSINESS_READ_PER_MINUTE: '10000000',
    RATE_LIMIT_BUSINESS_CREATE_PER_MINUTE: '1000000',
    WORKER_POLL_MS: '60000',
    SEED_DEMO: 'true',
    // Set (empty) so that a .env file in the repository cannot bring them back.
    REDIS_URL: '',
    DATABASE_URL: options.databaseUrl ?? '',
    DATA_DIR: options.dataDir ?? '',
    SECRETS_KEY: BENCH_SECRETS_KEY,
    ...options.env,
  };
  const started = performance.now();
  // BENCH_SERVER_NODE_ARGS: more node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
  // (the profile is written when the server exits, i.e. at the scenario's end).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'bench/server-entry.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 200) output.shift();
    for (const line of text.split('\n')) if (line.trim()) process.stderr.write(`  [${options.label} server] ${line}\n`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolveExit) => {
    child.once('exit', (code) => {
      exited = code;
      resolveExit();
    });
  });

  const url = `http://127.0.0.1:${port}`;
  // A loaded machine may need longer for the first start's migrations (BENCH_SERVER_READY_SECONDS).
  const readyBoundSeconds = Number(process.env.BENCH_SERVER_READY_SECONDS) || 90;
  const deadline = Date.now() + readyBoundSeconds * 1000;
  for (;;) {
    if (exited !== undefined) throw new Error(`${options.label} server exited with code ${exited} before it was ready:\n${output.join('')}`);
    if (Date.now() > deadline) {
      await stopChild(child, exit);
      throw new Error(`${options.label} server not ready after ${readyBoundSeconds} s:\n${output.join('')}`);
    }
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  const readySeconds = (performance.now() - started) / 1000;
  const pid = child.pid;
  if (pid === undefined) throw new Error('server has no pid');
  const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  if (!comm.startsWith('node') && !comm.includes('MainThread')) throw new Error(`pid ${pid} is "${comm}", not the node server`);
  const loopStats = (): Promise<LoopStats> =>
    new Promise((resolveStats, reject) => {
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error('no loop-stats answer from the server within 10 s'));
      }, 10_000);
      const onMessage = (message: unknown): void => {
        if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'loop-stats') {
          clearTimeout(timer);
          child.off('message', onMessage);
          resolveStats((message as { stats: LoopStats }).stats);
        }
      };
      child.on('message', onMessage);
      child.send('loop-stats');
    });
  await loopStats(); // checks the monitor is there, and starts its first window
  return { url, pid, readySeconds, loopStats, stop: () => stopChild(child, exit) };
}

/** SIGTERM (the service drains and closes its database), SIGKILL after 20 s. */
async function stopChild(child: ChildProcess, exit: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exit;
  clearTimeout(timer);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A fresh PostgreSQL database on the admin connection's server (BENCH_DATABASE_URL), for one run:
 * `use` gets its URL, the admin connection and its name; the database is dropped after.
 */
export async function withScratchDatabase<T>(adminUrl: string, prefix: string, use: (databaseUrl: string, admin: pg.Client, name: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  await admin.connect();
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return await use(url.toString(), admin, name);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
