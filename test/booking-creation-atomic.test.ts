import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, resetBookings } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';

/**
 * Booking creation writes each step whole or not at all: the database failing at any one
 * write of a step (the consent, the history row, an outbox row) leaves no part of that step
 * behind, the customer gets the contract's 503 body, and a retry with the same
 * Idempotency-Key ends with exactly one booking, its consent and one set of effects.
 * The failure is a trigger raising 57P01 (the server shutting down) on one table.
 */

const UNAVAILABLE = {
  error: { code: 'SERVICE_UNAVAILABLE', message: 'Le service est momentanément indisponible. Merci de réessayer dans quelques instants.' },
};

describe.each(ENGINES)('booking creation, a write failing on %s', (engine) => {
  let t: TestService;
  let termsVersion: string;
  beforeAll(async () => {
    t = await startTestService(engine);
    termsVersion = (await t.request('GET', '/api/artisan')).body.artisan.terms.version;
    await t.service.db.exec(
      `CREATE FUNCTION test_write_fails() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'test: the database went away' USING ERRCODE = '57P01'; END $$`,
    );
  });
  afterAll(async () => t?.close());
  beforeEach(async () => resetBookings(t.service.db));
  afterEach(async () => {
    for (const table of ['booking_consents', 'booking_events', 'outbox']) await t.service.db.exec(`DROP TRIGGER IF EXISTS test_fail ON ${table}`);
  });

  const failOn = (table: string, when = 'INSERT') =>
    t.service.db.exec(`CREATE TRIGGER test_fail BEFORE ${when} ON ${table} FOR EACH ROW EXECUTE FUNCTION test_write_fails()`);
  const count = async (sql: string): Promise<number> => (await t.service.db.query<{ n: number }>(sql))[0]!.n;
  const slotFree = async (date: string, time: string): Promise<boolean> => {
    const day = await t.request('GET', `/api/availability?serviceId=diag&date=${date}`);
    return day.body.slots.find((s: { time: string }) => s.time === time).available;
  };

  for (const table of ['booking_consents', 'booking_events']) {
    it(`${table} failing while the hold is taken: nothing is written, 503, the slot stays free, the retry books once with its consent`, async () => {
      const date = parisDate(t.clock, 2);
      const body = bookingBody(date, '09:00', { consent: { termsVersion } });
      const headers = { 'idempotency-key': `atomic-${table}` };
      await failOn(table);
      const failed = await t.request('POST', '/api/bookings', body, headers);
      expect(failed.status).toBe(503);
      expect(failed.body).toEqual(UNAVAILABLE);
      expect(await count(`SELECT count(*)::int AS n FROM bookings`)).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM booking_events`)).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM booking_consents`)).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM outbox`)).toBe(0);
      expect(await slotFree(date, '09:00')).toBe(true);

      await t.service.db.exec(`DROP TRIGGER test_fail ON ${table}`);
      const retried = await t.request('POST', '/api/bookings', body, headers);
      expect(retried.status, JSON.stringify(retried.body)).toBe(201);
      expect(retried.body.booking.status).toBe('confirmed');
      const detail = await t.request('GET', `/api/admin/bookings/${retried.body.booking.publicCode}`, undefined, adminHeaders());
      expect(detail.body.consent).toMatchObject({ termsVersion });
      expect(await count(`SELECT count(*)::int AS n FROM bookings`)).toBe(1);
      expect(await slotFree(date, '09:00')).toBe(false);
    });
  }

  it('an outbox row failing at the confirmation: the hold stays whole and unconfirmed, 503, and the retry confirms it with one set of effects', async () => {
    const date = parisDate(t.clock, 2);
    const body = bookingBody(date, '10:00', { consent: { termsVersion } });
    const headers = { 'idempotency-key': 'atomic-outbox' };
    await failOn('outbox');
    const failed = await t.request('POST', '/api/bookings', body, headers);
    expect(failed.status).toBe(503);
    expect(failed.body).toEqual(UNAVAILABLE);
    // The hold committed before the deposit was asked; nothing of the confirmation did.
    const rows = await t.service.db.query<{ status: string }>(`SELECT status FROM bookings`);
    expect(rows).toEqual([{ status: 'pending_payment' }]);
    expect((await t.service.db.query<{ type: string }>(`SELECT type FROM booking_events ORDER BY id`)).map((r) => r.type)).toEqual(['hold_taken']);
    expect(await count(`SELECT count(*)::int AS n FROM booking_consents`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM busy_blocks`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM outbox`)).toBe(0);
    // Held, so not offered to anyone else meanwhile.
    expect(await slotFree(date, '10:00')).toBe(false);

    await t.service.db.exec(`DROP TRIGGER test_fail ON outbox`);
    const retried = await t.request('POST', '/api/bookings', body, headers);
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(retried.body.booking.status).toBe('confirmed');
    expect(await t.service.db.query(`SELECT status FROM bookings`)).toEqual([{ status: 'confirmed' }]);
    expect(await count(`SELECT count(*)::int AS n FROM busy_blocks WHERE source = 'booking'`)).toBe(1);
    const topics = (await t.service.db.query<{ topic: string }>(`SELECT topic FROM outbox ORDER BY topic`)).map((r) => r.topic);
    expect(topics).toEqual(['calendar.booking_changed', 'notify.booking_confirmed', 'notify.reminder', 'webhook.event']);
    expect(await count(`SELECT count(*)::int AS n FROM booking_consents`)).toBe(1);
  });

  // No deposit: nothing external between the hold and its confirmation, so they are one commit
  // (BookingStore.holdAndSettle). The confirmation failing then leaves no hold blocking the slot.
  it('a free booking: an outbox row failing at the confirmation leaves nothing, 503, the slot stays free, the retry books once', async () => {
    const before = await t.service.db.query<{ deposit_rate: number }>(`SELECT deposit_rate FROM services WHERE id = 'diag'`);
    await t.service.db.query(`UPDATE services SET deposit_rate = 0 WHERE id = 'diag'`);
    try {
      const date = parisDate(t.clock, 2);
      const body = bookingBody(date, '11:00', { consent: { termsVersion } });
      const headers = { 'idempotency-key': 'atomic-free-outbox' };
      await failOn('outbox');
      const failed = await t.request('POST', '/api/bookings', body, headers);
      expect(failed.status).toBe(503);
      expect(failed.body).toEqual(UNAVAILABLE);
      expect(await count(`SELECT count(*)::int AS n FROM bookings`)).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM booking_events`)).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM booking_consents`)).toBe(0);
      expect(await slotFree(date, '11:00')).toBe(true);

      await t.service.db.exec(`DROP TRIGGER test_fail ON outbox`);
      const retried = await t.request('POST', '/api/bookings', body, headers);
      expect(retried.status, JSON.stringify(retried.body)).toBe(201);
      expect(retried.body.booking.status).toBe('confirmed');
      expect(retried.body.booking.deposit.amountCents).toBe(0);
      expect(await t.service.db.query(`SELECT status FROM bookings`)).toEqual([{ status: 'confirmed' }]);
      expect((await t.service.db.query<{ type: string }>(`SELECT type FROM booking_events ORDER BY id`)).map((r) => r.type)).toEqual(['hold_taken', 'confirmed']);
      expect(await count(`SELECT count(*)::int AS n FROM booking_consents`)).toBe(1);
      expect(await slotFree(date, '11:00')).toBe(false);
    } finally {
      await t.service.db.query(`UPDATE services SET deposit_rate = $1 WHERE id = 'diag'`, [before[0]!.deposit_rate]);
    }
  });
});
