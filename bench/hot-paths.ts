/**
 * `BENCH_SCENARIOS=hotpaths`: the hot paths of issue 12, on the real server (bench/run.ts
 * calls this per engine, on its own copy of the year of bookings).
 *
 * - Read ratios with the client address rotating: the server trusts the load generator as
 *   its proxy (TRUST_PROXY=loopback) and every request carries a new X-Forwarded-For, so each
 *   one is a new key for the per-IP rate limiter (its cost is in the figure, as with real customers).
 *   `GET /api/health` (one SELECT 1, no limiter), `GET /api/services`, `GET /api/availability`.
 * - A login flood from rotating addresses (wrong password, 10 connections; the per-IP limit
 *   RATE_LIMIT_LOGIN_PER_MINUTE stays at its default 10 and never applies), with a
 *   1-connection probe (own process) on the public availability alone and during the flood:
 *   with the service's default LOGIN_HASH_CONCURRENCY / LOGIN_HASH_QUEUE, then with the cap
 *   lifted (64 / 1000), which is how the service behaved before the cap.
 */
import type { Temporal } from 'temporal-polyfill';
import { runLoad, type LoadResult } from './load.ts';
import type { LoopStats } from './loop-monitor.ts';
import { measure, routeCells, runProbe, type Engine, type Measured } from './measure.ts';
import { fmt, statusList, table } from './report.ts';
import { sleep, startServer } from './server.ts';

export interface HotPathsConfig {
  duration: number;
  warmup: number;
  connections: number;
  availabilityDate: Temporal.PlainDate;
  log: (text?: string) => void;
}

type Route = 'health' | 'services' | 'availability';

interface LoginRun {
  label: string;
  env: Record<string, string>;
  alone: LoadResult;
  during: LoadResult;
  flood: LoadResult;
  loopAlone: LoopStats;
  loopDuring: LoopStats;
}

export interface HotPathsReport {
  engine: string;
  routes: { route: Route; m: Measured }[];
  logins: LoginRun[];
}

/** A new client address for every request: 10.x.y.z, 16 million before one repeats. */
const rotating = (offset: number) => (i: number): Record<string, string> => {
  const n = offset + i + 1;
  return { 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` };
};

export async function runHotPaths(engine: Engine, config: HotPathsConfig): Promise<HotPathsReport> {
  const { log, connections, duration, warmup } = config;
  const report: HotPathsReport = { engine: engine.name, routes: [], logins: [] };
  log(`\n## Hot paths: ${engine.name}\n`);
  const date = config.availabilityDate.toString();
  const paths: Record<Route, string> = {
    health: '/api/health',
    services: '/api/services',
    availability: `/api/availability?serviceId=diag&date=${date}`,
  };
  const baseEnv = { ...engine.server.env, TRUST_PROXY: 'loopback' };
  const server = await startServer({ ...engine.server, label: `${engine.server.label}-hot`, env: baseEnv });
  let offset = 0;
  try {
    log(`server ready in ${fmt(server.readySeconds, 2)} s (pid ${server.pid}; TRUST_PROXY=loopback, a new X-Forwarded-For per request)`);
    const order: Route[] = ['health', 'services', 'availability'];
    for (const route of order) {
      await runLoad({ url: server.url, path: paths[route], connections, duration: warmup, headersFor: rotating(offset) });
      offset += 1_000_000;
    }
    for (const route of order) {
      const m = await measure(engine, server, { url: server.url, path: paths[route], connections, duration, headersFor: rotating(offset) });
      offset += 1_000_000;
      report.routes.push({ route, m });
      log(
        `${route.padEnd(12)} ${fmt(m.rps, 0).padStart(6)} req/s  p50 ${fmt(m.p50, 2)} ms  p99 ${fmt(m.p99, 2)} ms  [${statusList(m.statuses)}]  ` +
          `server CPU ${fmt(m.serverCpuMsPerReq, 3)} ms/req` +
          (m.dbCpuMsPerReq === undefined ? '' : `, PG ${fmt(m.dbCpuMsPerReq, 3)} ms/req`) +
          `; machine ${fmt(m.machineCpuPct, 0)}%`,
      );
    }
  } finally {
    await server.stop();
  }

  for (const [label, env] of [
    ['service defaults (LOGIN_HASH_CONCURRENCY = cores - 1, LOGIN_HASH_QUEUE=8)', {}],
    ['cap lifted (LOGIN_HASH_CONCURRENCY=64, LOGIN_HASH_QUEUE=1000: as before the cap)', { LOGIN_HASH_CONCURRENCY: '64', LOGIN_HASH_QUEUE: '1000' }],
  ] as const) {
    const s = await startServer({ ...engine.server, label: `${engine.server.label}-login`, env: { ...baseEnv, RATE_LIMIT_LOGIN_PER_MINUTE: '10', ...env } });
    try {
      const login = {
        url: s.url,
        path: '/api/admin/login',
        method: 'POST' as const,
        headers: { 'content-type': 'application/json' },
        body: () => JSON.stringify({ email: 'marc.dupont@artisanconnect.test', password: 'mauvais-mot-de-passe-0' }),
      };
      await runLoad({ url: s.url, path: paths.availability, connections: 1, duration: warmup });
      await s.loopStats();
      const alone = await runProbe(s.url, paths.availability, duration);
      const loopAlone = await s.loopStats();
      const flooding = runLoad({ ...login, connections, duration: duration + 3, headersFor: rotating(offset) });
      offset += 1_000_000;
      await sleep(1_000);
      const during = await runProbe(s.url, paths.availability, duration);
      const flood = await flooding;
      const loopDuring = await s.loopStats();
      report.logins.push({ label, env: { ...env }, alone, during, flood, loopAlone, loopDuring });
      log(
        `login flood, ${label}: ${fmt(flood.rps, 1)} answers/s [${statusList(flood.statuses)}] p50 ${fmt(flood.p50, 1)} / p99 ${fmt(flood.p99, 1)} ms; ` +
          `availability probe (1 connection) alone p50 ${fmt(alone.p50, 2)} / p99 ${fmt(alone.p99, 2)} ms ${fmt(alone.rps, 0)} req/s, ` +
          `during p50 ${fmt(during.p50, 2)} / p99 ${fmt(during.p99, 2)} / max ${fmt(during.max, 1)} ms ${fmt(during.rps, 0)} req/s`,
      );
    } finally {
      await s.stop();
    }
  }
  return report;
}

export function hotPathsSummary(reports: HotPathsReport[], config: Pick<HotPathsConfig, 'duration' | 'warmup' | 'connections'>): string {
  const out: string[] = [];
  const withRoutes = reports.filter((r) => r.routes.length > 0);
  if (withRoutes.length > 0) {
    out.push(
      `## Hot paths: read routes with a new client address per request (TRUST_PROXY, X-Forwarded-For; ${config.connections} connections, ${config.duration} s each after ${config.warmup} s warm-up)`,
      '',
      table(
        ['database', 'route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/errors', 'server CPU ms/req', 'PG backends CPU ms/req', 'req/s vs health (aim ≥ 0.80)'],
        withRoutes.flatMap((r) => {
          const health = r.routes.find((x) => x.route === 'health')?.m.rps ?? NaN;
          return r.routes.map(({ route, m }) => [
            ...routeCells(r.engine, route, m),
            route === 'health' ? '1.00' : `${fmt(m.rps / health, 2)}${m.rps / health >= 0.8 ? ' (met)' : ' (missed)'}`,
          ]);
        }),
      ),
      '',
    );
  }
  const withLogins = reports.filter((r) => r.logins.length > 0);
  if (withLogins.length > 0) {
    out.push(
      `## Hot paths: a login flood from rotating addresses (wrong password, ${config.connections} connections) and the public availability (1-connection probe, own process)`,
      '',
      table(
        ['database', 'hashing', 'flood answers/s (statuses)', 'flood p50 / p99 ms', 'availability alone p50 / p99 ms', 'availability during p50 / p99 / max ms (aim p99 < 10)', 'probe req/s alone / during', 'server loop busy % alone / during'],
        withLogins.flatMap((r) =>
          r.logins.map((l) => [
            r.engine,
            l.label,
            `${fmt(l.flood.rps, 1)} (${statusList(l.flood.statuses)})`,
            `${fmt(l.flood.p50, 1)} / ${fmt(l.flood.p99, 1)}`,
            `${fmt(l.alone.p50, 2)} / ${fmt(l.alone.p99, 2)}`,
            `${fmt(l.during.p50, 2)} / ${fmt(l.during.p99, 2)} / ${fmt(l.during.max, 1)}${l.during.p99 < 10 ? ' (met)' : ' (missed)'}`,
            `${fmt(l.alone.rps, 0)} / ${fmt(l.during.rps, 0)}`,
            `${fmt(l.loopAlone.utilization * 100, 0)} / ${fmt(l.loopDuring.utilization * 100, 0)}`,
          ]),
        ),
      ),
      '',
    );
  }
  return out.join('\n');
}
