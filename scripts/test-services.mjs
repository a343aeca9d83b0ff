// The servers the test suite runs against besides its embedded database: a PostgreSQL server
// (every database test runs on PGlite and on it) and Redis (the shared rate-limit counters).
// For each, in order: the URL given (TEST_DATABASE_URL, TEST_REDIS_URL), else the local server
// on its usual port if it answers, else a throwaway server started here from Debian's package
// (installed first when missing and running as root) in a temporary folder on a free port,
// stopped and removed when the run ends. When none of that is possible, the exact command to
// run is printed, and the run fails because no test ran on that server.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { installPackages, isRoot, onPath } from './provision.mjs';

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

/** Answers whether a PostgreSQL server takes a connection at `url` within a few seconds. */
export async function postgresAnswers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Answers whether a Redis server replies PONG at `url` within a few seconds. */
export function redisAnswers(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(3000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The newest PostgreSQL server binaries on this machine (Debian's layout, else the PATH). */
function postgresBinDir() {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  if (onPath('pg_config')) {
    const dir = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' }).stdout.trim();
    if (dir && existsSync(join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

function redisServerBin() {
  if (existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  return onPath('redis-server') ? 'redis-server' : undefined;
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's `postgres` user. */
function clusterUser() {
  if (!isRoot()) return undefined;
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) {
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
  }
  const u = id('-u');
  const g = id('-g');
  return Number.isInteger(u) && u > 0 ? { name: 'postgres', uid: u, gid: g } : undefined;
}

function runAs(user, cmd, args, options = {}) {
  return user
    ? spawnSync('runuser', ['-u', user.name, '--', cmd, ...args], { encoding: 'utf8', ...options })
    : spawnSync(cmd, args, { encoding: 'utf8', ...options });
}

/** Starts a throwaway PostgreSQL cluster; returns its URL and how to stop it. */
export async function startThrowawayPostgres(log) {
  let bin = postgresBinDir();
  if (!bin) {
    installPackages(['postgresql'], { log });
    bin = postgresBinDir();
  }
  if (!bin) {
    log(
      'No PostgreSQL server answers on 127.0.0.1:5432 and none can be started here. Either set TEST_DATABASE_URL, ' +
        'or install the server: sudo apt-get update && sudo apt-get install -y postgresql',
    );
    return undefined;
  }
  if (isRoot() && !onPath('runuser')) {
    log('Running as root without runuser: cannot start a PostgreSQL cluster as an unprivileged user.');
    return undefined;
  }
  const user = clusterUser();
  if (isRoot() && !user) {
    log('Running as root and no unprivileged `postgres` user could be made for the throwaway cluster.');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'artisanconnect-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const init = runAs(user, join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale'], {
    cwd: dir,
  });
  if (init.status !== 0) {
    log(`initdb failed:\n${init.stderr}`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c max_connections=200`;
  const start = runAs(user, join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start'], {
    cwd: dir,
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  if (start.status !== 0 || !(await postgresAnswers(url))) {
    log(`The throwaway PostgreSQL cluster did not start:\n${start.stderr}${start.stdout}`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  log(`Started a throwaway PostgreSQL cluster for the tests on port ${port} (${dir}).`);
  return {
    url,
    stop() {
      runAs(user, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a throwaway Redis; returns its URL and how to stop it. */
export async function startThrowawayRedis(log) {
  let bin = redisServerBin();
  if (!bin) {
    installPackages(['redis-server'], { log });
    bin = redisServerBin();
  }
  if (!bin) {
    log(
      'No Redis answers on 127.0.0.1:6379 and none can be started here. Either set TEST_REDIS_URL, ' +
        'or install it: sudo apt-get update && sudo apt-get install -y redis-server',
    );
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'artisanconnect-redis-'));
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisAnswers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await redisAnswers(url))) {
    log('The throwaway Redis did not start.');
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  log(`Started a throwaway Redis for the tests on port ${port}.`);
  return {
    url,
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Finds or starts the PostgreSQL server and Redis of the run. Returns the environment to give
 * the tests (TEST_DATABASE_URL, TEST_REDIS_URL: absent when none could be had) and `stop()`.
 */
export async function testServices({ env = process.env, log = console.error } = {}) {
  const stops = [];
  const out = {};

  if (env.TEST_DATABASE_URL) {
    if (!(await postgresAnswers(env.TEST_DATABASE_URL))) log(`TEST_DATABASE_URL (${env.TEST_DATABASE_URL}) does not answer.`);
    out.TEST_DATABASE_URL = env.TEST_DATABASE_URL;
  } else if (await postgresAnswers(LOCAL_POSTGRES)) {
    out.TEST_DATABASE_URL = LOCAL_POSTGRES;
  } else {
    const started = await startThrowawayPostgres(log);
    if (started) {
      out.TEST_DATABASE_URL = started.url;
      stops.push(started.stop);
    }
  }

  if (env.TEST_REDIS_URL) {
    if (!(await redisAnswers(env.TEST_REDIS_URL))) log(`TEST_REDIS_URL (${env.TEST_REDIS_URL}) does not answer.`);
    out.TEST_REDIS_URL = env.TEST_REDIS_URL;
  } else if (await redisAnswers(LOCAL_REDIS)) {
    out.TEST_REDIS_URL = LOCAL_REDIS;
  } else {
    const started = await startThrowawayRedis(log);
    if (started) {
      out.TEST_REDIS_URL = started.url;
      stops.push(started.stop);
    }
  }

  let stopped = false;
  return {
    env: out,
    stop() {
      if (stopped) return;
      stopped = true;
      for (const stop of stops.reverse()) {
        try {
          stop();
        } catch (err) {
          log(`Could not stop a test server: ${err instanceof Error ? err.message : err}`);
        }
      }
    },
  };
}
