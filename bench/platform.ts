/**
 * `npm run bench -- platform` (or BENCH_SCENARIOS=platform): many businesses on one instance
 * (issue 19, "What must be shown"), on a dataset generated in SQL (bench/platform-dataset.ts):
 * 10,000 businesses and 2,000,000 bookings on PostgreSQL, 100 businesses and 20,000 bookings
 * on PGlite (worker thread). Steps (BENCH_PLATFORM_STEPS, default all):
 *  - reads: services and availability of random businesses, uniform and Zipf (s = 1.1), against
 *    GET /api/health, at BENCH_CONNECTIONS;
 *  - creation: POST /{slug}/api/bookings across random businesses (each on a free slot of its
 *    own) against the one-INSERT route of bench/creation.ts, rounds alternating;
 *  - isolation: another business's booking code (and manage link) vs a made-up one, on the
 *    lookup and manage routes under a business's address: status, body, latency;
 *  - rss (PostgreSQL): a fresh instance serves the booking page and a day's availability of
 *    BENCH_PLATFORM_RSS_BUSINESSES distinct businesses (default 100,000: the dataset is grown
 *    with businesses without bookings for this step); its resident memory before, during, after;
 *  - upgrade: the same volume built in the previous release's schema (migrations up to 0028 and
 *    test/fixtures/schema-0028's functions), then the service's migrate() timed to the current one.
 * Databases: `bench_platform` and `bench_platform_upgrade` (BENCH_PLATFORM_DB and BENCH_PLATFORM_DB_upgrade) on BENCH_DATABASE_URL's server,
 * dropped at the end unless BENCH_PLATFORM_KEEP=1 (which also reuses a kept database's dataset); PGlite in temporary directories. Sizes: BENCH_PLATFORM_BUSINESSES (10000),
 * BENCH_PLATFORM_PGLITE_BUSINESSES (100), BENCH_PLATFORM_BOOKINGS (per business, 200),
 * BENCH_PLATFORM_RSS_BUSINESSES (100000), BENCH_PLATFORM_ISOLATION_REQUESTS (pairs, 1500);
 * BENCH_CREATION_CONNECTIONS (20) and BENCH_CREATION_ROUNDS (3) as in bench/creation.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Database } from '../src/adapters/db/database.ts';
import { loadFunctions, loadMigrations, migrate } from '../src/adapters/db/migrate.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { manageLinkSecret } from '../src/adapters/security/secret-box.ts';
import { signManageToken } from '../src/domain/manage-token.ts';
import { BENCH_SECRETS_KEY, mulberry32, openWeekdayAhead } from './dataset.ts';
import { percentile, runLoad, type LoadOptions, type LoadResult } from './load.ts';
import { generatePlatform, PLATFORM_EMAIL_DOMAIN, slugOfBusiness, weeksOfBookings } from './platform-dataset.ts';
import { cpuSecondsNamed, cpuSecondsOf, machineCpu, memoryOf } from './proc.ts';
import { fmt, statusList, table } from './report.ts';
import { sleep, startServer, type ServerHandle, type ServerOptions } from './server.ts';

const OLD_FUNCTIONS = fileURLToPath(new URL('../test/fixtures/schema-0028/functions', import.meta.url));
const int = (name: string, fallback: number): number => {
  const n = Math.round(Number(process.env[name] || fallback));
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
};
const PER_BUSINESS = int('BENCH_PLATFORM_BOOKINGS', 200);
const PG_BUSINESSES = int('BENCH_PLATFORM_BUSINESSES', 10_000);
const PGLITE_BUSINESSES = int('BENCH_PLATFORM_PGLITE_BUSINESSES', 100);
const RSS_BUSINESSES = int('BENCH_PLATFORM_RSS_BUSINESSES', 100_000);
const CREATION_CONNECTIONS = int('BENCH_CREATION_CONNECTIONS', 20);
const CREATION_ROUNDS = Math.max(1, int('BENCH_CREATION_ROUNDS', 3));
const CREATION_REQUESTS = 400;
const ISOLATION_PAIRS = int('BENCH_PLATFORM_ISOLATION_REQUESTS', 1_500);
const ZIPF_S = 1.1;
const ALL_STEPS = ['reads', 'creation', 'isolation', 'rss', 'upgrade'] as const;
type Step = (typeof ALL_STEPS)[number];
const STEPS = new Set((process.env.BENCH_PLATFORM_STEPS || ALL_STEPS.join(',')).split(',').map((s) => s.trim()));
for (const s of STEPS) if (!ALL_STEPS.includes(s as Step)) throw new Error(`BENCH_PLATFORM_STEPS: unknown step "${s}" (${ALL_STEPS.join(', ')})`);

export interface PlatformConfig {
  adminUrl: string;
  only: string | undefined;
  duration: number;
  warmup: number;
  connections: number;
  log: (text?: string) => void;
}

/** Business numbers 1..n drawn uniformly, or by Zipf's law (rank r has weight 1/r^s) over a shuffled ranking. */
export function businessPicker(n: number, kind: 'uniform' | 'zipf', seed: number): () => number {
  const rand = mulberry32(seed);
  if (kind === 'uniform') return () => 1 + Math.floor(rand() * n);
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) cumulative[r] = total += 1 / Math.pow(r + 1, ZIPF_S);
  const ranking = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [ranking[i], ranking[j]] = [ranking[j]!, ranking[i]!];
  }
  return () => {
    const x = rand() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return ranking[lo]!;
  };
}

interface EngineSetup {
  name: string;
  kind: 'pglite' | 'postgres';
  businesses: number;
  server: ServerOptions;
  open(): Promise<Database>;
  analyze: boolean;
  /** The database already holds the dataset (BENCH_PLATFORM_KEEP): no first start, no generation. */
  reuse?: boolean;
}

interface Costed extends LoadResult {
  serverMsPerReq: number;
  /** CPU of the machine's PostgreSQL processes (0 on PGlite, whose engine is in the server's process). */
  databaseMsPerReq: number;
  /** CPU of the whole machine (both cores: server, database, the load generator, anything else). */
  machineMsPerReq: number;
}

async function costed(server: ServerHandle, options: LoadOptions): Promise<Costed> {
  const before = cpuSecondsOf(server.pid) ?? 0;
  const databaseBefore = cpuSecondsNamed('postgres');
  const machineBefore = machineCpu();
  const result = await runLoad(options);
  const machineAfter = machineCpu();
  const perReq = (seconds: number) => (seconds * 1000) / Math.max(1, result.requests);
  return {
    ...result,
    serverMsPerReq: perReq((cpuSecondsOf(server.pid) ?? 0) - before),
    databaseMsPerReq: perReq(cpuSecondsNamed('postgres') - databaseBefore),
    // /proc/stat counts jiffies (USER_HZ = 100 per second) summed over the CPUs.
    machineMsPerReq: perReq((machineAfter.busy - machineBefore.busy) / 100),
  };
}

/** A booking another business holds, to try under a business's address. */
interface Sample {
  business: number;
  code: string;
  email: string;
  id: string;
}

export interface PlatformEngineReport {
  engine: string;
  businesses: number;
  bookings: number;
  generateSeconds: number;
  reads?: Record<string, Costed>;
  creation?: { rounds: CreationRound[]; ratio: number; ratioNoDeposit: number };
  isolation?: IsolationRow[];
  rss?: RssReport;
  upgrade?: { seconds: number; migrations: number; bookings: number; generateSeconds: number };
}

interface IsolationRow {
  route: string;
  other: Latencies;
  madeUp: Latencies;
  sameAnswer: boolean;
  medianDiff: number;
  ci: [number, number];
}

interface Latencies {
  n: number;
  p50: number;
  p95: number;
  statuses: Record<string, number>;
}

interface RssReport {
  businesses: number;
  requests: number;
  seconds: number;
  statuses: Record<string, number>;
  before: number;
  peakDuring: number;
  after: number;
  afterIdle: number;
  hwm: number;
}

export async function runPlatformBench(config: PlatformConfig): Promise<PlatformEngineReport[]> {
  const { log } = config;
  log(`\n## Platform: many businesses on one instance (issue 19); steps ${[...STEPS].join(', ')}\n`);
  const reports: PlatformEngineReport[] = [];
  if (!config.only || config.only === 'pglite') {
    const dir = mkdtempSync(join(os.tmpdir(), 'artisanconnect-platform-'));
    try {
      reports.push(
        await runEngine(config, {
          name: 'PGlite (worker thread)',
          kind: 'pglite',
          businesses: PGLITE_BUSINESSES,
          server: { dataDir: dir, label: 'platform-pglite', env: { PGLITE_THREAD: 'worker' } },
          open: () => openPglite(dir),
          analyze: false,
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!config.only || config.only === 'postgres') {
    const admin = new pg.Client({ connectionString: config.adminUrl, connectionTimeoutMillis: 3_000 });
    await admin.connect();
    // Its own name per run (BENCH_PLATFORM_DB), so that a run of the upgrade step alone beside a
    // run of the other steps does not drop the other's database.
    const name = process.env.BENCH_PLATFORM_DB || 'bench_platform';
    // BENCH_PLATFORM_KEEP=1 keeps the database at the end and, when it is already there, reuses its
    // dataset instead of generating it again (for repeated read runs: the creation step books the
    // slots it uses, so a second creation step on a kept database meets them taken).
    const keep = process.env.BENCH_PLATFORM_KEEP === '1';
    const reuse = keep && ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
    if (!reuse) {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
    }
    try {
      const url = new URL(config.adminUrl);
      url.pathname = `/${name}`;
      reports.push(
        await runEngine(config, {
          name: 'PostgreSQL',
          kind: 'postgres',
          businesses: PG_BUSINESSES,
          server: { databaseUrl: url.toString(), label: 'platform-postgres' },
          open: () => openPostgres(url.toString(), { queryTimeoutMs: 3_600_000 }),
          analyze: true,
          reuse,
        }),
      );
    } finally {
      if (!keep) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }
  log('');
  log(summary(reports));
  return reports;
}

async function runEngine(config: PlatformConfig, engine: EngineSetup): Promise<PlatformEngineReport> {
  const { log } = config;
  log(`\n### ${engine.name}: ${engine.businesses} businesses, ${PER_BUSINESS} bookings each\n`);
  const report: PlatformEngineReport = { engine: engine.name, businesses: engine.businesses, bookings: 0, generateSeconds: 0 };
  const wantsServer = STEPS.has('reads') || STEPS.has('creation') || STEPS.has('isolation') || (STEPS.has('rss') && engine.kind === 'postgres');
  if (wantsServer) {
    let db: Database;
    if (engine.reuse) {
      db = await engine.open();
      const kept = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings'))[0]?.n ?? 0;
      report.bookings = kept;
      log(`kept database (BENCH_PLATFORM_KEEP): ${kept} bookings, not generated again`);
    } else {
      const first = await startServer(engine.server);
      log(`first start (migrate + seed): ready in ${fmt(first.readySeconds, 2)} s`);
      await first.stop();
      db = await engine.open();
      const generated = await generatePlatform(db, {
        first: 1,
        last: engine.businesses,
        bookingsPerBusiness: PER_BUSINESS,
        log: (t) => log(`  ${t}`),
      });
      if (engine.analyze) await db.query('ANALYZE');
      report.bookings = generated.bookings;
      report.generateSeconds = generated.seconds;
      log(
        `generated in SQL: ${generated.businesses} businesses, ${generated.bookings} bookings, ${generated.busyBlocks} booking busy blocks ` +
          `in ${fmt(generated.seconds, 1)} s${engine.analyze ? ' (then ANALYZE)' : ''}`,
      );
    }
    const samples = await db.query<Sample>(
      `SELECT split_part(split_part(a.email, '@', 1), 'pro', 2)::int AS business, b.public_code AS code, b.customer_email AS email, b.id
         FROM bookings b JOIN artisans a ON a.id = b.artisan_id
        WHERE a.email LIKE '%@${PLATFORM_EMAIL_DOMAIN}' AND b.starts_at > now()
        ORDER BY md5(b.id::text) LIMIT 300`,
    );
    await db.close();

    if (STEPS.has('reads') || STEPS.has('creation') || STEPS.has('isolation')) {
      const server = await startServer({ ...engine.server, env: { ...engine.server.env, BENCH_INSERT_ROUTE: '1' } });
      try {
        log(`restart: ready in ${fmt(server.readySeconds, 2)} s (pid ${server.pid})`);
        if (STEPS.has('reads')) report.reads = await reads(config, server, engine.businesses);
        if (STEPS.has('creation')) report.creation = await creation(config, server, engine.businesses);
        if (STEPS.has('isolation')) report.isolation = await isolation(config, server, engine.businesses, samples);
      } finally {
        await server.stop();
      }
    }
    if (STEPS.has('rss') && engine.kind === 'postgres') {
      db = await engine.open();
      const grown = await generatePlatform(db, { first: engine.businesses + 1, last: Math.max(engine.businesses, RSS_BUSINESSES), bookingsPerBusiness: 0 });
      if (engine.analyze) await db.query('ANALYZE artisans; ANALYZE services; ANALYZE schedule_rules');
      await db.close();
      log(`rss: ${grown.businesses} more businesses (no bookings) in ${fmt(grown.seconds, 1)} s`);
      report.rss = await rss(config, engine.server, RSS_BUSINESSES);
    }
  }
  if (STEPS.has('upgrade')) report.upgrade = await upgrade(config, engine);
  return report;
}

/** The open weekdays the bookings cover from tomorrow on: the dates the availability reads ask for. */
function readDates(): string[] {
  const out: string[] = [];
  for (let d = 1; out.length < 10; d++) {
    const day = openWeekdayAhead(d).toString();
    if (!out.includes(day)) out.push(day);
  }
  return out;
}

async function reads(config: PlatformConfig, server: ServerHandle, businesses: number): Promise<Record<string, Costed>> {
  const { log, connections, duration, warmup } = config;
  const dates = readDates();
  const dateRand = mulberry32(7);
  const routes: Record<string, () => string> = {};
  const pathsFor = (kind: 'uniform' | 'zipf', seed: number) => {
    const pick = businessPicker(businesses, kind, seed);
    return {
      services: () => `/${slugOfBusiness(pick())}/api/services`,
      availability: () => `/${slugOfBusiness(pick())}/api/availability?serviceId=diag&date=${dates[Math.floor(dateRand() * dates.length)]}`,
    };
  };
  const uniform = pathsFor('uniform', 11);
  const zipf = pathsFor('zipf', 13);
  routes['health'] = () => '/api/health';
  routes['services, uniform'] = uniform.services;
  routes['services, Zipf'] = zipf.services;
  routes['availability, uniform'] = uniform.availability;
  routes['availability, Zipf'] = zipf.availability;
  for (const path of Object.values(routes)) await runLoad({ url: server.url, path: '/', pathFor: () => path(), connections, duration: warmup });
  const out: Record<string, Costed> = {};
  const order = ['health', 'services, uniform', 'services, Zipf', 'availability, uniform', 'availability, Zipf', 'health again'];
  for (const route of order) {
    const path = routes[route === 'health again' ? 'health' : route]!;
    const r = await costed(server, { url: server.url, path: '/', pathFor: () => path(), connections, duration });
    out[route] = r;
    log(
      `${route.padEnd(22)} ${fmt(r.rps, 0).padStart(6)} req/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  [${statusList(r.statuses)}]  ` +
        `CPU ms/req: server ${fmt(r.serverMsPerReq, 3)}, PostgreSQL ${fmt(r.databaseMsPerReq, 3)}, machine ${fmt(r.machineMsPerReq, 3)}; load ${os.loadavg()[0]!.toFixed(2)}`,
    );
  }
  return out;
}

/** Open weekdays after the generated bookings and within the booking horizon, on the 30-minute grid of the opening hours. */
function creationSlots(): { date: string; time: string }[] {
  const { ahead } = weeksOfBookings(PER_BUSINESS);
  const times = [...Array.from({ length: 7 }, (_, i) => 510 + 30 * i), ...Array.from({ length: 10 }, (_, i) => 780 + 30 * i)].map(
    (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`,
  );
  const out: { date: string; time: string }[] = [];
  const seen = new Set<string>();
  for (let d = (ahead + 1) * 7; d <= 85; d++) {
    const day = openWeekdayAhead(d).toString();
    if (seen.has(day)) continue;
    seen.add(day);
    for (const time of times) out.push({ date: day, time });
  }
  return out;
}

/** One round: bookings with a deposit (diag), without (devis), and the one-INSERT route, in that order. */
interface CreationRound {
  creation: Costed;
  noDeposit: Costed;
  insert: Costed;
}

async function creation(
  config: PlatformConfig,
  server: ServerHandle,
  businesses: number,
): Promise<{ rounds: CreationRound[]; ratio: number; ratioNoDeposit: number }> {
  const { log } = config;
  const slots = creationSlots();
  const pick = businessPicker(businesses, 'uniform', 17);
  const taken = new Map<number, number>();
  let sent = 0;
  /** The next request's business and body: a random business, on its next free slot. */
  const next = (serviceId: 'diag' | 'devis'): { path: string; body: string } => {
    const business = pick();
    const j = taken.get(business) ?? 0;
    taken.set(business, j + 1);
    const slot = slots[j % slots.length]!;
    const i = sent++;
    return {
      path: `/${slugOfBusiness(business)}/api/bookings`,
      body: JSON.stringify({
        serviceId,
        date: slot.date,
        time: slot.time,
        customer: { name: `Client Plateforme ${i}`, email: `plateforme${i}@exemple.fr`, phone: '06 12 34 56 78' },
        paymentMethodId: 'pm_card_visa',
      }),
    };
  };
  // diag takes a deposit (two commits: the hold, then the outcome after the provider's answer);
  // devis is free (the hold and its confirmation in one commit).
  const create = (amount: number, serviceId: 'diag' | 'devis' = 'diag') => {
    const requests = Array.from({ length: amount }, () => next(serviceId));
    return costed(server, {
      url: server.url,
      path: '/',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      connections: CREATION_CONNECTIONS,
      amount,
      pathFor: (i) => requests[i]!.path,
      body: (i) => requests[i]!.body,
    });
  };
  const insert = () =>
    costed(server, {
      url: server.url,
      path: '/bench/insert',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      connections: CREATION_CONNECTIONS,
      amount: CREATION_REQUESTS,
      body: () => '{}',
    });
  await create(100);
  await create(100, 'devis');
  await insert();
  const rounds: CreationRound[] = [];
  for (let r = 0; r < CREATION_ROUNDS; r++) {
    const c = await create(CREATION_REQUESTS);
    const f = await create(CREATION_REQUESTS, 'devis');
    const b = await insert();
    rounds.push({ creation: c, noDeposit: f, insert: b });
    log(
      `creation round ${r + 1}: with a deposit ${fmt(c.rps, 0)} req/s p50 ${fmt(c.p50, 2)} ms p99 ${fmt(c.p99, 2)} ms [${statusList(c.statuses)}] CPU ${fmt(c.serverMsPerReq, 2)} ms/req; ` +
        `without ${fmt(f.rps, 0)} req/s p50 ${fmt(f.p50, 2)} ms p99 ${fmt(f.p99, 2)} ms [${statusList(f.statuses)}] CPU ${fmt(f.serverMsPerReq, 2)} ms/req; ` +
        `one INSERT ${fmt(b.rps, 0)} req/s p99 ${fmt(b.p99, 2)} ms [${statusList(b.statuses)}] CPU ${fmt(b.serverMsPerReq, 2)} ms/req; ` +
        `ratios ${fmt(c.rps / b.rps, 2)} / ${fmt(f.rps / b.rps, 2)}; load ${os.loadavg()[0]!.toFixed(2)}`,
    );
  }
  const rate = (xs: LoadResult[]) => xs.reduce((n, x) => n + x.requests, 0) / xs.reduce((s, x) => s + x.seconds, 0);
  const insertRate = rate(rounds.map((x) => x.insert));
  return { rounds, ratio: rate(rounds.map((x) => x.creation)) / insertRate, ratioNoDeposit: rate(rounds.map((x) => x.noDeposit)) / insertRate };
}

const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);

/** 95 % bootstrap interval of the difference of medians b − a. */
function bootstrapDiff(a: number[], b: number[], rand: () => number, resamples = 1_000): [number, number] {
  const draw = (xs: number[]) => Array.from({ length: xs.length }, () => xs[Math.floor(rand() * xs.length)]!);
  const diffs = Array.from({ length: resamples }, () => median(draw(b)) - median(draw(a))).sort((x, y) => x - y);
  return [percentile(diffs, 2.5), percentile(diffs, 97.5)];
}

async function isolation(config: PlatformConfig, server: ServerHandle, businesses: number, samples: Sample[]): Promise<IsolationRow[]> {
  const { log } = config;
  const rand = mulberry32(23);
  const secret = manageLinkSecret(BENCH_SECRETS_KEY);
  const expires = Date.now() + 30 * 86_400_000;
  const madeUpCode = () => `AC-Z${Array.from({ length: 5 }, () => 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'[Math.floor(rand() * 30)]).join('')}`;
  const target = (owner: number) => {
    let n = 1 + Math.floor(rand() * businesses);
    if (n === owner) n = (n % businesses) + 1;
    return slugOfBusiness(n);
  };
  const routes: { route: string; other: () => string; madeUp: () => string }[] = [
    {
      route: 'lookup (code + e-mail)',
      other: () => {
        const s = samples[Math.floor(rand() * samples.length)]!;
        return `/${target(s.business)}/api/bookings/public?code=${s.code}&email=${encodeURIComponent(s.email)}`;
      },
      madeUp: () => `/${target(0)}/api/bookings/public?code=${madeUpCode()}&email=${encodeURIComponent(`client${Math.floor(rand() * 1e6)}@exemple.fr`)}`,
    },
    {
      route: 'manage link',
      other: () => {
        const s = samples[Math.floor(rand() * samples.length)]!;
        return `/${target(s.business)}/api/bookings/manage?token=${signManageToken(s.id, expires, secret)}`;
      },
      madeUp: () => `/${target(0)}/api/bookings/manage?token=${signManageToken(randomUUID(), expires, secret)}`,
    },
  ];
  const rows: IsolationRow[] = [];
  for (const { route, other, madeUp } of routes) {
    const times = { other: [] as number[], madeUp: [] as number[] };
    const statuses = { other: {} as Record<string, number>, madeUp: {} as Record<string, number> };
    const bodies = new Set<string>();
    const one = async (kind: 'other' | 'madeUp', path: string, keep: boolean) => {
      const started = performance.now();
      const res = await fetch(`${server.url}${path}`);
      const body = await res.text();
      const ms = performance.now() - started;
      if (!keep) return;
      times[kind].push(ms);
      statuses[kind][res.status] = (statuses[kind][res.status] ?? 0) + 1;
      bodies.add(`${res.status} ${body}`);
    };
    // Serial, one connection, the two kinds interleaved in a random order pair by pair, so that
    // the machine's drift (other processes) falls on both alike.
    for (let i = 0; i < 200; i++) await one(i % 2 ? 'other' : 'madeUp', i % 2 ? other() : madeUp(), false);
    for (let i = 0; i < ISOLATION_PAIRS; i++) {
      const pair: ['other' | 'madeUp', string][] = [
        ['other', other()],
        ['madeUp', madeUp()],
      ];
      if (rand() < 0.5) pair.reverse();
      for (const [kind, path] of pair) await one(kind, path, true);
    }
    const lat = (xs: number[], s: Record<string, number>): Latencies => {
      const sorted = [...xs].sort((a, b) => a - b);
      return { n: xs.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), statuses: s };
    };
    const row: IsolationRow = {
      route,
      other: lat(times.other, statuses.other),
      madeUp: lat(times.madeUp, statuses.madeUp),
      sameAnswer: bodies.size === 1,
      medianDiff: median(times.other) - median(times.madeUp),
      ci: bootstrapDiff(times.madeUp, times.other, rand),
    };
    rows.push(row);
    log(
      `isolation, ${route}: another business's ${row.other.n}× p50 ${fmt(row.other.p50, 3)} p95 ${fmt(row.other.p95, 3)} ms [${statusList(row.other.statuses)}]; ` +
        `made up ${row.madeUp.n}× p50 ${fmt(row.madeUp.p50, 3)} p95 ${fmt(row.madeUp.p95, 3)} ms [${statusList(row.madeUp.statuses)}]; ` +
        `median difference ${fmt(row.medianDiff, 3)} ms (95 % CI ${fmt(row.ci[0], 3)} .. ${fmt(row.ci[1], 3)}); ` +
        `${row.sameAnswer ? 'one answer for all' : `${bodies.size} different answers: ${[...bodies].slice(0, 3).join(' | ')}`}`,
    );
  }
  return rows;
}

async function rss(config: PlatformConfig, options: ServerOptions, businesses: number): Promise<RssReport> {
  const { log, connections } = config;
  const server = await startServer({ ...options, label: `${options.label}-rss` });
  try {
    await sleep(2_000);
    const before = memoryOf(server.pid)?.rssMb ?? NaN;
    const date = readDates()[0]!;
    // For each business in turn, its booking page and the availability the page asks for (the
    // largest thing an instance keeps per business: a day context). Services too with
    // BENCH_PLATFORM_RSS_SERVICES=1 (half again as long).
    const kinds = ['', ...(process.env.BENCH_PLATFORM_RSS_SERVICES === '1' ? ['/api/services'] : []), `/api/availability?serviceId=diag&date=${date}`];
    let peakDuring = before;
    const sampler = setInterval(() => (peakDuring = Math.max(peakDuring, memoryOf(server.pid)?.rssMb ?? 0)), 500);
    const started = performance.now();
    const result = await runLoad({
      url: server.url,
      path: '/',
      pathFor: (i) => `/${slugOfBusiness(1 + (Math.floor(i / kinds.length) % businesses))}${kinds[i % kinds.length]}`,
      connections,
      amount: businesses * kinds.length,
    }).finally(() => clearInterval(sampler));
    const seconds = (performance.now() - started) / 1000;
    const after = memoryOf(server.pid);
    await sleep(10_000);
    const idle = memoryOf(server.pid);
    const report: RssReport = {
      businesses,
      requests: result.requests,
      seconds,
      statuses: result.statuses,
      before,
      peakDuring,
      after: after?.rssMb ?? NaN,
      afterIdle: idle?.rssMb ?? NaN,
      hwm: idle?.hwmMb ?? NaN,
    };
    log(
      `rss: ${result.requests} requests (${kinds.map((k) => k.split('?')[0] || 'page').join(', ')}) over ${businesses} distinct businesses in ${fmt(seconds, 0)} s ` +
        `(${fmt(result.rps, 0)} req/s, p99 ${fmt(result.p99, 2)} ms) [${statusList(result.statuses)}]; RSS before ${fmt(before, 0)} MiB, ` +
        `peak sampled ${fmt(peakDuring, 0)}, right after ${fmt(report.after, 0)}, 10 s later ${fmt(report.afterIdle, 0)}, VmHWM ${fmt(report.hwm, 0)} MiB`,
    );
    return report;
  } finally {
    await server.stop();
  }
}

async function upgrade(config: PlatformConfig, engine: EngineSetup): Promise<{ seconds: number; migrations: number; bookings: number; generateSeconds: number }> {
  const { log } = config;
  let db: Database;
  let cleanup: () => Promise<void>;
  if (engine.kind === 'pglite') {
    const dir = mkdtempSync(join(os.tmpdir(), 'artisanconnect-platform-upgrade-'));
    db = await openPglite(dir);
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const admin = new pg.Client({ connectionString: config.adminUrl, connectionTimeoutMillis: 3_000 });
    await admin.connect();
    const name = `${process.env.BENCH_PLATFORM_DB || 'bench_platform'}_upgrade`;
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(config.adminUrl);
    url.pathname = `/${name}`;
    db = await openPostgres(url.toString(), { queryTimeoutMs: 3_600_000, maintenanceTimeoutMs: 3_600_000 });
    cleanup = async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  }
  try {
    await migrate(db, loadMigrations().filter((m) => m.version <= 28), loadFunctions(OLD_FUNCTIONS));
    const generated = await generatePlatform(db, {
      first: 1,
      last: engine.businesses,
      bookingsPerBusiness: PER_BUSINESS,
      legacy: true,
      log: (t) => log(`  upgrade dataset: ${t}`),
    });
    if (engine.analyze) await db.query('ANALYZE');
    log(`upgrade: the previous release's schema (0028) with ${generated.bookings} bookings of ${generated.businesses} businesses, built in ${fmt(generated.seconds, 1)} s`);
    const started = performance.now();
    const result = await migrate(db);
    const seconds = (performance.now() - started) / 1000;
    const count = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings'))[0]?.n ?? -1;
    const migrations = result.versions.length;
    log(`upgrade: migrate() to the current schema in ${fmt(seconds, 1)} s (${migrations} migrations); ${count} bookings after`);
    return { seconds, migrations, bookings: count, generateSeconds: generated.seconds };
  } finally {
    await db.close();
    await cleanup();
  }
}

function summary(reports: PlatformEngineReport[]): string {
  const out: string[] = ['### Platform summary', ''];
  const withReads = reports.filter((r) => r.reads);
  if (withReads.length) {
    out.push(
      table(
        ['database', 'route', 'req/s', 'p50 ms', 'p99 ms', 'statuses', 'CPU ms/req: server / PostgreSQL / machine', 'ratio vs health (aim ≥ 0.8)', 'p99 < 20 ms'],
        withReads.flatMap((r) => {
          const reads = r.reads!;
          const health = (reads['health']!.rps + reads['health again']!.rps) / 2;
          return Object.entries(reads).map(([route, m]) => {
            const isHealth = route.startsWith('health');
            const ratio = m.rps / health;
            return [
              r.engine,
              route,
              fmt(m.rps, 0),
              fmt(m.p50, 2),
              fmt(m.p99, 2),
              statusList(m.statuses),
              `${fmt(m.serverMsPerReq, 3)} / ${fmt(m.databaseMsPerReq, 3)} / ${fmt(m.machineMsPerReq, 3)}`,
              isHealth ? '—' : `${fmt(ratio, 2)} (${ratio >= 0.8 ? 'met' : 'missed'})`,
              m.p99 < 20 ? 'yes' : 'no',
            ];
          });
        }),
      ),
      '',
    );
  }
  const withCreation = reports.filter((r) => r.creation);
  if (withCreation.length) {
    out.push(
      table(
        ['database', 'deposit', 'creation req/s (rounds)', 'one INSERT req/s (rounds)', 'creation p99 ms (worst)', 'server CPU ms/req', 'statuses', 'ratio (aim ≥ 0.5)'],
        withCreation.flatMap((r) => {
          const c = r.creation!;
          return (['creation', 'noDeposit'] as const).map((kind) => {
            const statuses: Record<string, number> = {};
            for (const x of c.rounds) for (const [k, v] of Object.entries(x[kind].statuses)) statuses[k] = (statuses[k] ?? 0) + v;
            const ratio = kind === 'creation' ? c.ratio : c.ratioNoDeposit;
            return [
              r.engine,
              kind === 'creation' ? 'yes (diag, 30 %)' : 'no (devis)',
              c.rounds.map((x) => fmt(x[kind].rps, 0)).join(' / '),
              c.rounds.map((x) => fmt(x.insert.rps, 0)).join(' / '),
              fmt(Math.max(...c.rounds.map((x) => x[kind].p99)), 2),
              c.rounds.map((x) => fmt(x[kind].serverMsPerReq, 2)).join(' / '),
              statusList(statuses),
              `${fmt(ratio, 2)} (${ratio >= 0.5 ? 'met' : 'missed'})`,
            ];
          });
        }),
      ),
      '',
    );
  }
  const withIsolation = reports.filter((r) => r.isolation);
  if (withIsolation.length) {
    out.push(
      table(
        ['database', 'route', "another business's: p50 / p95 ms", 'made up: p50 / p95 ms', 'statuses', 'same status and body', 'median difference ms (95 % CI)'],
        withIsolation.flatMap((r) =>
          r.isolation!.map((x) => [
            r.engine,
            x.route,
            `${fmt(x.other.p50, 3)} / ${fmt(x.other.p95, 3)}`,
            `${fmt(x.madeUp.p50, 3)} / ${fmt(x.madeUp.p95, 3)}`,
            `${statusList(x.other.statuses)} / ${statusList(x.madeUp.statuses)}`,
            x.sameAnswer ? 'yes' : 'no',
            `${fmt(x.medianDiff, 3)} (${fmt(x.ci[0], 3)} .. ${fmt(x.ci[1], 3)})`,
          ]),
        ),
      ),
      '',
    );
  }
  for (const r of reports) {
    if (r.rss) {
      const m = r.rss;
      out.push(
        `- ${r.engine}, memory: ${m.requests} requests over ${m.businesses} distinct businesses in ${fmt(m.seconds, 0)} s [${statusList(m.statuses)}]: ` +
          `RSS ${fmt(m.before, 0)} MiB before, ${fmt(m.peakDuring, 0)} peak sampled, ${fmt(m.after, 0)} after, ${fmt(m.afterIdle, 0)} 10 s later ` +
          `(VmHWM ${fmt(m.hwm, 0)}; aim < 400 MB: ${m.hwm * 1.048576 < 400 ? 'met' : 'missed'})`,
      );
    }
    if (r.upgrade) {
      out.push(
        `- ${r.engine}, upgrade from 0028: ${fmt(r.upgrade.seconds, 1)} s for ${r.upgrade.migrations} migrations on ${r.upgrade.bookings} bookings` +
          ` (dataset built in ${fmt(r.upgrade.generateSeconds, 1)} s)`,
      );
    }
  }
  return out.join('\n');
}
