import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';

/**
 * Migration 0017: the artisan's data_version (what the availability and services caches
 * compare) moves once per transaction that changes what availability reads, however many rows
 * it writes, and still once for each such transaction.
 */
describe.each(ENGINES)('data_version bumps once per transaction on %s', (engine) => {
  let t: TestService;
  const version = async (): Promise<number> => Number((await t.service.db.query<{ v: string }>('SELECT data_version::text AS v FROM artisans'))[0]!.v);
  const block = (hour: number) => [randomUUID(), `2027-04-0${hour % 9 + 1}T09:00:00Z`, `2027-04-0${hour % 9 + 1}T10:00:00Z`];
  const INSERT_BLOCK = `INSERT INTO busy_blocks (id, artisan_id, provider_id, source, summary, starts_at, ends_at)
    SELECT $1, id, 'manual', 'external', 'Absent', $2, $3 FROM artisans`;

  beforeAll(async () => {
    t = await startTestService(engine);
  });
  afterAll(async () => t?.close());

  it('several writes in one transaction: one bump; in separate statements: one each', async () => {
    const before = await version();
    await t.service.db.transaction(async (q) => {
      await q.query(INSERT_BLOCK, block(1));
      await q.query(INSERT_BLOCK, block(2));
      await q.query(`UPDATE services SET name = name || ' ' WHERE id = 'diag'`);
      await q.query(`UPDATE artisans SET slot_step_minutes = slot_step_minutes`);
    });
    expect(await version()).toBe(before + 1);
    await t.service.db.query(INSERT_BLOCK, block(3));
    await t.service.db.query(`UPDATE services SET name = trim(name) WHERE id = 'diag'`);
    expect(await version()).toBe(before + 3);
  });

  it('a rolled-back savepoint takes its bump back: the next write in the transaction bumps', async () => {
    const before = await version();
    await t.service.db.transaction(async (q) => {
      await q.query('SAVEPOINT first');
      await q.query(INSERT_BLOCK, block(4));
      await q.query('ROLLBACK TO SAVEPOINT first');
      await q.query(INSERT_BLOCK, block(5));
    });
    expect(await version()).toBe(before + 1);
  });

  it('a rolled-back transaction bumps nothing, and the next one bumps again', async () => {
    const before = await version();
    await expect(
      t.service.db.transaction(async (q) => {
        await q.query(INSERT_BLOCK, block(6));
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(await version()).toBe(before);
    await t.service.db.query(INSERT_BLOCK, block(7));
    expect(await version()).toBe(before + 1);
  });

  it('a booking made over HTTP moves the version at most once per transaction (hold, confirmation)', async () => {
    const before = await version();
    const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const delta = (await version()) - before;
    expect(delta).toBeGreaterThanOrEqual(1);
    expect(delta).toBeLessThanOrEqual(2);
    const slot = await t.request('GET', '/api/availability?serviceId=diag&date=2027-03-10');
    expect(slot.body.slots.find((s: { time: string }) => s.time === '09:00')).toMatchObject({ available: false });
  });
  describe('rules_version (migration 0024, made linear by 0066)', () => {
    const rules = async (): Promise<Map<string, number>> =>
      new Map((await t.service.db.query<{ id: string; v: string }>('SELECT id, rules_version::text AS v FROM artisans')).map((r) => [r.id, Number(r.v)]));
    const ADD_BREAK = `INSERT INTO schedule_rules (id, artisan_id, kind, day_of_week, start_minutes, end_minutes)
      SELECT gen_random_uuid(), id, 'break', 6, $1, $1 + 10 FROM artisans`;

    it('moves once per transaction and business, however many rules the transaction writes; a rolled-back savepoint takes its bump back', async () => {
      const before = await rules();
      await t.service.db.transaction(async (q) => {
        await q.query(ADD_BREAK, [600]);
        await q.query(ADD_BREAK, [620]);
        await q.query(`UPDATE services SET name = name || ' ' WHERE id = 'diag'`);
      });
      for (const [id, v] of await rules()) expect(v, id).toBe(before.get(id)! + 1);
      await t.service.db.transaction(async (q) => {
        await q.query('SAVEPOINT first');
        await q.query(ADD_BREAK, [640]);
        await q.query('ROLLBACK TO SAVEPOINT first');
        await q.query(ADD_BREAK, [660]);
      });
      for (const [id, v] of await rules()) expect(v, id).toBe(before.get(id)! + 2);
      // Separate statements: one bump each.
      const withDiag = new Set((await t.service.db.query<{ a: string }>(`SELECT artisan_id AS a FROM services WHERE id = 'diag'`)).map((r) => r.a));
      await t.service.db.query(`UPDATE services SET name = trim(name) WHERE id = 'diag'`);
      await t.service.db.query(`DELETE FROM schedule_rules WHERE day_of_week = 6 AND kind = 'break'`);
      for (const [id, v] of await rules()) expect(v, id).toBe(before.get(id)! + 3 + (withDiag.has(id) ? 1 : 0));
    });

    it('one statement writing the rules of 2,000 businesses bumps each of them once', async () => {
      await t.service.db.query(
        `INSERT INTO artisans (id, display_name, email, timezone, plan)
         SELECT gen_random_uuid(), 'Entreprise ' || n, 'bulk' || n || '@example.com', 'Europe/Paris', 'pro' FROM generate_series(1, 2000) n`,
      );
      const before = await rules();
      await t.service.db.query(ADD_BREAK, [700]);
      const after = await rules();
      expect(after.size).toBeGreaterThanOrEqual(2001);
      for (const [id, v] of after) expect(v, id).toBe(before.get(id)! + 1);
      await t.service.db.query(`DELETE FROM artisans WHERE email LIKE 'bulk%@example.com'`);
    });
  });
});
