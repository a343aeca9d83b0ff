import { describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * The admin bookings list as a changes feed for integrations (issue 21, item 4): `updatedSince`
 * and cursor pagination. 1,000 bookings are written in SQL (groups of three changed at the same
 * microsecond, others apart by half a millisecond) and walked page by page while bookings are
 * created through the public API: none lost, none repeated. Clock: Monday 2027-03-01 08:00 Paris.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const GENERATED = 1_000;
const PAGE = 37;

describe.each(ENGINES)('the admin bookings changes feed on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const list = (query: string) => t.request('GET', `/api/admin/bookings?${query}`, undefined, adminHeaders());

  it('pages through 1,000 bookings with none lost or repeated while bookings are created during the walk', async () => {
    await t.service.db.query(
      `INSERT INTO bookings (id, public_code, artisan_id, service_id, service_name, status, customer_name, customer_email,
          starts_at, ends_at, duration_minutes, blocked_range, price_cents, deposit_rate, deposit_cents, payment_status,
          refund_policy, notify_email, notify_sms, created_at, updated_at)
       SELECT gen_random_uuid(), 'AC-G' || lpad(n::text, 5, '0'), a.id, 'diag', 'Diagnostic', 'confirmed', 'X', 'x@example.com',
          t0, t0 + interval '30 minutes', 30, tstzrange(t0, t0 + interval '30 minutes'), 4000, 0.3, 1200, 'authorized',
          '{"tiers":[]}', false, false, u, u
         FROM artisans a, generate_series(0, $1::int - 1) AS n,
              LATERAL (SELECT timestamptz '2027-04-01T06:00:00Z' + n * interval '30 minutes' AS t0,
                              timestamptz '2027-02-20T00:00:00Z' + (n / 3) * interval '500 microseconds' AS u) s`,
      [GENERATED],
    );
    const slots = ['2027-03-10', '2027-03-11', '2027-03-12', '2027-03-15'].flatMap((date) => ['09:00', '10:00', '11:00', '14:00', '15:00', '16:00'].map((time) => ({ date, time })));
    const created: string[] = [];
    const seen: string[] = [];
    let cursor: string | undefined;
    let first = true;
    for (let pages = 0; pages < 100; pages++) {
      const res = await list(first ? `updatedSince=2027-02-01T00:00:00Z&pageSize=${PAGE}` : `cursor=${cursor}&pageSize=${PAGE}`);
      first = false;
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      if (res.body.bookings.length === 0) {
        // The end for now: the same cursor again, to poll with later.
        expect(res.body.nextCursor).toBe(cursor);
        break;
      }
      seen.push(...res.body.bookings.map((b: { publicCode: string }) => b.publicCode));
      cursor = res.body.nextCursor as string;
      // A customer books while the integration walks the list.
      const slot = slots[created.length];
      if (slot) {
        const booked = await t.request('POST', '/api/bookings', bookingBody(slot.date, slot.time));
        expect(booked.status, JSON.stringify(booked.body)).toBe(201);
        created.push(booked.body.booking.publicCode as string);
      }
    }
    expect(new Set(seen).size).toBe(seen.length);
    const generated = Array.from({ length: GENERATED }, (_, n) => `AC-G${String(n).padStart(5, '0')}`);
    expect([...seen].sort()).toEqual([...generated, ...created].sort());
    // Changed order: the generated ones (older changes) first, in the order written.
    expect(seen.slice(0, GENERATED).filter((c) => c.startsWith('AC-G'))).toHaveLength(GENERATED);
  }, 120_000);

  it('updatedSince leaves out older changes; a change moves a booking after the cursor; a bad cursor is a 400', async () => {
    const old = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'));
    expect(old.status).toBe(201);
    t.clock.ms = START + 3_600_000;
    const recent = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '14:00'));
    expect(recent.status).toBe(201);
    const page = await list(`updatedSince=${encodeURIComponent(new Date(START + 3_600_000).toISOString())}`);
    expect(page.body.bookings.map((b: { publicCode: string }) => b.publicCode)).toEqual([recent.body.booking.publicCode]);
    expect(page.body.total).toBe(1);

    // The older booking moved later: it comes after the cursor reached.
    t.clock.ms = START + 7_200_000;
    const code = old.body.booking.publicCode as string;
    expect((await t.request('POST', `/api/admin/bookings/${code}/reschedule`, { newDate: '2027-03-11', newTime: '10:00' }, adminHeaders())).status).toBe(200);
    const next = await list(`cursor=${page.body.nextCursor}`);
    expect(next.body.bookings.map((b: { publicCode: string; time: string }) => [b.publicCode, b.time])).toEqual([[code, '10:00']]);

    for (const bad of ['abc', Buffer.from('12.pas-un-id').toString('base64url')]) {
      const res = await list(`cursor=${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'cursor' }] });
    }
    expect((await list('updatedSince=hier')).status).toBe(400);
    // Without them the list is the usual one, by appointment date, with no cursor.
    const usual = await list('from=2027-03-10&to=2027-03-12');
    expect(usual.body.nextCursor).toBeUndefined();
    expect(usual.body.bookings).toHaveLength(2);
  });
});
