import { describe, expect, it } from 'vitest';
import type { Database } from '../src/adapters/db/database.ts';
import type { Service } from '../src/main.ts';
import { TEST_ADMIN_TOKEN } from './helpers/admin.ts';
import { ENGINES, isDirectoryRead, type TestDatabase } from './helpers/db.ts';
import { TestClock, bookingBody, parisDate, twoInstances } from './helpers/service.ts';

/**
 * Migration 0024: once a booking has read a day, the next bookings of that day go straight to
 * the hold, checked against the kept copy of the day's rules (hours, days off, services,
 * settings, terms); the hold refuses overlaps itself and answers "stale" when the rules moved.
 * Two instances on one database: what one changes, the other's next booking must obey at once.
 * Clock: Monday 2027-03-01 08:00 Paris; the demo artisan opens Mon–Fri 08:30–12:00 and
 * 13:00–18:00, slots every 30 min, minimum notice 120 min.
 */
describe.each(ENGINES)('bookings held first on a kept day stay exact on %s', (engine) => {
  let database: TestDatabase;
  let a: Service;
  let b: Service;
  const clock = new TestClock();
  /** The statements instance a sends, by first word after SELECT (booking_hold, booking_context_since…). */
  const sent: string[] = [];
  /** What booking_context_since answered instance a, newest last. */
  const contexts: { day: { rules?: unknown; day?: unknown } | null }[] = [];
  const counting = (db: Database): Database => ({
    ...db,
    query: async <R,>(text: string, params?: readonly unknown[]) => {
      if (!isDirectoryRead(text)) sent.push(/^SELECT (\w+)\(/.exec(text)?.[1] ?? text.slice(0, 30));
      const rows = await db.query<R>(text, params);
      if (text.startsWith('SELECT booking_context_since(')) contexts.push((rows[0] as { r: (typeof contexts)[number] }).r);
      return rows;
    },
  });
  twoInstances(
    engine,
    clock,
    (d, x, y) => {
      database = d;
      a = x;
      b = y;
    },
    counting,
  );

  const book = async (s: Service, date: string, time: string, extra: Record<string, unknown> = {}) => {
    const res = await s.app.inject({ method: 'POST', url: '/api/bookings', payload: bookingBody(date, time, { customer: { name: 'Jean Martin', email: `c${time.replace(':', '')}@example.com` }, ...extra }) });
    return { status: res.statusCode, body: res.json() };
  };
  const admin = async (s: Service, method: 'PATCH' | 'POST', url: string, payload: unknown) => {
    const res = await s.app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  };
  const bookingsAt = async (date: string, time: string): Promise<number> =>
    (await database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE to_char(starts_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD HH24:MI') = $1`, [`${date} ${time}`]))[0]!.n;
  const rules = async (): Promise<number> => Number((await database.db.query<{ v: string }>('SELECT rules_version::text AS v FROM artisans'))[0]!.v);

  it('the next booking of a day read before costs one hold and one confirmation; a taken time, the hold alone', async () => {
    clock.set('2027-03-01T07:00:00Z');
    const date = parisDate(clock, 2); // Wednesday
    expect((await book(a, date, '09:00')).status).toBe(201);
    sent.length = 0;
    const next = await book(a, date, '09:30');
    expect(next.status, JSON.stringify(next.body)).toBe(201);
    expect(sent).toEqual(['booking_hold', 'booking_apply']);
    sent.length = 0;
    const taken = await book(a, date, '09:30');
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('SLOT_UNAVAILABLE');
    expect(sent).toEqual(['booking_hold']);
    // A booking made on the other instance is refused by the hold, the kept day notwithstanding.
    expect((await book(b, date, '10:00')).status).toBe(201);
    expect((await book(a, date, '10:00')).status).toBe(409);
    expect(await bookingsAt(date, '10:00')).toBe(1);
  });

  it('customers racing for one slot on one instance: one hold reaches the database, the others wait for its answer', async () => {
    clock.set('2027-03-01T07:00:00Z');
    const date = parisDate(clock, 10); // Thursday 11th
    expect((await book(a, date, '09:00')).status).toBe(201); // the day is kept
    sent.length = 0;
    const racing = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        a.app.inject({ method: 'POST', url: '/api/bookings', payload: bookingBody(date, '10:00', { customer: { name: 'Client Pressé', email: `presse${i}@example.com` } }) }),
      ),
    );
    expect(racing.map((r) => r.statusCode).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect(racing.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'SLOT_UNAVAILABLE')).toBe(true);
    // On PostgreSQL the ten overlap and the other nine wait for the first one's answer; embedded
    // PGlite runs on this test process's main thread, so there one request ends before the next.
    const holds = sent.filter((x) => x === 'booking_hold').length;
    if (engine === 'postgres') expect(holds).toBeLessThan(10);
    expect(await bookingsAt(date, '10:00')).toBe(1);
    // The same customer asking again (a retry) is not answered by another's hold: it asks the database.
    sent.length = 0;
    const retry = await book(a, date, '10:30');
    expect(retry.status).toBe(201);
    expect(sent).toEqual(['booking_hold', 'booking_apply']);
  });

  it("a booking on a day not read yet reads only that day while the business's rules are kept, and the rules again once they moved", async () => {
    clock.set('2027-03-01T07:00:00Z');
    const first = await book(a, parisDate(clock, 14), '10:00');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    contexts.length = 0;
    // Another day (never read by instance a): the day is read, the rules are not sent again.
    const other = parisDate(clock, 21);
    const second = await book(a, other, '10:00');
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.day?.day).toBeDefined();
    expect(contexts[0]!.day?.rules).toBeUndefined();
    // The hours moved (18:00 → 16:00, through the database as another instance would): the next
    // new day's read brings the rules, and the new closing time applies.
    await database.db.query(`UPDATE schedule_rules SET end_minutes = 960 WHERE kind = 'opening' AND end_minutes = 1080`);
    try {
      contexts.length = 0;
      const third = parisDate(clock, 28);
      const late = await book(a, third, '17:00');
      expect(late.status, JSON.stringify(late.body)).toBe(400);
      expect(late.body.error.code).toBe('SLOT_NOT_OFFERED');
      expect(contexts[0]!.day?.rules).toBeDefined();
      expect(await bookingsAt(third, '17:00')).toBe(0);
    } finally {
      await database.db.query(`UPDATE schedule_rules SET end_minutes = 1080 WHERE kind = 'opening' AND end_minutes = 960`);
    }
  });

  it('hours shortened on the other instance: a time the kept day offered is no longer bookable', async () => {
    clock.set('2027-03-01T07:00:00Z');
    const date = parisDate(clock, 3); // Thursday
    expect((await book(a, date, '09:00')).status).toBe(201);
    const before = await rules();
    await database.db.query(`UPDATE schedule_rules SET end_minutes = 960 WHERE kind = 'opening' AND end_minutes = 1080`); // 18:00 → 16:00
    try {
      expect(await rules()).toBe(before + 1);
      const late = await book(a, date, '17:00');
      expect(late.status, JSON.stringify(late.body)).toBe(400);
      expect(late.body.error.code).toBe('SLOT_NOT_OFFERED');
      expect(await bookingsAt(date, '17:00')).toBe(0);
    } finally {
      await database.db.query(`UPDATE schedule_rules SET end_minutes = 1080 WHERE kind = 'opening' AND end_minutes = 960`);
    }
    expect((await book(a, date, '17:00')).status).toBe(201);
  });

  it('a day closed in the back office of the other instance refuses the kept day at once', async () => {
    clock.set('2027-03-01T07:00:00Z');
    const date = parisDate(clock, 4); // Friday
    expect((await book(a, date, '09:00')).status).toBe(201);
    await admin(b, 'POST', '/api/admin/exceptions', { date, closed: true });
    const closed = await book(a, date, '14:00');
    expect(closed.status, JSON.stringify(closed.body)).toBe(400);
    expect(closed.body.error.code).toBe('SLOT_NOT_OFFERED');
    expect(await bookingsAt(date, '14:00')).toBe(0);
  });

  it('new terms of sale on the other instance: a consent to the old ones is refused, not booked', async () => {
    clock.set('2027-03-01T07:00:00Z');
    const date = parisDate(clock, 7); // next Monday
    const terms = async (s: Service) => (await s.app.inject({ method: 'GET', url: '/api/artisan' })).json().artisan.terms as { text: string; version: string };
    const old = await terms(a);
    expect((await book(a, date, '09:00', { consent: { termsVersion: old.version } })).status).toBe(201);
    await admin(b, 'PATCH', '/api/admin/artisan', { termsOfSale: `${old.text}\nArticle ajouté.` });
    try {
      const stale = await book(a, date, '09:30', { consent: { termsVersion: old.version } });
      expect(stale.status, JSON.stringify(stale.body)).toBe(409);
      expect(stale.body.error.code).toBe('TERMS_CHANGED');
      expect(await bookingsAt(date, '09:30')).toBe(0);
      const fresh = await terms(a);
      expect((await book(a, date, '09:30', { consent: { termsVersion: fresh.version } })).status).toBe(201);
    } finally {
      await admin(b, 'PATCH', '/api/admin/artisan', { termsOfSale: old.text });
    }
  });

  it('a service archived on the other instance is not bookable from the kept day', async () => {
    clock.set('2027-03-01T07:00:00Z');
    const date = parisDate(clock, 8); // next Tuesday
    expect((await book(a, date, '09:00')).status).toBe(201);
    await database.db.query(`UPDATE services SET is_active = false WHERE id = 'diag'`);
    try {
      const res = await book(a, date, '09:30');
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('SERVICE_NOT_FOUND');
      expect(await bookingsAt(date, '09:30')).toBe(0);
    } finally {
      await database.db.query(`UPDATE services SET is_active = true WHERE id = 'diag'`);
    }
  });

  it('the minimum notice follows the clock on a kept day: a time inside it is refused', async () => {
    clock.set('2027-03-01T07:00:00Z'); // 08:00 in Paris: today from 10:00 on
    const today = parisDate(clock, 0);
    expect((await book(a, today, '11:00')).status).toBe(201);
    clock.set('2027-03-01T08:45:00Z'); // 09:45: 11:30 is now within the 120 minutes
    const inside = await book(a, today, '11:30');
    expect(inside.status, JSON.stringify(inside.body)).toBe(400);
    expect(inside.body.error.code).toBe('SLOT_NOT_OFFERED');
    expect((await book(a, today, '13:00')).status).toBe(201);
  });

  it('rules_version moves with hours, days off, services and settings, once per transaction, never with a booking', async () => {
    clock.set('2027-03-01T07:00:00Z');
    const date = parisDate(clock, 9);
    const start = await rules();
    expect((await book(b, date, '09:00')).status).toBe(201);
    expect(await rules()).toBe(start);
    await database.db.transaction(async (q) => {
      await q.query(`UPDATE schedule_rules SET start_minutes = start_minutes WHERE kind = 'opening'`);
      await q.query(`UPDATE services SET name = name WHERE id = 'diag'`);
    });
    expect(await rules()).toBe(start + 1);
    await admin(b, 'PATCH', '/api/admin/artisan', { minNoticeMinutes: 120 });
    expect(await rules()).toBe(start + 2);
  });
});
