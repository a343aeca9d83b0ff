/**
 * The back office and the notifications, measured on the real server (bench/run.ts calls
 * this per engine, on its own copy of the year of bookings):
 *
 * - admin: the admin read routes with an API token (`ADMIN_API_TOKEN`) against the public
 *   availability and health in the same server run; what one argon2id login costs (serial,
 *   right password) and what a flood of logins (wrong password, RATE_LIMIT_LOGIN_PER_MINUTE
 *   set to the highest value the config accepts) does to a 1-connection probe on the trivial
 *   and health routes.
 * - notify: N bookings created through POST /api/bookings (worker idle: WORKER_POLL_MS=60000),
 *   then, per drain, the server stopped, the due `notify.%` backlog set to exactly one
 *   `notify.booking_confirmed` job per bench booking (fresh outbox rows: the deliveries
 *   recorded by an earlier drain would otherwise be skipped), and the server restarted with
 *   WORKER_POLL_MS=BENCH_NOTIFY_POLL_MS: time until the worker has sent them all, into the
 *   mailbox table or through SMTP (nodemailer to an smtp-server in this process, 100 jobs:
 *   that drain is latency-bound); and the public availability under load while the worker
 *   drains vs once it is idle. The rate comes from the deliveries' own timestamps (first to
 *   last `notification_deliveries.sent_at`); "drained" is seen by polling the database
 *   (PostgreSQL) or, PGlite having a single owner, the admin outbox API.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Temporal } from 'temporal-polyfill';
import { adminAuthOn } from '../src/main.ts';
import { openWeekdayAhead } from './dataset.ts';
import { runLoad, type LoadResult } from './load.ts';
import type { LoopStats } from './loop-monitor.ts';
import { fetchSlots, measure, routeCells, runProbe, type Engine, type Measured } from './measure.ts';
import { cpuSecondsOf } from './proc.ts';
import { fmt, statusList, table } from './report.ts';
import { sleep, startServer, type ServerHandle } from './server.ts';

export interface AdminNotifyConfig {
  duration: number;
  warmup: number;
  connections: number;
  admin: boolean;
  notify: boolean;
  /** The week agenda (GET /api/admin/agenda) and the week's bookings list against health. */
  agenda: boolean;
  /** Bookings created for the notification backlog (fewer if the horizon has fewer free slots). */
  bookings: number;
  /** WORKER_POLL_MS during the drains. */
  pollMs: number;
  /** The date the public and admin availability are read for. */
  availabilityDate: Temporal.PlainDate;
  log: (text?: string) => void;
}

type AdminRoute = 'health' | 'admin me (auth only)' | 'public availability' | 'admin availability' | 'admin bookings list' | 'admin booking detail';

interface LoginReport {
  serial: Measured;
  flood: Measured;
  probes: { route: string; alone: LoadResult; during: LoadResult; floodMeanwhile: LoadResult; loopAlone: LoopStats; loopDuring: LoopStats }[];
}

interface Drain {
  label: string;
  pollMs: number;
  sink: 'mailbox' | 'smtp';
  underLoad: boolean;
  jobs: number;
  messages: number;
  /** Messages the bench's SMTP server received (smtp sink). */
  smtpReceived: number | undefined;
  /** From "server ready" to "the bench saw every job done" (includes the first poll interval). */
  wallSeconds: number;
  /** First to last recorded delivery (server clock). */
  sendSpanSeconds: number;
  serverCpuMsPerMessage: number;
  dbCpuMsPerMessage: number | undefined;
  leftDue: number;
  dead: number;
  timedOut: boolean;
  availability?: Measured;
}

export interface AdminNotifyReport {
  engine: string;
  routes: { route: AdminRoute; path: string; m: Measured }[];
  bookingCode?: string;
  historyEntries?: number;
  login?: LoginReport;
  creation?: { requested: number; created: number; result: Measured };
  drains: Drain[];
  availabilityIdle?: Measured;
  agenda?: { week: string; bookings: number; routes: { route: string; path: string; m: Measured }[] };
}

const PASSWORD = 'bench-mot-de-passe-solide-1';
const LOGIN_SERIAL = 20;
const DRAIN_TIMEOUT_MS = 180_000;
/** The SMTP drain is bound by per-message latency (a new connection per message), not CPU: fewer jobs tell the same. */
const SMTP_JOBS = 100;
const DEFAULT_POLL_JOBS = 100;

/** Sets the artisan's password from the bench process (server stopped), as `npm run admin:password` does. */
async function setPassword(engine: Engine): Promise<string> {
  const db = await engine.open();
  try {
    const email = (await db.query<{ email: string }>('SELECT email FROM admin_users ORDER BY created_at LIMIT 1'))[0]?.email;
    if (!email) throw new Error('no admin user: the first start should have created one');
    await adminAuthOn(db).setPassword(email, PASSWORD);
    return email;
  } finally {
    await db.close();
  }
}

/** An SMTP server in this process that accepts everything (no TLS, no auth) and counts what it gets. */
async function startSmtp(): Promise<{ url: string; received: number[]; stop(): Promise<void> }> {
  const received: number[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    // No DNS on the bench box; smtp-server still waits 100 ms before its greeting (early-talker
    // check), as real MTAs pause before greeting too.
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        received.push(Date.now());
        callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function getJson<T>(url: string, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { ...init, headers: { ...headers, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  return { status: res.status, body: (await res.json()) as T };
}

const bookingBody = (slot: { date: string; time: string }, email: string): string =>
  JSON.stringify({
    serviceId: 'diag',
    date: slot.date,
    time: slot.time,
    customer: { name: 'Client Bench', email, phone: '06 12 34 56 78' },
    paymentMethodId: 'pm_card_visa',
  });

/** Free slots of the horizon, from 3 days ahead (so no reminder falls due now), skipping `skip`. */
async function freeSlots(url: string, max: number, skip: string): Promise<{ date: string; time: string }[]> {
  const free: { date: string; time: string }[] = [];
  const scanned = new Set<string>([skip]);
  for (let ahead = 3; free.length < max && ahead < 90; ahead++) {
    const day = openWeekdayAhead(ahead).toString();
    if (scanned.has(day)) continue;
    scanned.add(day);
    const slots = await fetchSlots(url, day).catch(() => []);
    for (const s of slots.filter((x) => x.available)) free.push({ date: day, time: s.time });
  }
  return free.slice(0, max);
}

export async function runAdminNotify(engine: Engine, config: AdminNotifyConfig): Promise<AdminNotifyReport> {
  const { log, connections } = config;
  const report: AdminNotifyReport = { engine: engine.name, routes: [], drains: [] };
  const token = randomBytes(24).toString('hex');
  const auth = { authorization: `Bearer ${token}` };
  const date = config.availabilityDate.toString();
  log(`\n## Back office and notifications: ${engine.name}\n`);
  const email = await setPassword(engine);

  const baseEnv = {
    ...engine.server.env,
    ADMIN_API_TOKEN: token,
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
  };
  const server = await startServer({ ...engine.server, env: { ...baseEnv, WORKER_POLL_MS: '60000' } });
  let benchBookings = 0;
  try {
    log(`server ready in ${fmt(server.readySeconds, 2)} s (pid ${server.pid}; ADMIN_API_TOKEN set, RATE_LIMIT_LOGIN_PER_MINUTE=100000, WORKER_POLL_MS=60000)`);
    if (config.admin) await adminScenario(engine, server, config, report, auth, email);
    if (config.agenda) await agendaScenario(engine, server, config, report, auth);
    if (config.notify) {
      // The backlog: N real bookings through the public API (each writes its outbox rows).
      const slots = await freeSlots(server.url, config.bookings, date);
      const warm = slots.splice(0, Math.min(10, Math.max(0, slots.length - 1)));
      await runLoad({
        url: server.url,
        path: '/api/bookings',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections: Math.min(connections, warm.length || 1),
        amount: warm.length,
        body: (i) => bookingBody(warm[i % warm.length] ?? { date: '', time: '' }, `notifywarm${i}@exemple.fr`),
      });
      const result = await measure(engine, server, {
        url: server.url,
        path: '/api/bookings',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections,
        amount: slots.length,
        body: (i) => bookingBody(slots[i % slots.length] ?? { date: '', time: '' }, `notify${i}@exemple.fr`),
      });
      report.creation = { requested: slots.length, created: result.statuses['201'] ?? 0, result };
      log(
        `created the backlog's bookings: ${slots.length} + ${warm.length} warm-up POST /api/bookings on free slots ${slots[0]?.date} .. ${slots.at(-1)?.date}: ` +
          `${fmt(result.rps, 0)} req/s p50 ${fmt(result.p50, 2)} ms p99 ${fmt(result.p99, 2)} ms [${statusList(result.statuses)}]`,
      );
    }
  } finally {
    await server.stop();
  }

  if (config.notify) {
    const db = await engine.open();
    benchBookings = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE customer_email LIKE 'notify%@exemple.fr' AND status = 'confirmed'`))[0]?.n ?? 0;
    await db.close();
    const runs: { sink: 'mailbox' | 'smtp'; underLoad: boolean; jobs: number; pollMs: number }[] = [
      { sink: 'mailbox', underLoad: false, jobs: benchBookings, pollMs: config.pollMs },
      { sink: 'smtp', underLoad: false, jobs: Math.min(SMTP_JOBS, benchBookings), pollMs: config.pollMs },
      { sink: 'mailbox', underLoad: true, jobs: benchBookings, pollMs: config.pollMs },
      // The service's default pace (WORKER_POLL_MS=1000): at most 10 jobs a second.
      { sink: 'mailbox', underLoad: false, jobs: Math.min(DEFAULT_POLL_JOBS, benchBookings), pollMs: 1_000 },
    ];
    for (const run of runs) report.drains.push(await drain(engine, config, baseEnv, auth, run, report));
  }
  return report;
}

/** The week agenda in one request, and the same week through the paged list, against health. */
async function agendaScenario(engine: Engine, server: ServerHandle, config: AdminNotifyConfig, report: AdminNotifyReport, auth: Record<string, string>): Promise<void> {
  const { log, duration, warmup, connections } = config;
  const week = config.availabilityDate.toString();
  const agenda = await getJson<{ from: string; to: string; bookings: unknown[] }>(`${server.url}/api/admin/agenda?week=${week}`, auth);
  if (agenda.status !== 200) throw new Error(`agenda: HTTP ${agenda.status} ${JSON.stringify(agenda.body)}`);
  const { from, to } = agenda.body;
  const total = (await getJson<{ total: number }>(`${server.url}/api/admin/bookings?from=${from}&to=${to}`, auth)).body.total;
  log(`agenda: week ${from} .. ${to}, ${agenda.body.bookings.length} active bookings (list total ${total}, cancelled included)`);
  const routes = [
    { route: 'health', path: '/api/health' },
    { route: 'admin week agenda', path: `/api/admin/agenda?week=${week}`, headers: auth },
    { route: 'admin bookings list (the week, page of 50)', path: `/api/admin/bookings?from=${from}&to=${to}&page=1&pageSize=50`, headers: auth },
  ];
  report.agenda = { week: `${from} .. ${to}`, bookings: agenda.body.bookings.length, routes: [] };
  for (const r of routes) await runLoad({ url: server.url, path: r.path, headers: r.headers, connections, duration: warmup });
  for (const r of routes) {
    const m = await measure(engine, server, { url: server.url, path: r.path, headers: r.headers, connections, duration });
    report.agenda.routes.push({ route: r.route, path: r.path, m });
    log(`${r.route.padEnd(44)} ${fmt(m.rps, 0).padStart(6)} req/s  p50 ${fmt(m.p50, 2)} ms  p99 ${fmt(m.p99, 2)} ms  [${statusList(m.statuses)}]  server CPU ${fmt(m.serverCpuMsPerReq, 3)} ms/req`);
  }
}

async function adminScenario(
  engine: Engine,
  server: ServerHandle,
  config: AdminNotifyConfig,
  report: AdminNotifyReport,
  auth: Record<string, string>,
  email: string,
): Promise<void> {
  const { log, duration, warmup, connections } = config;
  const date = config.availabilityDate;
  // A booking with a history: made by a customer, moved by the artisan (token).
  const [first, second] = await freeSlots(server.url, 2, date.toString());
  if (!first || !second) throw new Error('no free slot for the history booking');
  const created = await getJson<{ booking?: { publicCode?: string }; publicCode?: string }>(`${server.url}/api/bookings`, {}, {
    method: 'POST',
    body: bookingBody(first, 'historique@exemple.fr'),
  });
  const code = created.body.booking?.publicCode ?? created.body.publicCode;
  if (created.status !== 201 || !code) throw new Error(`history booking: HTTP ${created.status} ${JSON.stringify(created.body)}`);
  const moved = await getJson(`${server.url}/api/admin/bookings/${code}/reschedule`, auth, {
    method: 'POST',
    body: JSON.stringify({ newDate: second.date, newTime: second.time }),
  });
  if (moved.status !== 200) throw new Error(`reschedule: HTTP ${moved.status} ${JSON.stringify(moved.body)}`);
  const detail = await getJson<{ history: unknown[] }>(`${server.url}/api/admin/bookings/${code}`, auth);
  report.bookingCode = code;
  report.historyEntries = detail.body.history.length;

  const from = date.subtract({ days: 14 }).toString();
  const to = date.add({ days: 13 }).toString();
  const list = await getJson<{ total: number }>(`${server.url}/api/admin/bookings?from=${from}&to=${to}&page=1&pageSize=50`, auth);
  log(
    `admin: booking ${code} with ${report.historyEntries} history entries; bookings ${from} .. ${to}: total ${list.body.total} (page of 50); ` +
      `availability date ${date}`,
  );
  const routes: { route: AdminRoute; path: string; headers?: Record<string, string> }[] = [
    { route: 'health', path: '/api/health' },
    { route: 'admin me (auth only)', path: '/api/admin/me', headers: auth },
    { route: 'public availability', path: `/api/availability?serviceId=diag&date=${date}` },
    { route: 'admin availability', path: `/api/admin/availability?serviceId=diag&date=${date}`, headers: auth },
    { route: 'admin bookings list', path: `/api/admin/bookings?from=${from}&to=${to}&page=1&pageSize=50`, headers: auth },
    { route: 'admin booking detail', path: `/api/admin/bookings/${code}`, headers: auth },
  ];
  for (const r of routes) await runLoad({ url: server.url, path: r.path, headers: r.headers, connections, duration: warmup });
  for (const r of routes) {
    const m = await measure(engine, server, { url: server.url, path: r.path, headers: r.headers, connections, duration });
    report.routes.push({ route: r.route, path: r.path, m });
    log(
      `${r.route.padEnd(22)} ${fmt(m.rps, 0).padStart(6)} req/s  p50 ${fmt(m.p50, 2)} ms  p99 ${fmt(m.p99, 2)} ms  [${statusList(m.statuses)}]  ` +
        `server CPU ${fmt(m.serverCpuMsPerReq, 3)} ms/req` +
        (m.dbCpuMsPerReq === undefined ? '' : `, PG ${fmt(m.dbCpuMsPerReq, 3)} ms/req`) +
        `; machine ${fmt(m.machineCpuPct, 0)}%`,
    );
  }

  // Login: argon2id per attempt.
  const login = { url: server.url, path: '/api/admin/login', method: 'POST' as const, headers: { 'content-type': 'application/json' } };
  const good = JSON.stringify({ email, password: PASSWORD });
  const bad = JSON.stringify({ email, password: 'mauvais-mot-de-passe-0' });
  await runLoad({ ...login, connections: 1, amount: 3, body: () => good });
  const serial = await measure(engine, server, { ...login, connections: 1, amount: LOGIN_SERIAL, body: () => good });
  log(
    `login, serial (right password, 1 connection, ${LOGIN_SERIAL}): p50 ${fmt(serial.p50, 1)} ms  p99 ${fmt(serial.p99, 1)} ms  ` +
      `[${statusList(serial.statuses)}]  server CPU ${fmt(serial.serverCpuMsPerReq, 1)} ms/login`,
  );
  const flood = await measure(engine, server, { ...login, connections, duration, body: () => bad });
  log(
    `login flood (wrong password, ${connections} connections): ${fmt(flood.rps, 1)} logins/s  p50 ${fmt(flood.p50, 1)} ms  p99 ${fmt(flood.p99, 1)} ms  ` +
      `[${statusList(flood.statuses)}]  server CPU ${fmt(flood.serverCpuPct, 0)}% (${fmt(flood.serverCpuMsPerReq, 1)} ms/login), machine ${fmt(flood.machineCpuPct, 0)}%`,
  );
  const probes: LoginReport['probes'] = [];
  for (const [route, path] of [
    ['trivial', '/api/version'],
    ['health', '/api/health'],
  ] as const) {
    await server.loopStats();
    const alone = await runProbe(server.url, path, duration);
    const loopAlone = await server.loopStats();
    const flooding = runLoad({ ...login, connections, duration: duration + 3, body: () => bad });
    await sleep(1_000);
    const during = await runProbe(server.url, path, duration);
    const floodMeanwhile = await flooding;
    const loopDuring = await server.loopStats();
    probes.push({ route, alone, during, floodMeanwhile, loopAlone, loopDuring });
    log(
      `${route} probe (1 connection): alone p50 ${fmt(alone.p50, 2)} / p99 ${fmt(alone.p99, 2)} / max ${fmt(alone.max, 1)} ms ${fmt(alone.rps, 0)} req/s; ` +
        `during the login flood p50 ${fmt(during.p50, 2)} / p99 ${fmt(during.p99, 2)} / max ${fmt(during.max, 1)} ms ${fmt(during.rps, 0)} req/s ` +
        `(logins meanwhile ${fmt(floodMeanwhile.rps, 1)}/s); server loop busy ${fmt(loopAlone.utilization * 100, 0)}% / ${fmt(loopDuring.utilization * 100, 0)}%`,
    );
  }
  report.login = { serial, flood, probes };
}

async function drain(
  engine: Engine,
  config: AdminNotifyConfig,
  baseEnv: Record<string, string | undefined>,
  auth: Record<string, string>,
  run: { sink: 'mailbox' | 'smtp'; underLoad: boolean; jobs: number; pollMs: number },
  report: AdminNotifyReport,
): Promise<Drain> {
  const { log, connections, duration } = config;
  const label = `${run.sink}${run.underLoad ? ', availability load' : ''}${run.pollMs !== config.pollMs ? `, WORKER_POLL_MS=${run.pollMs}` : ''}`;
  // The backlog: whatever notify.% job is due now is set aside; one fresh confirmation job per bench booking.
  let db = await engine.open();
  const since = (await db.query<{ t: string }>(`SELECT now()::text AS t`))[0]?.t ?? '';
  await db.query(`UPDATE outbox SET status = 'cancelled' WHERE status = 'pending' AND topic LIKE 'notify.%' AND run_at <= now()`);
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO outbox (id, topic, booking_id, payload, run_at)
     SELECT gen_random_uuid(), 'notify.booking_confirmed', id, '{}'::jsonb, now() FROM bookings
      WHERE customer_email LIKE 'notify%@exemple.fr' AND status = 'confirmed' ORDER BY starts_at LIMIT $1
     RETURNING id`,
    [run.jobs],
  );
  const expected = inserted.length;
  const doneBefore = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE status = 'done'`))[0]?.n ?? 0;
  // PGlite's drain is seen through the admin API, which counts done jobs of every topic: the
  // other jobs already due (the backlog bookings' calendar jobs, the first time) are waited for too.
  const otherDue = (
    await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending' AND topic NOT LIKE 'notify.%' AND run_at <= now()`)
  )[0]?.n ?? 0;
  await db.close();

  const smtp = run.sink === 'smtp' ? await startSmtp() : undefined;
  const env: Record<string, string> = { WORKER_POLL_MS: String(run.pollMs) };
  for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined) env[k] = v;
  if (smtp) env.SMTP_URL = smtp.url;
  const server = await startServer({ ...engine.server, label: `${engine.server.label}-drain`, env });
  const readyAt = performance.now();
  const cpuBefore = cpuSecondsOf(server.pid) ?? 0;
  const pids = await engine.backendPids();
  const dbBefore = new Map(pids.map((p) => [p, cpuSecondsOf(p) ?? 0]));
  let timedOut = false;
  let wallSeconds = NaN;
  let availability: Measured | undefined;
  let serverCpu = 0;
  let dbCpu: number | undefined;
  try {
    // PostgreSQL: polled in the database, every 100 ms, until no notify.% job is pending and due
    // (a claimed job stays pending until it is marked). PGlite has a single owner, the server:
    // polled through the admin API every 250 ms, until the outbox counts every backlog job done.
    const poller = engine.kind === 'postgres' ? await engine.open() : undefined;
    const drained = (async () => {
      for (;;) {
        if (poller) {
          const due = await poller.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM outbox WHERE status = 'pending' AND topic LIKE 'notify.%' AND run_at <= now()`,
          );
          if (due[0]?.n === 0) return;
        } else {
          const page = await getJson<{ total: number }>(`${server.url}/api/admin/outbox?status=done&limit=1`, auth).catch(() => undefined);
          if (page && page.status === 200 && page.body.total >= doneBefore + expected + otherDue) return;
        }
        if (performance.now() - readyAt > DRAIN_TIMEOUT_MS) {
          timedOut = true;
          return;
        }
        await sleep(poller ? 100 : 250);
      }
    })().finally(() => poller?.close());
    const path = `/api/availability?serviceId=diag&date=${config.availabilityDate}`;
    if (run.underLoad) {
      availability = await measure(engine, server, { url: server.url, path, connections, duration: DRAIN_TIMEOUT_MS / 1000, until: drained });
    }
    await drained;
    wallSeconds = (performance.now() - readyAt) / 1000;
    serverCpu = (cpuSecondsOf(server.pid) ?? 0) - cpuBefore;
    if (engine.kind === 'postgres') {
      dbCpu = 0;
      for (const pid of new Set([...pids, ...(await engine.backendPids())])) dbCpu += (cpuSecondsOf(pid) ?? dbBefore.get(pid) ?? 0) - (dbBefore.get(pid) ?? 0);
    }
    if (run.underLoad) {
      // The same route on the same server once the worker is idle (still polling every pollMs).
      await sleep(500);
      report.availabilityIdle = await measure(engine, server, { url: server.url, path, connections, duration });
    }
  } finally {
    await server.stop();
    await smtp?.stop();
  }
  db = await engine.open();
  const sent = (
    await db.query<{ n: number; first: number | null; last: number | null }>(
      `SELECT count(*)::int AS n, (extract(epoch FROM min(sent_at)) * 1000)::float8 AS first, (extract(epoch FROM max(sent_at)) * 1000)::float8 AS last
         FROM notification_deliveries WHERE sent_at >= $1::timestamptz`,
      [since],
    )
  )[0];
  const leftDue =
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending' AND topic LIKE 'notify.%' AND run_at <= now()`))[0]?.n ?? -1;
  const dead = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE status = 'dead' AND created_at >= $1::timestamptz`, [since]))[0]?.n ?? -1;
  await db.close();
  const messages = sent?.n ?? 0;
  const span = sent?.first != null && sent.last != null ? (sent.last - sent.first) / 1000 : NaN;
  const result: Drain = {
    label,
    pollMs: run.pollMs,
    sink: run.sink,
    underLoad: run.underLoad,
    jobs: expected,
    messages,
    smtpReceived: smtp?.received.length,
    wallSeconds,
    sendSpanSeconds: span,
    serverCpuMsPerMessage: (serverCpu * 1000) / Math.max(1, messages),
    dbCpuMsPerMessage: dbCpu === undefined ? undefined : (dbCpu * 1000) / Math.max(1, messages),
    leftDue,
    dead,
    timedOut,
    availability,
  };
  log(
    `drain (${label}${run.pollMs === config.pollMs ? `, WORKER_POLL_MS=${run.pollMs}` : ''}): ${expected} jobs, ${messages} messages` +
      (smtp ? ` (${smtp.received.length} received by SMTP)` : '') +
      ` in ${fmt(wallSeconds, 2)} s from ready${timedOut ? ' (TIMED OUT)' : ''}; send span ${fmt(span, 2)} s = ${fmt(messages / span, 1)} msgs/s, ` +
      `${fmt(expected / span, 1)} jobs/s; server CPU ${fmt(result.serverCpuMsPerMessage, 2)} ms/msg` +
      (dbCpu === undefined ? '' : `, PG ${fmt(result.dbCpuMsPerMessage, 2)} ms/msg`) +
      `; due notify jobs left ${leftDue}, dead ${dead}` +
      (availability ? `; availability meanwhile ${fmt(availability.rps, 0)} req/s p50 ${fmt(availability.p50, 2)} ms p99 ${fmt(availability.p99, 2)} ms` : '') +
      (report.availabilityIdle && run.underLoad
        ? `; availability idle after ${fmt(report.availabilityIdle.rps, 0)} req/s p50 ${fmt(report.availabilityIdle.p50, 2)} ms p99 ${fmt(report.availabilityIdle.p99, 2)} ms`
        : ''),
  );
  return result;
}

/** The markdown tables of the scenario, for all engines. */
export function adminNotifySummary(reports: AdminNotifyReport[], config: Pick<AdminNotifyConfig, 'duration' | 'warmup' | 'connections' | 'pollMs'>): string {
  const out: string[] = [];
  const withRoutes = reports.filter((r) => r.routes.length > 0);
  if (withRoutes.length > 0) {
    out.push(
      `## Back office routes (API token; ${config.connections} connections, ${config.duration} s each, after ${config.warmup} s warm-up)`,
      '',
      table(
        ['database', 'route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/errors', 'server CPU ms/req', 'PG backends CPU ms/req', 'req/s vs public availability', 'p99 vs public availability'],
        withRoutes.flatMap((r) => {
          const pub = r.routes.find((x) => x.route === 'public availability')?.m;
          return r.routes.map(({ route, m }) => [
            ...routeCells(r.engine, route, m),
            pub ? fmt(m.rps / pub.rps, 2) : 'n/a',
            pub ? fmt(m.p99 / pub.p99, 2) : 'n/a',
          ]);
        }),
      ),
      '',
      table(
        ['database', 'admin availability / public availability (req/s)', 'admin me / health (req/s: the token check)', 'bookings list / public availability', 'booking detail / public availability'],
        withRoutes.map((r) => {
          const rps = (name: AdminRoute): number => r.routes.find((x) => x.route === name)?.m.rps ?? NaN;
          return [
            r.engine,
            fmt(rps('admin availability') / rps('public availability'), 2),
            fmt(rps('admin me (auth only)') / rps('health'), 2),
            fmt(rps('admin bookings list') / rps('public availability'), 2),
            fmt(rps('admin booking detail') / rps('public availability'), 2),
          ];
        }),
      ),
      '',
    );
  }
  const withAgenda = reports.filter((r) => r.agenda);
  if (withAgenda.length > 0) {
    out.push(
      `## Week agenda vs health (API token; ${config.connections} connections, ${config.duration} s each, after ${config.warmup} s warm-up; goal ≥ 0.5×)`,
      '',
      table(
        ['database', 'week', 'bookings in the week', 'route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/errors', 'server CPU ms/req', 'req/s vs health'],
        withAgenda.flatMap((r) => {
          const a = r.agenda!;
          const health = a.routes.find((x) => x.route === 'health')?.m;
          return a.routes.map(({ route, m }) => [
            r.engine, a.week, String(a.bookings), route, fmt(m.rps, 0), fmt(m.p50, 2), fmt(m.p99, 2), String(m.failures), fmt(m.serverCpuMsPerReq, 3),
            health ? fmt(m.rps / health.rps, 2) : 'n/a',
          ]);
        }),
      ),
      '',
    );
  }
  const withLogin = reports.filter((r) => r.login);
  if (withLogin.length > 0) {
    out.push(
      `## Login (argon2id): cost, and a login flood (wrong password, ${config.connections} connections, RATE_LIMIT_LOGIN_PER_MINUTE=100000)`,
      '',
      table(
        ['database', `one login, serial (${LOGIN_SERIAL}, right password) p50 / p99 ms`, 'server CPU ms per login (serial)', 'flood logins/s', 'flood p50 / p99 ms', 'flood server CPU % (ms per login)', 'flood machine CPU % (of 200)'],
        withLogin.map((r) => {
          const l = r.login!;
          return [
            r.engine,
            `${fmt(l.serial.p50, 1)} / ${fmt(l.serial.p99, 1)}`,
            fmt(l.serial.serverCpuMsPerReq, 1),
            fmt(l.flood.rps, 1),
            `${fmt(l.flood.p50, 1)} / ${fmt(l.flood.p99, 1)}`,
            `${fmt(l.flood.serverCpuPct, 0)} (${fmt(l.flood.serverCpuMsPerReq, 1)})`,
            fmt(l.flood.machineCpuPct, 0),
          ];
        }),
      ),
      '',
      table(
        ['database', 'probe (1 connection, own process)', 'alone p50 / p99 / max ms', 'alone req/s', 'during logins p50 / p99 / max ms', 'during logins req/s', 'p99 during / alone', 'logins/s meanwhile', 'server loop busy % alone / during'],
        withLogin.flatMap((r) =>
          r.login!.probes.map((p) => [
            r.engine,
            p.route,
            `${fmt(p.alone.p50, 2)} / ${fmt(p.alone.p99, 2)} / ${fmt(p.alone.max, 1)}`,
            fmt(p.alone.rps, 0),
            `${fmt(p.during.p50, 2)} / ${fmt(p.during.p99, 2)} / ${fmt(p.during.max, 1)}`,
            fmt(p.during.rps, 0),
            fmt(p.during.p99 / p.alone.p99, 1),
            fmt(p.floodMeanwhile.rps, 1),
            `${fmt(p.loopAlone.utilization * 100, 0)} / ${fmt(p.loopDuring.utilization * 100, 0)}`,
          ]),
        ),
      ),
      '',
    );
  }
  const withDrains = reports.filter((r) => r.drains.length > 0);
  if (withDrains.length > 0) {
    out.push(
      `## Notification drain (one notify.booking_confirmed job per bench booking: customer + artisan e-mails; WORKER_POLL_MS=${config.pollMs} unless said, batch 10)`,
      '',
      table(
        ['database', 'sink', 'bookings created by POST (req/s; + 10 warm-up)', 'jobs', 'messages', 'ready → drained s', 'send span s', 'msgs/s', 'jobs/s', 'server CPU ms/msg', 'PG CPU ms/msg', 'due left / dead'],
        withDrains.flatMap((r) =>
          r.drains.map((d) => [
            r.engine,
            d.label + (d.smtpReceived !== undefined ? ` (${d.smtpReceived} received)` : ''),
            r.creation ? `${r.creation.created}/${r.creation.requested} (${fmt(r.creation.result.rps, 0)})` : 'n/a',
            String(d.jobs),
            String(d.messages),
            `${fmt(d.wallSeconds, 2)}${d.timedOut ? ' (timed out)' : ''}`,
            fmt(d.sendSpanSeconds, 2),
            fmt(d.messages / d.sendSpanSeconds, 1),
            fmt(d.jobs / d.sendSpanSeconds, 1),
            d.underLoad ? 'n/a (under load)' : fmt(d.serverCpuMsPerMessage, 2),
            d.underLoad ? 'n/a' : fmt(d.dbCpuMsPerMessage, 2),
            `${d.leftDue} / ${d.dead}`,
          ]),
        ),
      ),
      '',
      table(
        ['database', `public availability (${config.connections} conn.) while draining: req/s, p50 / p99 ms`, 'idle, after: req/s, p50 / p99 ms', 'p99 draining / idle', 'req/s draining / idle', 'drain s under load / without'],
        withDrains.map((r) => {
          const loaded = r.drains.find((d) => d.underLoad);
          const quiet = r.drains.find((d) => !d.underLoad && d.sink === 'mailbox' && d.pollMs === config.pollMs);
          const a = loaded?.availability;
          const i = r.availabilityIdle;
          return [
            r.engine,
            a ? `${fmt(a.rps, 0)}, ${fmt(a.p50, 2)} / ${fmt(a.p99, 2)} (${fmt(a.seconds, 1)} s)` : 'n/a',
            i ? `${fmt(i.rps, 0)}, ${fmt(i.p50, 2)} / ${fmt(i.p99, 2)}` : 'n/a',
            a && i ? fmt(a.p99 / i.p99, 2) : 'n/a',
            a && i ? fmt(a.rps / i.rps, 2) : 'n/a',
            loaded && quiet ? `${fmt(loaded.sendSpanSeconds, 2)} / ${fmt(quiet.sendSpanSeconds, 2)}` : 'n/a',
          ];
        }),
      ),
      '',
    );
  }
  return out.join('\n');
}
