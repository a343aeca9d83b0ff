import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/main.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { ENGINES, createTestLocation, dropTestLocation, resetBookings } from './helpers/db.ts';
import {
  exitWithin,
  freePort,
  http,
  killAllServiceProcesses,
  nextOpenWeekday,
  openWeekdayAhead,
  startServiceProcess,
  type ServiceProcess,
} from './helpers/process.ts';
import { TestClock, parisDate, startTestService, type TestService } from './helpers/service.ts';
import { gatedDatabase } from './helpers/gated-database.ts';

/**
 * Decisions §5: two concurrent requests for overlapping slots never both succeed, whatever
 * the number of processes; the database enforces it. Every request below targets 09:00 on
 * one day for diag (09:00–09:30), urgence (09:00–09:45) or entretien-chaudiere
 * (09:00–10:00): every pair overlaps, so exactly one may win.
 */

const REQUESTS = 50;
const SERVICES = ['diag', 'urgence', 'entretien-chaudiere'] as const;
const SLOT_UNAVAILABLE_BODY = {
  error: { code: 'SLOT_UNAVAILABLE', message: "Le créneau sélectionné n'est plus disponible. Merci de choisir un autre horaire." },
};
const ACTIVE_BOOKINGS_SQL = `SELECT count(*)::int AS n FROM bookings WHERE status IN ('pending_payment', 'confirmed', 'rescheduled')`;

function racingBody(i: number, date: string) {
  return {
    serviceId: SERVICES[i % SERVICES.length],
    date,
    time: '09:00',
    // The boiler service is a visit at home (address required): every body carries one.
    customer: { name: `Client ${i}`, email: `client${i}@example.com`, phone: '+33612345678', address: { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' } },
    notifications: { email: true, sms: false },
  };
}

function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

describe.each(ENGINES)('race in one process on %s: 50 concurrent bookings of overlapping slots', (engine) => {
  let t: TestService;
  // Run in afterAll (not in a finally) so that they also run after a test timed out.
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    t = await startTestService(engine);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await t?.close();
  });

  it('exactly one 201, 49 × 409 SLOT_UNAVAILABLE, one active booking in the database', async () => {
    const date = parisDate(t.clock, 2); // Wednesday 2027-03-03, an ordinary open day
    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => t.inject({ method: 'POST', url: '/api/bookings', payload: racingBody(i, date) })),
    );
    expect(tally(responses.map((r) => r.statusCode))).toEqual({ 201: 1, 409: REQUESTS - 1 });
    for (const r of responses.filter((x) => x.statusCode === 409)) expect(r.json()).toEqual(SLOT_UNAVAILABLE_BODY);
    const winner = responses.find((r) => r.statusCode === 201)!.json().booking;
    expect(winner).toMatchObject({ status: 'confirmed', date, time: '09:00', startDateTime: `${date}T09:00:00+01:00` });

    const [active] = await t.service.db.query<{ n: number }>(ACTIVE_BOOKINGS_SQL);
    expect(active!.n).toBe(1);
    const rows = await t.service.db.query<{ public_code: string; status: string }>(`SELECT public_code, status FROM bookings`);
    expect(rows).toEqual([{ public_code: winner.publicCode, status: 'confirmed' }]);
  });

  it('when all 50 pass the availability check before any write, the database alone keeps 49 out (no 500)', async () => {
    // In the storm above the winner usually commits before the others read the day, so
    // they lose at the availability check. Here every booking transaction is held until
    // all 50 requests have read the day as free and asked to write: only the database can
    // then refuse the 49 others. On a server the interleaving varies (the winner's
    // confirmation can meet losers' inserts: that once deadlocked into a 500), so it runs
    // several rounds.
    const rounds = engine === 'postgres' ? 10 : 1;
    const location = await createTestLocation(engine);
    cleanups.push(() => dropTestLocation(engine, location));
    // On a server, more connections than the default 10 let more inserts meet at once.
    const db = engine === 'postgres' ? await openPostgres(location, { maxConnections: 30 }) : await openPglite(location);
    cleanups.push(() => db.close());
    const gate = gatedDatabase(db);
    const clock = new TestClock();
    const service = await compose(
      // Every hold goes to the database: the in-process sharing would keep 49 of them in here.
      loadConfig({
        LOG_LEVEL: 'silent',
        RATE_LIMIT_CREATE_PER_MINUTE: '100000',
        RATE_LIMIT_READ_PER_MINUTE: '100000',
        // Ten rounds of 50 bookings of one business: above its own per-minute budget otherwise.
        RATE_LIMIT_BUSINESS_CREATE_PER_MINUTE: '100000',
        RATE_LIMIT_BUSINESS_READ_PER_MINUTE: '100000',
        BOOKING_SHARE_RACING_HOLDS: 'false',
      }),
      { db: gate.db, clock },
    );
    cleanups.push(() => service.close());
    cleanups.push(async () => gate.release()); // runs first: nothing stays blocked
    const date = parisDate(clock, 2);
    for (let round = 1; round <= rounds; round++) {
      await resetBookings(db);
      gate.arm();
      const inFlight = Promise.all(
        Array.from({ length: REQUESTS }, (_, i) =>
          service.app.inject({ method: 'POST', url: '/api/bookings', payload: racingBody(i, date) }),
        ),
      );
      // Released when the 50th request asks to write (the test times out if one never does).
      await gate.waitingReaches(REQUESTS);
      const waiting = gate.waiting();
      gate.release();
      const responses = await inFlight;
      expect(waiting, `round ${round}`).toBe(REQUESTS);
      const unexpected = responses.filter((r) => r.statusCode !== 201 && r.statusCode !== 409).map((r) => r.body);
      expect(tally(responses.map((r) => r.statusCode)), `round ${round}: ${unexpected.join(' ')}`).toEqual({ 201: 1, 409: REQUESTS - 1 });
      for (const r of responses.filter((x) => x.statusCode === 409)) expect(r.json()).toEqual(SLOT_UNAVAILABLE_BODY);
      const rows = await db.query<{ status: string }>(`SELECT status FROM bookings`);
      expect(rows, `round ${round}`).toEqual([{ status: 'confirmed' }]);
    }
  }, 90_000);
});

// PostgreSQL only: nothing is registered on a PGlite-only run (no skipped test).
describe.each(ENGINES.filter((e) => e === 'postgres'))('race across two server processes on %s', (engine) => {
  let url: string;
  let admin: pg.Client | undefined;
  const servers: ServiceProcess[] = [];
  // The child processes use the real clock: an open weekday ~10 days ahead is bookable.
  const date = openWeekdayAhead(10);

  beforeAll(async () => {
    url = await createTestLocation(engine); // migrated, not seeded: both processes race to seed it
    const env = {
      DATABASE_URL: url,
      SEED_DEMO: 'true', // a server database is seeded only on request (decisions §1)
      LOG_LEVEL: 'warn',
      RATE_LIMIT_CREATE_PER_MINUTE: '10000',
      RATE_LIMIT_READ_PER_MINUTE: '10000',
      RATE_LIMIT_MANAGE_PER_MINUTE: '10000',
      RATE_LIMIT_BUSINESS_CREATE_PER_MINUTE: '10000',
      RATE_LIMIT_BUSINESS_READ_PER_MINUTE: '10000',
      // Every hold goes to the database, as from many instances: the point is what it refuses.
      BOOKING_SHARE_RACING_HOLDS: 'false',
    };
    const ports = [await freePort(), await freePort()];
    while (ports[1] === ports[0]) ports[1] = await freePort();
    for (const port of ports) servers.push(startServiceProcess('node', env, port));
    await Promise.all(servers.map((s) => s.waitForHealth(60_000)));
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(
      servers.map(async (s) => {
        if (!s.running()) return;
        s.signalGroup('SIGTERM');
        await exitWithin(s, 10_000).catch(() => s.kill());
      }),
    );
    await killAllServiceProcesses();
    await admin?.end().catch(() => {});
    if (url) await dropTestLocation(engine, url);
  }, 60_000);

  it('both processes started together on one database: migrated and seeded once', async () => {
    const artisans = await admin!.query<{ n: number }>('SELECT count(*)::int AS n FROM artisans');
    expect(artisans.rows[0]!.n).toBe(1);
    for (const s of servers) {
      const services = await http(s.baseUrl, 'GET', '/api/services');
      expect(services.status).toBe(200);
      expect((services.body.services as { id: string }[]).map((x) => x.id)).toEqual(expect.arrayContaining([...SERVICES]));
    }
  });

  it('50 concurrent HTTP requests spread over both: exactly one 201, 49 × 409, one active booking', async () => {
    for (const service of SERVICES) {
      const day = await http(servers[0]!.baseUrl, 'GET', `/api/availability?serviceId=${service}&date=${date}`);
      expect(day.body.slots.find((s: { time: string }) => s.time === '09:00'), `${service} ${date}`).toMatchObject({ available: true });
    }

    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => http(servers[i % 2]!.baseUrl, 'POST', '/api/bookings', racingBody(i, date))),
    );
    expect(tally(responses.map((r) => r.status))).toEqual({ 201: 1, 409: REQUESTS - 1 });
    for (const r of responses.filter((x) => x.status === 409)) expect(r.body).toEqual(SLOT_UNAVAILABLE_BODY);
    const winner = responses.find((r) => r.status === 201)!.body.booking;
    expect(winner).toMatchObject({ status: 'confirmed', date, time: '09:00' });

    const active = await admin!.query<{ n: number }>(ACTIVE_BOOKINGS_SQL);
    expect(active.rows[0]!.n).toBe(1);
    const rows = await admin!.query(`SELECT public_code, status FROM bookings WHERE status <> 'payment_failed'`);
    expect(rows.rows).toEqual([{ public_code: winner.publicCode, status: 'confirmed' }]);

    // Both processes now report the slot taken, for every overlapping service.
    for (const s of servers) {
      for (const service of SERVICES) {
        const day = await http(s.baseUrl, 'GET', `/api/availability?serviceId=${service}&date=${date}`);
        expect(day.body.slots.find((x: { time: string }) => x.time === '09:00')).toMatchObject({ available: false });
      }
    }
  });

  it('the same race with every write held at the database until both processes have writers waiting: one 201, no 500', async () => {
    // An ordinary storm mostly loses at the availability read (the winner commits before
    // the others get there), which proves little about the database. Here a SHARE lock on
    // bookings lets every request read the day (slot free) and then blocks its write; once
    // both processes have writers waiting, the lock goes and the database alone must keep
    // all but one out (and without a deadlock turning anyone into a 500).
    const gatedDate = nextOpenWeekday(date); // a day nobody has booked yet
    const before = await http(servers[1]!.baseUrl, 'GET', `/api/availability?serviceId=urgence&date=${gatedDate}`);
    expect(before.body.slots.find((s: { time: string }) => s.time === '09:00')).toMatchObject({ available: true });
    await admin!.query('BEGIN');
    await admin!.query('LOCK TABLE bookings IN SHARE MODE');
    let waiting = 0;
    let responses: { status: number; body: any }[];
    try {
      const inFlight = Promise.all(
        Array.from({ length: REQUESTS }, (_, i) => http(servers[i % 2]!.baseUrl, 'POST', '/api/bookings', racingBody(i, gatedDate))),
      );
      // Each process has DATABASE_POOL_SIZE (10) connections, so at most 20 writers can wait:
      // released once they all do. Lock waits in other processes send no event: the signal is
      // PostgreSQL's own lock table, read back to back (no sleep; after 15 s the test fails).
      const countWaiting = async () =>
        (
          await admin!.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks
              WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          )
        ).rows[0]!.n;
      const failAt = Date.now() + 15_000;
      while ((waiting = await countWaiting()) < 20 && Date.now() < failAt);
      await admin!.query('COMMIT');
      responses = await inFlight;
    } catch (error) {
      await admin!.query('ROLLBACK').catch(() => {});
      throw error;
    }
    expect(waiting).toBe(20);
    expect(tally(responses.map((r) => r.status)), JSON.stringify(responses.filter((r) => r.status !== 409 && r.status !== 201))).toEqual({
      201: 1,
      409: REQUESTS - 1,
    });
    for (const r of responses.filter((x) => x.status === 409)) expect(r.body).toEqual(SLOT_UNAVAILABLE_BODY);
    const active = await admin!.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM bookings WHERE status IN ('pending_payment', 'confirmed', 'rescheduled') AND starts_at::date = $1::date`,
      [gatedDate],
    );
    expect(active.rows[0]!.n).toBe(1);
  });
});
