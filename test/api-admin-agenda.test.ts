import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { ENGINES, resetBookings } from './helpers/db.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';
import { adminHeaders } from './helpers/admin.ts';

/**
 * The week agenda (one request per week) and the admin bookings list read as instant ranges
 * of the artisan's local dates. Clock: Monday 2027-03-01 08:00 Paris. Paris goes to summer
 * time on Sunday 2027-03-28 at 02:00.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const admin = adminHeaders();
const ZONE = 'Europe/Paris';

/** Writes confirmed bookings starting at the given instants (30 min each) straight into the table. */
async function insertBookings(db: { query(sql: string, params?: unknown[]): Promise<unknown[]> }, starts: string[], status = 'confirmed'): Promise<void> {
  if (starts.length === 0) return;
  await db.query(
    `INSERT INTO bookings (id, public_code, artisan_id, service_id, service_name, status, customer_name, customer_email,
        starts_at, ends_at, duration_minutes, blocked_range, price_cents, deposit_rate, deposit_cents, payment_status,
        refund_policy, notify_email, notify_sms, created_at, updated_at)
     SELECT gen_random_uuid(), 'AC-' || upper(substr(md5(random()::text), 1, 6)), a.id, 'diag', 'Diagnostic', $2, 'X', 'x@example.com',
        t0, t0 + interval '30 minutes', 30, tstzrange(t0, t0 + interval '30 minutes'), 4000, 0.3, 1200, 'authorized',
        '{"tiers":[]}', true, false, '2027-03-01T06:00:00Z', '2027-03-01T06:00:00Z'
       FROM artisans a, unnest($1::timestamptz[]) AS t0`,
    [starts, status],
  );
}

const localDate = (iso: string): string => Temporal.Instant.from(iso).toZonedDateTimeISO(ZONE).toPlainDate().toString();

describe.each(ENGINES)('week agenda on %s', (engine) => {
  const t = serviceForSuite(engine, START);

  it('gives Monday to Sunday of the week holding the date, in local time, active bookings only, by start', async () => {
    await insertBookings(t.service.db, [
      '2027-03-21T22:30:00Z', // Sunday 21 March 23:30 Paris: the week before
      '2027-03-21T23:30:00Z', // Monday 22 March 00:30 Paris: in
      '2027-03-24T08:00:00Z', // Wednesday 09:00: in
      '2027-03-28T21:30:00Z', // Sunday 28 March 23:30 (summer time, +02:00): in
      '2027-03-28T22:30:00Z', // Monday 29 March 00:30 (+02:00): the week after
    ]);
    await insertBookings(t.service.db, ['2027-03-25T08:00:00Z'], 'cancelled');
    for (const week of ['2027-03-22', '2027-03-25', '2027-03-28']) {
      const res = await t.request('GET', `/api/admin/agenda?week=${week}`, undefined, admin);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.from).toBe('2027-03-22');
      expect(res.body.to).toBe('2027-03-28');
      expect(res.body.bookings.map((b: { startDateTime: string }) => b.startDateTime)).toEqual([
        '2027-03-22T00:30:00+01:00',
        '2027-03-24T09:00:00+01:00',
        '2027-03-28T23:30:00+02:00',
      ]);
    }
    expect((await t.request('GET', '/api/admin/agenda?week=2027-02-30', undefined, admin)).status).toBe(400);
    // Without a date: this week on the service's clock, in the artisan's zone, and which day is today.
    t.clock.set('2027-03-21T23:30:00Z'); // Monday 22 March 00:30 in Paris (still Sunday in UTC)
    const current = await t.request('GET', '/api/admin/agenda', undefined, admin);
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ from: '2027-03-22', to: '2027-03-28', today: '2027-03-22' });
    expect(current.body.bookings).toHaveLength(3);
    expect((await t.request('GET', '/api/admin/agenda?week=2027-03-22')).status).toBe(401);
  });

  it('a phone booking shows in its week at once, with what the agenda shows and no more', async () => {
    const customer = { name: 'Mme Roux', email: 'roux@example.fr', phone: '+33611223344', address: { street: '3 rue des Lilas', postalCode: '69003', city: 'Lyon' } };
    const res = await t.request('POST', '/api/admin/bookings', bookingBody('2027-03-03', '10:00', { customer }), admin);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const other = await t.request('POST', '/api/admin/bookings', bookingBody('2027-03-04', '14:30', { customer: { name: 'M. Blanc', email: 'blanc@example.fr' } }), admin);
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    const week = await t.request('GET', '/api/admin/agenda?week=2027-03-01', undefined, admin);
    expect(week.status).toBe(200);
    const { durationMinutes, serviceName, publicCode } = res.body.booking;
    // Wednesday 3 March 10:00 in Paris is 09:00 UTC (winter time, +01:00).
    const endUtc = new Date(Date.parse('2027-03-03T09:00:00Z') + durationMinutes * 60_000);
    const endLocal = `${new Date(endUtc.getTime() + 3_600_000).toISOString().slice(0, 19)}+01:00`;
    expect(week.body.bookings).toEqual([
      {
        publicCode,
        status: 'confirmed',
        channel: 'phone',
        serviceId: 'diag',
        serviceName,
        startDateTime: '2027-03-03T10:00:00+01:00',
        endDateTime: endLocal,
        date: '2027-03-03',
        time: '10:00',
        durationMinutes,
        // The e-mail stays in the booking's detail; the address and what is left to collect are on the week sheet.
        customer: { name: 'Mme Roux', phone: '+33611223344', city: 'Lyon', address: customer.address },
        // A phone booking takes no deposit: the whole price (40,00 €) is left to collect.
        amountDueCents: 4000,
      },
      expect.objectContaining({ publicCode: other.body.booking.publicCode, date: '2027-03-04', time: '14:30', customer: { name: 'M. Blanc' } }),
    ]);
    expect(serviceName).toEqual(expect.any(String));
  });

  it('today: the bookings of the day in full, by start, with the amount left to collect and the instant read on the service clock', async () => {
    // Monday 1 March in Paris (+01:00): 16:00Z and 09:30Z are in; 23:30Z is Tuesday 00:30; 22:30Z on the 28th is Sunday 23:30.
    await insertBookings(t.service.db, ['2027-03-01T16:00:00Z', '2027-03-01T09:30:00Z', '2027-03-01T23:30:00Z', '2027-02-28T22:30:00Z']);
    await insertBookings(t.service.db, ['2027-03-01T12:00:00Z'], 'cancelled');
    const res = await t.request('GET', '/api/admin/today', undefined, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.date).toBe('2027-03-01');
    expect(res.body.now).toBe('2027-03-01T07:00:00.000Z');
    const bookings = res.body.bookings as { startDateTime: string; amountDueCents: number; priceCents: number; status: string }[];
    expect(bookings.map((b) => b.startDateTime)).toEqual(['2027-03-01T10:30:00+01:00', '2027-03-01T17:00:00+01:00']);
    // Price 40,00 € less an authorised deposit of 12,00 €.
    expect(bookings.map((b) => b.amountDueCents)).toEqual([2800, 2800]);
  });

  it('the list says the total even past the last page', async () => {
    await insertBookings(t.service.db, ['2027-03-02T08:00:00Z', '2027-03-02T09:00:00Z', '2027-03-02T10:00:00Z']);
    const res = await t.request('GET', '/api/admin/bookings?page=5&pageSize=2', undefined, admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ bookings: [], total: 3, page: 5 });
    const none = await t.request('GET', '/api/admin/bookings?from=2027-06-01&to=2027-06-02', undefined, admin);
    expect(none.body).toMatchObject({ bookings: [], total: 0 });
  });

  it('property: the list from..to holds exactly the bookings whose local start date is in range, in order, with the right total', async () => {
    // Start instants on a 30-minute grid over March–April 2027 (across the DST change), distinct.
    const gridStart = Date.parse('2027-02-28T20:00:00Z');
    const slot = fc.integer({ min: 0, max: 61 * 48 });
    const date = fc.integer({ min: 0, max: 61 }).map((d) => Temporal.PlainDate.from('2027-03-01').add({ days: d }).toString());
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(slot, { minLength: 0, maxLength: 25 }), date, date, fc.integer({ min: 1, max: 10 }), async (slots, a, b, pageSize) => {
        await resetBookings(t.service.db);
        const starts = slots.map((s) => new Date(gridStart + s * 30 * 60_000).toISOString());
        await insertBookings(t.service.db, starts);
        const [from, to] = a <= b ? [a, b] : [b, a];
        const expected = starts.filter((s) => localDate(s) >= from && localDate(s) <= to).sort();
        const got: string[] = [];
        let total = -1;
        for (let page = 1; page <= Math.ceil(expected.length / pageSize) + 1; page++) {
          const res = await t.request('GET', `/api/admin/bookings?from=${from}&to=${to}&page=${page}&pageSize=${pageSize}`, undefined, admin);
          expect(res.status).toBe(200);
          total = res.body.total;
          got.push(...res.body.bookings.map((x: { startDateTime: string }) => new Date(x.startDateTime).toISOString()));
        }
        expect(total).toBe(expected.length);
        expect(got).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
