/**
 * `npm run bench`: the real server in its own process, on PGlite and on PostgreSQL, with a
 * year of bookings; autocannon on availability, health and a trivial route; booking
 * creation under contention; what PGlite's main thread costs the event loop.
 *
 * Environment: BENCH_DURATION (s, default 8), BENCH_CONNECTIONS (default 10),
 * BENCH_WARMUP (s, default 2), BENCH_DATABASE_URL (admin connection, default
 * postgres://postgres@127.0.0.1:5432/postgres), BENCH_ONLY (pglite | postgres),
 * BENCH_SCENARIOS (comma-separated, default all: core = read routes, event loop, contention,
 * diagnosis; web = the pages' weight, month vs day endpoint, Lighthouse (bench/web.ts); admin = back-office routes and logins; notify = notification drain; see
 * bench/admin-notify.ts; agenda = the week agenda vs health; calendars = an ICS import of 5,000
 * events, see bench/calendars.ts, and a Google calendar synced incrementally vs in full, bench/calendars-google.ts; hotpaths = read ratios with rotating client addresses and a
 * login flood from many addresses, see bench/hot-paths.ts; payments = booking creation with the
 * simulated and the Stripe provider, see bench/payments.ts; creation = booking creation under
 * contention vs a one-INSERT route on the same server, see bench/creation.ts (BENCH_CREATION_ROUNDS,
 * default 3); platform = many businesses on one instance (issue 19), see bench/platform.ts, which
 * also runs alone as `npm run bench -- platform`; webhooks = one subscribed webhook endpoint's cost on
 * booking creation and the deliveries' pace, see bench/webhooks.ts; BENCH_PAYMENT_REQUESTS, default 60,
 * BENCH_PAYMENT_CONCURRENCY, default 5), BENCH_NOTIFY_BOOKINGS (default 300),
 * BENCH_NOTIFY_POLL_MS (default 50), BENCH_SERVER_NODE_ARGS (more node flags for the servers, e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof": a CPU profile per server, written when it stops).
 * PGlite is measured twice: on the main thread (PGLITE_THREAD=main) and in its worker
 * thread (PGLITE_THREAD=worker, the service's default).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Temporal } from 'temporal-polyfill';
import type { Database } from '../src/adapters/db/database.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { makeBookingStore } from '../src/adapters/db/booking-store.ts';
import { loadWindow, planDay, readDay } from '../src/app/day-plan.ts';
import { dayOccupancy, loadDataset, openWeekdayAhead, overlappingPairs, type DatasetSummary } from './dataset.ts';
import { runLoad, type LoadResult } from './load.ts';
import { memoryOf } from './proc.ts';
import { bookingBodies, fetchSlots, measure, routeCells, runProbe, type Engine, type Measured } from './measure.ts';
import { fmt, statusList, table } from './report.ts';
import { explainPglite, explainPostgres } from './explain.ts';
import { sourceFingerprint } from './fingerprint.ts';
import type { LoopStats } from './loop-monitor.ts';
import { ROOT, sleep, startServer } from './server.ts';
import { runWeb } from './web.ts';
import { adminNotifySummary, runAdminNotify, type AdminNotifyConfig, type AdminNotifyReport } from './admin-notify.ts';
import { paymentsSummary, runPaymentsBench, type PaymentsRun } from './payments.ts';
import { runCalendarsBench } from './calendars.ts';
import { runGoogleSyncBench } from './calendars-google.ts';
import { hotPathsSummary, runHotPaths, type HotPathsConfig, type HotPathsReport } from './hot-paths.ts';
import { runCreationBench } from './creation.ts';
import { runPlatformBench } from './platform.ts';
import { runWebhookBench } from './webhooks.ts';

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
  return n;
};
const DURATION = num('BENCH_DURATION', 8);
const CONNECTIONS = Math.round(num('BENCH_CONNECTIONS', 10));
const WARMUP = num('BENCH_WARMUP', 2);
const ADMIN_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const ONLY = process.env.BENCH_ONLY;
// `npm run bench -- platform,creation`: scenarios as arguments, instead of BENCH_SCENARIOS.
const SCENARIOS = new Set((process.argv[2] || process.env.BENCH_SCENARIOS || 'core,admin,notify,hotpaths').split(',').map((x) => x.trim()));
const KNOWN_SCENARIOS = ['core', 'admin', 'notify', 'agenda', 'calendars', 'hotpaths', 'payments', 'web', 'creation', 'platform', 'webhooks'];
for (const s of SCENARIOS) {
  if (!KNOWN_SCENARIOS.includes(s)) throw new Error(`BENCH_SCENARIOS: unknown scenario "${s}" (${KNOWN_SCENARIOS.join(', ')})`);
}
const CORE = SCENARIOS.has('core');
const ADMIN_NOTIFY = SCENARIOS.has('admin') || SCENARIOS.has('notify') || SCENARIOS.has('agenda');
const HOT_PATHS = SCENARIOS.has('hotpaths');
const NOTIFY_BOOKINGS = Math.round(num('BENCH_NOTIFY_BOOKINGS', 300));
const NOTIFY_POLL_MS = Math.round(num('BENCH_NOTIFY_POLL_MS', 50));
const CONTENTION_REQUESTS = 200;
const CONTENTION_CONNECTIONS = 20;
const CONTENTION_SLOTS = 20;
const WARMUP_SLOTS = 10;

const log = (text = ''): void => void process.stdout.write(`${text}\n`);
const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

type RouteName = 'availability' | 'health' | 'trivial';

interface EngineReport {
  engine: string;
  /** src/ fingerprint when this engine's server started (the code it ran). */
  code: string;
  dataset: DatasetSummary;
  availabilityDate: string;
  occupancy: { bookings: number; blocks: number };
  slotsOnDate: { total: number; available: number };
  /** Seconds to the first start (migrations + seed); undefined for a copy of another engine's data. */
  readyCold: number | undefined;
  readyWarm: number;
  routes: Record<RouteName, Measured>;
  probeAlone: LoadResult;
  probeUnderLoad: LoadResult;
  loadDuringProbe: LoadResult;
  loopAlone: LoopStats;
  loopUnderLoad: LoopStats;
  contention: { result: Measured; slots: number; days: number; created: number; distinctSlots: number; overlaps: number };
  memoryBefore: { rssMb: number; hwmMb: number } | undefined;
  memoryAfter: { rssMb: number; hwmMb: number } | undefined;
  direct: { select1Ms: number; dayContextMs: number; dayContextPreparedMs: number | undefined; planDayMs: number };
  explain: string[];
}


/** The exact text and parameters of the availability statement, taken from the real store. */
async function dayContextStatement(artisanId: string, date: Temporal.PlainDate): Promise<{ text: string; params: readonly unknown[] }> {
  let captured: { text: string; params: readonly unknown[] } | undefined;
  const recorder: Database = {
    kind: 'postgres',
    async query<R>(text: string, params?: readonly unknown[]): Promise<R[]> {
      captured = { text, params: params ?? [] };
      return [];
    },
    async exec() {},
    transaction: (fn) => fn(recorder),
    async close() {},
  };
  const { fromMs, toMs } = loadWindow(date);
  await makeBookingStore(recorder, () => '00000000-0000-0000-0000-000000000000').readDayContext(artisanId, 'diag', fromMs, toMs);
  if (!captured) throw new Error('readDayContext ran no query');
  return captured;
}



async function timeSerial(db: Database, text: string, params: readonly unknown[], runs: number): Promise<number> {
  for (let i = 0; i < 50; i++) await db.query(text, params);
  const started = performance.now();
  for (let i = 0; i < runs; i++) await db.query(text, params);
  return (performance.now() - started) / runs;
}

/** The JavaScript half of an availability request: slot computation on the day's context, no I/O. */
async function timePlanDay(db: Database, date: Temporal.PlainDate, runs: number): Promise<number> {
  const artisanId = (await db.query<{ id: string }>('SELECT id FROM artisans LIMIT 1'))[0]!.id;
  const ctx = await readDay(makeBookingStore(db, () => '00000000-0000-0000-0000-000000000000'), artisanId, 'diag', date);
  if (!ctx) throw new Error('no day context for diag');
  const now = Date.now();
  for (let i = 0; i < 500; i++) planDay(ctx, date, now);
  const started = performance.now();
  for (let i = 0; i < runs; i++) planDay(ctx, date, now);
  return (performance.now() - started) / runs;
}


interface Prepared {
  readyCold: number | undefined;
  dataset: DatasetSummary;
  availabilityDate: Temporal.PlainDate;
  occupancy: { bookings: number; blocks: number };
}

/** First start (the service migrates and seeds the demo artisan), stop, then a year of history inserted directly. */
async function prepare(engine: Engine): Promise<Prepared> {
  log(`\n## Preparing ${engine.kind === 'pglite' ? 'the PGlite data directory' : 'the PostgreSQL database'}\n`);
  const first = await startServer(engine.server);
  log(`first start (migrate + seed): ready in ${fmt(first.readySeconds, 2)} s`);
  await first.stop();
  const availabilityDate = openWeekdayAhead(7);
  const db = await engine.open();
  const dataset = await loadDataset(db, { analyze: engine.analyze });
  const occupancy = await dayOccupancy(db, availabilityDate);
  await db.close();
  log(
    `loaded ${dataset.bookings} bookings (${dataset.confirmed} confirmed, ${dataset.cancelled} cancelled), ` +
      `${dataset.externalBlocks} external busy blocks + ${dataset.bookingBlocks} booking busy blocks, ` +
      `${dataset.from} .. ${dataset.to}, in ${fmt(dataset.seconds, 2)} s${engine.analyze ? ' (then ANALYZE)' : ' (no ANALYZE: PGlite has no autovacuum)'}`,
  );
  return { readyCold: first.readySeconds, dataset, availabilityDate, occupancy };
}

async function runEngine(engine: Engine, prepared: Prepared): Promise<EngineReport> {
  log(`\n## ${engine.name}\n`);
  const { dataset, availabilityDate, occupancy } = prepared;
  let db: Database;
  // Restart on the loaded data.
  const code = sourceFingerprint(ROOT).hash;
  const server = await startServer(engine.server);
  try {
    log(`restart: ready in ${fmt(server.readySeconds, 2)} s (server pid ${server.pid}, ${threadCount(server.pid)} threads, src/ fingerprint ${code})`);
    const memoryBefore = memoryOf(server.pid);
    const date = availabilityDate.toString();
    const slots = await fetchSlots(server.url, date);
    log(
      `availability date ${date}: ${occupancy.bookings} active bookings and ${occupancy.blocks} calendar events that day; ` +
        `${slots.length} slots, ${slots.filter((s) => s.available).length} available`,
    );
    const paths: Record<RouteName, string> = {
      availability: `/api/availability?serviceId=diag&date=${date}`,
      health: '/api/health',
      trivial: '/api/version',
    };
    const order: RouteName[] = ['trivial', 'health', 'availability'];
    for (const route of order) await runLoad({ url: server.url, path: paths[route], connections: CONNECTIONS, duration: WARMUP });
    const routes = {} as Record<RouteName, Measured>;
    for (const route of order) {
      routes[route] = await measure(engine, server, { url: server.url, path: paths[route], connections: CONNECTIONS, duration: DURATION });
      const r = routes[route];
      log(
        `${route.padEnd(12)} ${fmt(r.rps, 0).padStart(6)} req/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  ` +
          `[${statusList(r.statuses)}]  server CPU ${fmt(r.serverCpuPct, 0)}%` +
          (r.dbCpuPct === undefined ? '' : `, postgres backends ${fmt(r.dbCpuPct, 0)}%`) +
          `, load generator ${fmt(r.clientCpuPct, 0)}%, other processes ${fmt(r.otherCpuPct, 0)}% ` +
          `(machine ${fmt(r.machineCpuPct, 0)}% of ${os.cpus().length * 100}%${r.others.length ? `; busiest: ${r.others.join(', ')}` : ''}); ` +
          `server event loop ${loopText(r.loop)}`,
      );
    }

    // 5. The event loop: a 1-connection probe on the trivial route, alone and during availability load.
    await server.loopStats();
    const probeAlone = await runProbe(server.url, paths.trivial, DURATION);
    const loopAlone = await server.loopStats();
    const loading = runLoad({ url: server.url, path: paths.availability, connections: CONNECTIONS, duration: DURATION + 3 });
    await sleep(1_000);
    const probeUnderLoad = await runProbe(server.url, paths.trivial, DURATION);
    const loadDuringProbe = await loading;
    const loopUnderLoad = await server.loopStats();
    log(
      `trivial route, 1 connection, alone:                    p50 ${fmt(probeAlone.p50, 2)} ms  p99 ${fmt(probeAlone.p99, 2)} ms  ` +
        `max ${fmt(probeAlone.max, 1)} ms  ${fmt(probeAlone.rps, 0)} req/s; server event loop ${loopText(loopAlone)}`,
    );
    log(
      `trivial route, 1 connection, during availability load: p50 ${fmt(probeUnderLoad.p50, 2)} ms  p99 ${fmt(probeUnderLoad.p99, 2)} ms  ` +
        `max ${fmt(probeUnderLoad.max, 1)} ms  ${fmt(probeUnderLoad.rps, 0)} req/s (availability meanwhile: ${fmt(loadDuringProbe.rps, 0)} req/s); ` +
        `server event loop ${loopText(loopUnderLoad)}`,
    );

    // 4. Booking creation under contention.
    // Free slots from 10 days ahead on, at most 4 a day: the first CONTENTION_SLOTS are
    // measured, the next WARMUP_SLOTS warm the booking path up (JIT) beforehand.
    const free: { date: string; time: string }[] = [];
    const scanned = new Set<string>();
    for (let ahead = 10; free.length < CONTENTION_SLOTS + WARMUP_SLOTS && ahead < 80; ahead++) {
      const day = openWeekdayAhead(ahead).toString();
      if (scanned.has(day)) continue;
      scanned.add(day);
      for (const s of (await fetchSlots(server.url, day)).filter((x) => x.available).slice(0, 4)) free.push({ date: day, time: s.time });
    }
    const chosen = free.slice(0, CONTENTION_SLOTS);
    const warmSlots = free.slice(CONTENTION_SLOTS, CONTENTION_SLOTS + WARMUP_SLOTS);
    const days = new Set(chosen.map((s) => s.date));
    const post = { url: server.url, path: '/api/bookings', method: 'POST' as const, headers: { 'content-type': 'application/json' } };
    if (warmSlots.length > 0) {
      await runLoad({ ...post, connections: CONTENTION_CONNECTIONS, amount: warmSlots.length * 4, body: bookingBodies(warmSlots, 4, 'warm') });
    }
    // 10 requests per slot, in a row: the first 20 in flight race for two slots.
    const contentionResult = await measure(engine, server, {
      ...post,
      connections: CONTENTION_CONNECTIONS,
      amount: CONTENTION_REQUESTS,
      body: bookingBodies(chosen, CONTENTION_REQUESTS / Math.max(1, chosen.length), 'bench'),
    });
    const memoryAfter = memoryOf(server.pid);
    await server.stop();

    // 6. Verification and diagnosis on the database, the server stopped.
    db = await engine.open();
    const overlaps = await overlappingPairs(db);
    const made = await db.query<{ n: number; slots: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT starts_at)::int AS slots FROM bookings
        WHERE customer_email LIKE 'bench%@exemple.fr' AND booking_holds_slot(status)`,
    );
    const contention = {
      result: contentionResult,
      slots: chosen.length,
      days: days.size,
      created: made[0]?.n ?? -1,
      distinctSlots: made[0]?.slots ?? -1,
      overlaps,
    };
    const c = contentionResult;
    log(
      `contention: ${c.requests} POST /api/bookings on ${chosen.length} slots over ${days.size} days, ${CONTENTION_CONNECTIONS} connections: ` +
        `${fmt(c.rps, 0)} req/s  p50 ${fmt(c.p50, 2)} ms  p99 ${fmt(c.p99, 2)} ms  [${statusList(c.statuses)}]; ` +
        `in the database: ${contention.created} active bench bookings on ${contention.distinctSlots} distinct slots, ` +
        `${overlaps} overlapping pairs of active bookings`,
    );

    const statement = await dayContextStatement((await db.query<{ id: string }>('SELECT id FROM artisans LIMIT 1'))[0]!.id, availabilityDate);
    const direct = {
      select1Ms: await timeSerial(db, 'SELECT 1', [], 300),
      dayContextMs: await timeSerial(db, statement.text, statement.params, 300),
      dayContextPreparedMs: engine.timePrepared ? await engine.timePrepared(statement.text, statement.params, 300) : undefined,
      planDayMs: await timePlanDay(db, availabilityDate, 1_000),
    };
    await db.close();
    const explain = await engine.explain(statement.text, statement.params);
    log(
      `direct from the bench process, serial: SELECT 1 ${fmt(direct.select1Ms, 3)} ms, availability statement ` +
        `${fmt(direct.dayContextMs, 3)} ms (read + decode` +
        (direct.dayContextPreparedMs === undefined ? '' : `; ${fmt(direct.dayContextPreparedMs, 3)} ms as a named prepared statement`) +
        `), slot computation in JS (planDay) ${fmt(direct.planDayMs, 3)} ms`,
    );
    log(`\nauto_explain (analyze, buffers, nested statements) of the availability statement for ${date}, third run:\n`);
    log(
      explain
        .join('\n\n')
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
    );

    return {
      engine: engine.name,
      code,
      dataset,
      availabilityDate: date,
      occupancy,
      slotsOnDate: { total: slots.length, available: slots.filter((s) => s.available).length },
      readyCold: prepared.readyCold,
      readyWarm: server.readySeconds,
      routes,
      probeAlone,
      probeUnderLoad,
      loadDuringProbe,
      loopAlone,
      loopUnderLoad,
      contention,
      memoryBefore,
      memoryAfter,
      direct,
      explain,
    };
  } finally {
    await server.stop();
  }
}

const threadCount = (pid: number): number => {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return NaN;
  }
};

const loopText = (l: LoopStats): string =>
  `busy ${fmt(l.utilization * 100, 0)}%, delay p50 ${fmt(l.delayP50, 2)} / p99 ${fmt(l.delayP99, 2)} / max ${fmt(l.delayMax, 1)} ms`;

const loadAverage = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

function summary(reports: EngineReport[], machine: string[]): string {
  const out: string[] = ['# Summary', '', ...machine.map((m) => `- ${m}`), `- load average at the end: ${loadAverage()}`, ''];
  if (reports.length === 0) return out.join('\n');
  out.push(
    `## Read routes (${CONNECTIONS} connections, ${DURATION} s each, after ${WARMUP} s warm-up)`,
    '',
    table(
      [
        'database',
        'route',
        'req/s',
        'p50 ms',
        'p99 ms',
        'non-2xx/errors',
        'server CPU ms/req',
        'PG backends CPU ms/req',
        `CPU % server / PG / load gen. / other (machine, of ${os.cpus().length * 100})`,
        'server event loop busy % / delay p99 ms',
      ],
      reports.flatMap((r) =>
        (['availability', 'health', 'trivial'] as const).map((route) => {
          const m = r.routes[route];
          return [
            ...routeCells(r.engine, route, m),
            `${fmt(m.serverCpuPct, 0)} / ${fmt(m.dbCpuPct, 0)} / ${fmt(m.clientCpuPct, 0)} / ${fmt(m.otherCpuPct, 0)} (${fmt(m.machineCpuPct, 0)})`,
            `${fmt(m.loop.utilization * 100, 0)} / ${fmt(m.loop.delayP99, 2)}`,
          ];
        }),
      ),
    ),
    '',
    '## Ratios vs aims',
    '',
    table(
      ['database', 'availability / health (aim ≥ 0.70)', 'availability / trivial', 'availability p99 ms (aim < 10 on PostgreSQL)'],
      reports.map((r) => {
        const a = r.routes.availability;
        const ratio = a.rps / r.routes.health.rps;
        const p99Aim = r.engine === 'PostgreSQL' ? (a.p99 < 10 ? ' (met)' : ' (missed)') : '';
        return [r.engine, `${fmt(ratio, 2)}${ratio >= 0.7 ? ' (met)' : ' (missed)'}`, fmt(a.rps / r.routes.trivial.rps, 2), `${fmt(a.p99, 2)}${p99Aim}`];
      }),
    ),
    '',
    `## Event loop: trivial route at 1 connection (separate process), alone vs during availability load at ${CONNECTIONS} connections`,
    '',
    table(
      [
        'database',
        'alone p50 / p99 / max ms',
        'alone req/s',
        'under load p50 / p99 / max ms',
        'under load req/s',
        'availability req/s meanwhile',
        'server loop busy % alone / under load',
        'server loop delay p99 / max ms alone / under load',
      ],
      reports.map((r) => [
        r.engine,
        `${fmt(r.probeAlone.p50, 2)} / ${fmt(r.probeAlone.p99, 2)} / ${fmt(r.probeAlone.max, 1)}`,
        fmt(r.probeAlone.rps, 0),
        `${fmt(r.probeUnderLoad.p50, 2)} / ${fmt(r.probeUnderLoad.p99, 2)} / ${fmt(r.probeUnderLoad.max, 1)}`,
        fmt(r.probeUnderLoad.rps, 0),
        fmt(r.loadDuringProbe.rps, 0),
        `${fmt(r.loopAlone.utilization * 100, 0)} / ${fmt(r.loopUnderLoad.utilization * 100, 0)}`,
        `${fmt(r.loopAlone.delayP99, 1)} / ${fmt(r.loopAlone.delayMax, 1)} — ${fmt(r.loopUnderLoad.delayP99, 1)} / ${fmt(r.loopUnderLoad.delayMax, 1)}`,
      ]),
    ),
    '',
    `## Booking creation under contention (${CONTENTION_REQUESTS} POST, ${CONTENTION_CONNECTIONS} connections, ` +
      `${CONTENTION_REQUESTS / CONTENTION_SLOTS} per slot in a row; after ${WARMUP_SLOTS * 4} warm-up POST on ${WARMUP_SLOTS} other slots)`,
    '',
    table(
      [
        'database',
        'slots / days',
        'req/s',
        'p50 ms',
        'p99 ms',
        '201',
        '409',
        'other',
        'server / PG CPU ms/req',
        'active bench bookings (expected = slots)',
        'overlapping active pairs',
      ],
      reports.map((r) => {
        const s = r.contention.result.statuses;
        const other = Object.entries(s).reduce((n, [code, count]) => (code === '201' || code === '409' ? n : n + count), 0);
        return [
          r.engine,
          `${r.contention.slots} / ${r.contention.days}`,
          fmt(r.contention.result.rps, 0),
          fmt(r.contention.result.p50, 2),
          fmt(r.contention.result.p99, 2),
          String(s['201'] ?? 0),
          String(s['409'] ?? 0),
          String(other + r.contention.result.errors),
          `${fmt(r.contention.result.serverCpuMsPerReq, 2)} / ${fmt(r.contention.result.dbCpuMsPerReq, 2)}`,
          String(r.contention.created),
          String(r.contention.overlaps),
        ];
      }),
    ),
    '',
    '## Server process memory and start-up',
    '',
    table(
      ['database', 'RSS before load MiB', 'RSS after load MiB', 'peak RSS (VmHWM) MiB', 'first start (migrate+seed) s', 'restart s', 'src/ fingerprint'],
      reports.map((r) => [
        r.engine,
        fmt(r.memoryBefore?.rssMb, 0),
        fmt(r.memoryAfter?.rssMb, 0),
        fmt(r.memoryAfter?.hwmMb, 0),
        r.readyCold === undefined ? 'same data dir' : fmt(r.readyCold, 2),
        fmt(r.readyWarm, 2),
        r.code,
      ]),
    ),
    '',
    '## Data and the availability statement',
    '',
    table(
      [
        'database',
        'bookings (confirmed / cancelled)',
        'busy blocks (external / booking)',
        'availability date: bookings / events / slots (available)',
        'SELECT 1 serial ms',
        'availability statement serial ms (named prepared)',
        'planDay (JS) ms',
      ],
      reports.map((r) => [
        r.engine,
        `${r.dataset.bookings} (${r.dataset.confirmed} / ${r.dataset.cancelled})`,
        `${r.dataset.externalBlocks} / ${r.dataset.bookingBlocks}`,
        `${r.availabilityDate}: ${r.occupancy.bookings} / ${r.occupancy.blocks} / ${r.slotsOnDate.total} (${r.slotsOnDate.available})`,
        fmt(r.direct.select1Ms, 3),
        `${fmt(r.direct.dayContextMs, 3)}${r.direct.dayContextPreparedMs === undefined ? '' : ` (${fmt(r.direct.dayContextPreparedMs, 3)})`}`,
        fmt(r.direct.planDayMs, 3),
      ]),
    ),
  );
  return out.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const cpus = os.cpus();
  const machine = [
    `CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    `memory: ${fmt(os.totalmem() / 2 ** 30, 1)} GiB`,
    `OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `node: ${process.version}`,
  ];
  const source = sourceFingerprint(ROOT);
  machine.push(`code measured: src/ fingerprint ${source.hash} (${source.files} files; migrations ${source.migrations.join(', ')})`);
  log(`# ArtisanConnect benchmark, ${new Date().toISOString()}`);
  log(`duration ${DURATION} s, ${CONNECTIONS} connections, warm-up ${WARMUP} s; scenarios ${[...SCENARIOS].join(', ')}`);
  for (const m of machine) log(`- ${m}`);
  log(`- load average at the start: ${loadAverage()} (other work on the machine skews the figures)`);

  const reports: EngineReport[] = [];
  const adminReports: AdminNotifyReport[] = [];
  const adminConfig = (availabilityDate: Temporal.PlainDate): AdminNotifyConfig => ({
    duration: DURATION,
    warmup: WARMUP,
    connections: CONNECTIONS,
    admin: SCENARIOS.has('admin'),
    notify: SCENARIOS.has('notify'),
    agenda: SCENARIOS.has('agenda'),
    bookings: NOTIFY_BOOKINGS,
    pollMs: NOTIFY_POLL_MS,
    availabilityDate,
    log,
  });
  const hotReports: HotPathsReport[] = [];
  const hotConfig = (availabilityDate: Temporal.PlainDate): HotPathsConfig => ({ duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, availabilityDate, log });
  const cleanups: (() => Promise<void>)[] = [];
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    log('\ninterrupted: cleaning up');
    void Promise.allSettled(cleanups.map((c) => c())).then(() => process.exit(130));
  });

  let paymentRuns: PaymentsRun[] = [];
  try {
    if (SCENARIOS.has('payments')) {
      paymentRuns = await runPaymentsBench({ requests: Math.round(num('BENCH_PAYMENT_REQUESTS', 60)), concurrency: Math.round(num('BENCH_PAYMENT_CONCURRENCY', 5)), log });
    }
    if (SCENARIOS.has('creation')) await runCreationBench({ adminUrl: ADMIN_URL, only: ONLY, log });
    if (SCENARIOS.has('webhooks')) await runWebhookBench({ adminUrl: ADMIN_URL, only: ONLY, log });
    if (SCENARIOS.has('platform')) await runPlatformBench({ adminUrl: ADMIN_URL, only: ONLY, duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, log });
    if (SCENARIOS.has('web')) await runWeb({ duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, log });
    if (SCENARIOS.has('calendars')) {
      await runCalendarsBench({ duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, log });
      await runGoogleSyncBench(log);
    }
    if ((CORE || ADMIN_NOTIFY || HOT_PATHS) && (!ONLY || ONLY === 'pglite')) {
      // PGlite runs on the main thread (PGLITE_THREAD=main) or in a worker thread (the
      // default): both are measured, on two copies of one prepared data directory.
      const base = mkdtempSync(join(os.tmpdir(), 'artisanconnect-bench-'));
      cleanups.push(async () => rmSync(base, { recursive: true, force: true }));
      const pgliteEngine = (mode: 'main' | 'worker', dir: string = mode): Engine => {
        const dataDir = join(base, dir);
        return {
          name: mode === 'main' ? 'PGlite (main thread)' : 'PGlite (worker thread)',
          kind: 'pglite',
          server: { dataDir, label: `pglite-${mode}`, env: { PGLITE_THREAD: mode } },
          open: () => openPglite(dataDir),
          explain: (text, params) => explainPglite(dataDir, text, params),
          backendPids: async () => [],
          analyze: false,
        };
      };
      const onMain = pgliteEngine('main');
      const prepared = await prepare(onMain);
      // The back office and notifications get their own copy (worker thread, the default).
      if (ADMIN_NOTIFY) cpSync(join(base, 'main'), join(base, 'admin'), { recursive: true });
      if (HOT_PATHS) cpSync(join(base, 'main'), join(base, 'hot'), { recursive: true });
      if (CORE) {
        cpSync(join(base, 'main'), join(base, 'worker'), { recursive: true });
        reports.push(await runEngine(onMain, prepared));
        reports.push(await runEngine(pgliteEngine('worker'), { ...prepared, readyCold: undefined }));
      }
      if (ADMIN_NOTIFY) adminReports.push(await runAdminNotify(pgliteEngine('worker', 'admin'), adminConfig(prepared.availabilityDate)));
      if (HOT_PATHS) hotReports.push(await runHotPaths(pgliteEngine('worker', 'hot'), hotConfig(prepared.availabilityDate)));
    }

    if ((CORE || ADMIN_NOTIFY || HOT_PATHS) && (!ONLY || ONLY === 'postgres')) {
      const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
      let reachable = true;
      try {
        await admin.connect();
      } catch (error) {
        reachable = false;
        log(`\n## PostgreSQL\n\nSKIPPED: cannot connect to ${redact(ADMIN_URL)} (${(error as Error).message}). Set BENCH_DATABASE_URL to an admin connection.`);
      }
      if (reachable) {
        const version = (await admin.query<{ version: string }>('SELECT version()')).rows[0]?.version ?? 'unknown';
        machine.push(`PostgreSQL server: ${version}`);
        log(`\nPostgreSQL server: ${version}`);
        const name = `artisanconnect_bench_${randomBytes(4).toString('hex')}`;
        await admin.query(`CREATE DATABASE ${name}`);
        const dropDb = async (): Promise<void> => {
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await admin.end();
          log(`database ${name} dropped`);
        };
        cleanups.push(dropDb);
        const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(ADMIN_URL).hostname);
        const postgresEngine = (dbName: string): Engine => {
          const url = new URL(ADMIN_URL);
          url.pathname = `/${dbName}`;
          const databaseUrl = url.toString();
          return {
            name: 'PostgreSQL',
            kind: 'postgres',
            server: { databaseUrl, label: 'postgres' },
            open: () => openPostgres(databaseUrl),
            explain: (text, params) => explainPostgres(databaseUrl, text, params),
            backendPids: async () =>
              local
                ? (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`, [dbName])).rows.map(
                    (r) => r.pid,
                  )
                : [],
            analyze: true,
            timePrepared: async (text, params, runs) => {
              const client = new pg.Client({ connectionString: databaseUrl, options: '-c TimeZone=UTC' });
              await client.connect();
              try {
                const run = () => client.query({ name: 'bench_day_context', text, values: [...params] });
                for (let i = 0; i < 50; i++) await run();
                const t0 = performance.now();
                for (let i = 0; i < runs; i++) await run();
                return (performance.now() - t0) / runs;
              } finally {
                await client.end();
              }
            },
          };
        };
        const prepared = await prepare(postgresEngine(name));
        // The back office and notifications get their own copy of the prepared database.
        const copy = `${name}_admin`;
        if (ADMIN_NOTIFY) {
          await admin.query(`CREATE DATABASE ${copy} TEMPLATE ${name}`);
          cleanups.push(async () => {
            await admin.query(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`);
          });
        }
        const hotCopy = `${name}_hot`;
        if (HOT_PATHS) {
          await admin.query(`CREATE DATABASE ${hotCopy} TEMPLATE ${name}`);
          cleanups.push(async () => {
            await admin.query(`DROP DATABASE IF EXISTS ${hotCopy} WITH (FORCE)`);
          });
        }
        if (CORE) reports.push(await runEngine(postgresEngine(name), prepared));
        if (ADMIN_NOTIFY) adminReports.push(await runAdminNotify(postgresEngine(copy), adminConfig(prepared.availabilityDate)));
        if (HOT_PATHS) hotReports.push(await runHotPaths(postgresEngine(hotCopy), hotConfig(prepared.availabilityDate)));
      }
    }
  } finally {
    if (!interrupted) for (const cleanup of cleanups.reverse()) await cleanup();
  }

  const after = sourceFingerprint(ROOT);
  if (after.hash !== source.hash) {
    machine.push(`WARNING: src/ changed during the run (fingerprint ${source.hash} at the start, ${after.hash} at the end): see the fingerprint each server started with`);
  }
  if (CORE || ADMIN_NOTIFY) log(`\n${summary(reports, machine)}`);
  else log(`\n${machine.map((m) => `- ${m}`).join('\n')}`);
  if (paymentRuns.length > 0) log(`\n${paymentsSummary(paymentRuns)}`);
  if (adminReports.length > 0) log(`\n${adminNotifySummary(adminReports, { duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, pollMs: NOTIFY_POLL_MS })}`);
  if (hotReports.length > 0) log(`\n${hotPathsSummary(hotReports, { duration: DURATION, warmup: WARMUP, connections: CONNECTIONS })}`);
  log(`\ntotal bench time: ${fmt((performance.now() - started) / 1000, 0)} s`);
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
