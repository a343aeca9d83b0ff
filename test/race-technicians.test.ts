import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Service } from '../src/main.ts';
import type { TestDatabase } from './helpers/db.ts';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
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

  const setUp = async () => {
    const artisanId = (await database.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await database.db.query(`UPDATE artisans SET plan = 'business' WHERE id = $1`, [artisanId]);
    for (const [name, id] of Object.entries(tech)) {
      await database.db.query(
        `INSERT INTO admin_users (id, artisan_id, email, password_hash, password_changed_at, created_at, role, name) VALUES ($1, $2, $3, '', now(), now(), 'technician', $4)`,
        [id, artisanId, `${name}@plomberie.test`, name],
      );
    }
    const zones = {
      [tech.alice]: [{ kind: 'departement', code: '93' }, { kind: 'postcode', code: '75011' }],
      [tech.chloe]: [{ kind: 'commune', code: '75056' }],
    };
    for (const [id, z] of Object.entries(zones)) {
      const res = await a.app.inject({ method: 'PUT', url: `/api/admin/members/${id}/routing`, headers: adminHeaders(), payload: { skills: [], zones: z } });
      expect(res.statusCode, res.body).toBe(200);
    }
  };
  const race = async (time: string, postalCode: string) => {
    const body = (i: number) => bookingBody(DAY, time, { customer: { name: `Client ${i}`, email: `client${i}-${time.replace(':', '')}@example.fr`, phone: '+33612345678', address: address(postalCode) } });
    const answers = await Promise.all([a, b].map((s, i) => s.app.inject({ method: 'POST', url: '/api/bookings', payload: body(i) })));
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
