import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingRow, bookingWith, drain, stripeSuite } from './helpers/stripe-service.ts';

/**
 * Idempotency-Key on POST /api/bookings: scoped to the key and the body (not the client's
 * IP), 422 for the same key with another body, a short lease for a key whose request died,
 * after which the retry gets the booking's real outcome; expired keys are purged.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const DAY = '2027-03-10';

describe.each(ENGINES)('Idempotency-Key on %s', (engine) => {
  const { t, fake } = stripeSuite(engine, START, { TRUST_PROXY: '127.0.0.1' });
  const post = (body: unknown, key: string, ip: string) =>
    t.request('POST', '/api/bookings', body, { 'idempotency-key': key, 'x-forwarded-for': ip });
  const keyRow = async (key: string) =>
    (await t.service.db.query<{ request_hash: string; state: string }>(`SELECT request_hash, state FROM idempotency_keys WHERE key = $1`, [key]))[0];

  it('the same key from two client IPs (Wi-Fi, then 4G) replays the first answer: one booking, one charge', async () => {
    const body = bookingWith(DAY, '09:00', 'pm_card_visa');
    const wifi = await post(body, 'k-mobile', '203.0.113.7');
    expect(wifi.status).toBe(201);
    const fourG = await post(body, 'k-mobile', '198.51.100.23');
    expect(fourG.status).toBe(201);
    expect(fourG.headers['idempotent-replayed']).toBe('true');
    expect(fourG.body).toEqual(wifi.body);
    expect(fake.charged()).toHaveLength(1);
    expect((await t.service.db.query(`SELECT 1 FROM bookings`)).length).toBe(1);
  });

  it('the same key with another body: 422 IDEMPOTENCY_KEY_REUSED, nothing made', async () => {
    expect((await post(bookingWith(DAY, '09:00', 'pm_card_visa'), 'k-reused', '203.0.113.7')).status).toBe(201);
    const other = await post(bookingWith(DAY, '10:00', 'pm_card_visa'), 'k-reused', '203.0.113.7');
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await t.service.db.query(`SELECT 1 FROM bookings`)).length).toBe(1);
  });

  describe('a key whose request died (process killed between the hold and the answer)', () => {
    /** The state such a crash leaves: a hold whose deposit call never finished, its key in progress. */
    async function crashedRequest(key: string, opts: { withBooking: boolean }) {
      const body = bookingWith(DAY, '09:00', 'pm_card_visa');
      // The hold such a request leaves: taken, then the deposit call never came back.
      fake.outage = 'down';
      const first = await post(body, `probe-${key}`, '203.0.113.7');
      expect(first.status).toBe(503);
      fake.outage = undefined;
      const hold = (await t.service.db.query<{ id: string; public_code: string }>(`SELECT id, public_code FROM bookings`))[0]!;
      const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      if (!opts.withBooking) {
        await t.service.db.query(`DELETE FROM booking_events`);
        await t.service.db.query(`DELETE FROM bookings`);
      }
      await t.service.db.query(
        `INSERT INTO idempotency_keys (artisan_id, scope, key, request_hash, state, expires_at, lease_expires_at, booking_id)
         VALUES ((SELECT id FROM artisans), 'create-booking', $1, $2, 'in_progress', $3, $4, $5)`,
        [key, hash, new Date(t.clock.ms + 86_400_000).toISOString(), new Date(t.clock.ms + 60_000).toISOString(), opts.withBooking ? hold.id : null],
      );
      return { body, hold };
    }

    it('holds for its short lease only (409 meanwhile), then the retry resumes the hold: 201, one charge', async () => {
      const { body, hold } = await crashedRequest('k-crash', { withBooking: true });
      const during = await post(body, 'k-crash', '203.0.113.7');
      expect(during.status).toBe(409);
      expect(during.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      t.clock.advance(2); // past the 60 s lease, well before the 10 min hold
      const after = await post(body, 'k-crash', '198.51.100.23');
      expect(after.status, JSON.stringify(after.body)).toBe(201);
      expect(after.body.booking).toMatchObject({ publicCode: hold.public_code, status: 'confirmed' });
      expect(fake.charged()).toHaveLength(1);
      expect((await keyRow('k-crash'))?.state).toBe('done');
    });

    it('after the recovery confirmed the hold, the retry gets that booking (201), not a 409', async () => {
      const { body, hold } = await crashedRequest('k-recovered', { withBooking: true });
      t.clock.advance(11);
      await drain(t); // the stale-hold recovery confirms it
      expect((await bookingRow(t, hold.public_code)).status).toBe('confirmed');
      const retry = await post(body, 'k-recovered', '203.0.113.7');
      expect(retry.status, JSON.stringify(retry.body)).toBe(201);
      expect(retry.body.booking.publicCode).toBe(hold.public_code);
      expect(fake.charged()).toHaveLength(1);
    });

    it('when the request made nothing, the retry is a fresh attempt', async () => {
      const { body } = await crashedRequest('k-nothing', { withBooking: false });
      t.clock.advance(2);
      const retry = await post(body, 'k-nothing', '203.0.113.7');
      expect(retry.status, JSON.stringify(retry.body)).toBe(201);
      expect(retry.body.booking.status).toBe('confirmed');
    });
  });

  it('expired keys are purged by the worker', async () => {
    expect((await post(bookingWith(DAY, '09:00', 'pm_card_visa'), 'k-old', '203.0.113.7')).status).toBe(201);
    expect(await keyRow('k-old')).toBeDefined();
    t.clock.advance(25 * 60); // 25 h later
    await drain(t);
    expect(await keyRow('k-old')).toBeUndefined();
  });
});
