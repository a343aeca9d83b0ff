import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/adapters/db/database.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { loadConfig } from '../src/config.ts';
import { compose, type Service } from '../src/main.ts';
import type { TestDatabase } from './helpers/db.ts';
import { ENGINES, createTestLocation, dropTestLocation } from './helpers/db.ts';
import { TEST_ADMIN_TOKEN, adminHeaders } from './helpers/admin.ts';
import { gatedDatabase } from './helpers/gated-database.ts';
import { TestClock, bookingBody, twoInstances } from './helpers/service.ts';

/**
 * The database still decides with technicians (issue 20, item 7): two instances of the service
 * (each with its own memory) on one database, two customers sent at the same moment, one to
 * each. The last free technician goes to one of them (201 and 409); with two technicians free
 * both get one (201 and 201, different technicians). Clock: Monday 2027-03-01 08:00 Paris.
 *
 * Alice covers the Seine-Saint-Denis and the postcode 75011, Chloé the commune of Paris: 93200
 * is Alice's alone, 75011 both's. Both perform every service.
 */
const DAY = '2027-03-03';
const address = (postalCode: string) => ({ street: '1 rue de la République', postalCode, city: postalCode === '93200' ? 'Saint-Denis' : 'Paris' });

/** Makes the business a Business-plan one with Alice and Chloé (zones above), through `app`. */
async function setUpTechnicians(db: Database, app: Service['app'], tech: { alice: string; chloe: string }): Promise<void> {
  const artisanId = (await db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
  await db.query(`UPDATE artisans SET plan = 'business' WHERE id = $1`, [artisanId]);
  for (const [name, id] of Object.entries(tech)) {
    await db.query(
      `INSERT INTO admin_users (id, artisan_id, email, password_hash, password_changed_at, created_at, role, name) VALUES ($1, $2, $3, '', now(), now(), 'technician', $4)`,
      [id, artisanId, `${name}@plomberie.test`, name],
    );
  }
  const zones = {
    [tech.alice]: [{ kind: 'departement', code: '93' }, { kind: 'postcode', code: '75011' }],
    [tech.chloe]: [{ kind: 'commune', code: '75056' }],
  };
  for (const [id, z] of Object.entries(zones)) {
    const res = await app.inject({ method: 'PUT', url: `/api/admin/members/${id}/routing`, headers: adminHeaders(), payload: { skills: [], zones: z } });
    expect(res.statusCode, res.body).toBe(200);
  }
}

const customer = (i: number, time: string, postalCode: string) =>
  bookingBody(DAY, time, { customer: { name: `Client ${i}`, email: `client${i}-${time.replace(':', '')}@example.fr`, phone: '+33612345678', address: address(postalCode) } });

describe.each(ENGINES)('technicians racing across two instances on %s', (engine) => {
  const clock = new TestClock();
  let database: TestDatabase;
  let a: Service;
  let b: Service;
  const tech = { alice: randomUUID(), chloe: randomUUID() };
  twoInstances(engine, clock, (db, first, second) => {
    database = db;
    a = first;
    b = second;
  });

  const setUp = () => setUpTechnicians(database.db, a.app, tech);
  const race = async (time: string, postalCode: string) => {
    const answers = await Promise.all([a, b].map((s, i) => s.app.inject({ method: 'POST', url: '/api/bookings', payload: customer(i, time, postalCode) })));
    return answers.map((r) => ({ status: r.statusCode, body: r.json() }));
  };
  const technicianOf = async (code: string) =>
    (await database.db.query<{ technician_id: string }>('SELECT technician_id FROM bookings WHERE public_code = $1', [code]))[0]!.technician_id;

  it('the last free technician at 09:00: one 201, one 409; two free technicians: both 201, different technicians', async () => {
    await setUp();
    for (const time of ['09:00', '09:30', '10:00', '10:30']) {
      const answers = await race(time, '93200');
      expect(answers.map((x) => x.status).sort(), `${time}: ${JSON.stringify(answers)}`).toEqual([201, 409]);
      expect(answers.find((x) => x.status === 409)!.body.error.code).toBe('SLOT_UNAVAILABLE');
      expect(await technicianOf(answers.find((x) => x.status === 201)!.body.booking.publicCode)).toBe(tech.alice);
    }
    for (const time of ['14:00', '14:30', '15:00', '15:30']) {
      const answers = await race(time, '75011');
      expect(answers.map((x) => x.status), `${time}: ${JSON.stringify(answers)}`).toEqual([201, 201]);
      const given = await Promise.all(answers.map((x) => technicianOf(x.body.booking.publicCode)));
      expect(new Set(given)).toEqual(new Set([tech.alice, tech.chloe]));
    }
    // The database itself refuses one technician twice at one time, and takes two technicians.
    const rows = await database.db.query<{ technician_id: string; n: number }>(
      `SELECT technician_id, count(*)::int AS n FROM bookings WHERE status = 'confirmed' GROUP BY technician_id ORDER BY technician_id`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.technician_id, r.n]))).toEqual({ [tech.alice]: 8, [tech.chloe]: 4 });
  });
});

describe.each(ENGINES)('technicians racing with both holds held at the database on %s', (engine) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('both read the day as free before either writes: the database refuses the second hold on a technician, and creation tries the next one', async () => {
    const location = await createTestLocation(engine);
    cleanups.push(() => dropTestLocation(engine, location));
    const db = engine === 'postgres' ? await openPostgres(location) : await openPglite(location);
    cleanups.push(() => db.close());
    const gate = gatedDatabase(db);
    const service = await compose(
      // Every hold goes to the database: nothing shared in memory decides.
      loadConfig({ LOG_LEVEL: 'silent', ADMIN_API_TOKEN: TEST_ADMIN_TOKEN, BOOKING_SHARE_RACING_HOLDS: 'false' }),
      { db: gate.db, clock: new TestClock() },
    );
    cleanups.push(() => service.close());
    cleanups.push(async () => gate.release());
    const tech = { alice: randomUUID(), chloe: randomUUID() };
    await setUpTechnicians(db, service.app, tech);
    const held = async (time: string, postalCode: string) => {
      gate.arm();
      const inFlight = Promise.all([0, 1].map((i) => service.app.inject({ method: 'POST', url: '/api/bookings', payload: customer(i, time, postalCode) })));
      await gate.waitingReaches(2); // both planned on the same free day, both asked to write
      gate.release();
      return (await inFlight).map((r) => ({ status: r.statusCode, body: r.json() }));
    };
    const technicianOf = async (code: string) =>
      (await db.query<{ technician_id: string }>('SELECT technician_id FROM bookings WHERE public_code = $1', [code]))[0]!.technician_id;

    const last = await held('09:00', '93200');
    expect(last.map((x) => x.status).sort(), JSON.stringify(last)).toEqual([201, 409]);
    expect(last.find((x) => x.status === 409)!.body.error.code).toBe('SLOT_UNAVAILABLE');
    const two = await held('14:00', '75011');
    expect(two.map((x) => x.status), JSON.stringify(two)).toEqual([201, 201]);
    const given = await Promise.all(two.map((x) => technicianOf(x.body.booking.publicCode)));
    expect(new Set(given)).toEqual(new Set([tech.alice, tech.chloe]));
    // Both had ranked Chloé first (Alice has 30 minutes this week): one got her, the other, refused
    // by the database, got Alice, the only one left.
    const reasons = await db.query<{ technician_id: string; reason: string }>(
      `SELECT technician_id, assignment->>'reason' AS reason FROM bookings WHERE starts_at = '2027-03-03T13:00:00Z' ORDER BY reason`,
    );
    expect(reasons).toEqual([{ technician_id: tech.alice, reason: 'only_free' }, { technician_id: tech.chloe, reason: 'week_minutes' }]);
  }, 60_000);
});
