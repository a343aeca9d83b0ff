import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite, type TestService } from './helpers/service.ts';
import { adminHeaders } from './helpers/admin.ts';

/** Plan limits (decisions §8) and customers' data rights (issue 3 §7–8). */

type Res = Awaited<ReturnType<TestService['request']>>;
const START = Date.parse('2027-03-01T07:00:00Z');
const admin = adminHeaders();

function expectError(res: Res, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
}

/** The open diag slots of a weekday: 08:30–11:30 and 13:00–17:30, every 30 minutes (17). */
const DAY_SLOTS = ['08:30', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00', '17:30'];

describe.each(ENGINES)('plan limits on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const setPlan = (plan: string) => t.service.db.query('UPDATE artisans SET plan = $1', [plan]);

  it('a starter artisan takes 50 online bookings a month; the 51st is refused in French, the artisan can still book by phone, and April starts afresh', async () => {
    await setPlan('starter');
    try {
      const days = ['2027-03-03', '2027-03-04', '2027-03-05'];
      const slots = days.flatMap((d) => DAY_SLOTS.map((time) => [d, time] as const)).slice(0, 51);
      const codes: string[] = [];
      for (const [date, time] of slots.slice(0, 50)) {
        const res = await t.request('POST', '/api/bookings', bookingBody(date, time));
        expect(res.status, `${date} ${time}: ${JSON.stringify(res.body)}`).toBe(201);
        codes.push(res.body.booking.publicCode);
      }
      // A cancelled booking was still taken this month: it keeps counting.
      expect((await t.request('POST', `/api/bookings/${codes[0]}/cancel`, { email: 'jean@example.com' })).status).toBe(200);

      const refused = await t.request('POST', '/api/bookings', bookingBody(...slots[50]!));
      expectError(refused, 409, 'PLAN_LIMIT_REACHED');
      expect(refused.body.error.message).toBe(
        'Ce professionnel ne prend plus de réservation en ligne ce mois-ci. Merci de le contacter directement par téléphone ou par e-mail.',
      );
      expect((await t.service.db.query(`SELECT 1 FROM bookings`)).length).toBe(50);

      const byPhone = await t.request('POST', '/api/admin/bookings', bookingBody(...slots[50]!), admin);
      expect(byPhone.status).toBe(201);

      t.clock.set('2027-03-31T21:59:00Z'); // 23:59 in Paris (+02:00): still March.
      expectError(await t.request('POST', '/api/bookings', bookingBody('2027-04-06', '09:00')), 409, 'PLAN_LIMIT_REACHED');
      t.clock.set('2027-03-31T22:00:00Z'); // Midnight on 1 April in Paris.
      expect((await t.request('POST', '/api/bookings', bookingBody('2027-04-06', '09:00'))).status).toBe(201);
    } finally {
      await setPlan('pro');
    }
  }, 60_000);

  it('concurrent requests at the cap never overshoot it', async () => {
    await setPlan('starter');
    try {
      await t.service.db.query(
        `INSERT INTO bookings (id, public_code, artisan_id, service_id, service_name, status, customer_name, customer_email,
            starts_at, ends_at, duration_minutes, blocked_range, price_cents, deposit_rate, deposit_cents, payment_status,
            refund_policy, notify_email, notify_sms, created_at, updated_at)
         SELECT gen_random_uuid(), 'AC-' || lpad(i::text, 6, '0'), a.id, 'diag', 'Diagnostic', 'confirmed', 'X', 'x@example.com',
            t0, t0 + interval '30 minutes', 30, tstzrange(t0, t0 + interval '30 minutes'), 4000, 0.3, 1200, 'authorized',
            '{"tiers":[]}', true, false, '2027-03-01T06:00:00Z', '2027-03-01T06:00:00Z'
           FROM artisans a, generate_series(1, 48) i, LATERAL (SELECT timestamptz '2027-05-03T06:00:00Z' + i * interval '1 day' AS t0) s`,
      );
      const results = await Promise.all(
        DAY_SLOTS.slice(0, 8).map((time, i) => t.request('POST', '/api/bookings', bookingBody('2027-03-10', time, { customer: { name: `Client ${i}`, email: `c${i}@example.com` } }))),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(2);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'PLAN_LIMIT_REACHED')).toBe(true);
    } finally {
      await setPlan('pro');
    }
  });

  it('pro and business artisans have no booking cap', async () => {
    for (const plan of ['pro', 'business']) {
      await setPlan(plan);
      await t.service.db.query(`UPDATE bookings SET created_at = '2027-03-01T06:00:00Z'`);
      const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', plan === 'pro' ? '09:00' : '10:00'));
      expect(res.status).toBe(201);
    }
    await setPlan('pro');
  });
});

describe.each(ENGINES)('customer data rights on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const EMAIL = 'sophie.bernard@example.com';
  const customer = { name: 'Sophie Bernard', email: EMAIL, phone: '+33687654321', address: { street: '8 impasse des Tilleuls', postalCode: '69003', city: 'Lyon' } };

  it('exports everything held about one customer, and nothing about others', async () => {
    const mine = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00', { customer }));
    await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '10:00'));
    const res = await t.request('GET', `/api/admin/customers/export?email=${encodeURIComponent(' Sophie.Bernard@Example.com ')}`, undefined, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.email).toBe(EMAIL);
    expect(res.body.bookings).toHaveLength(1);
    expect(res.body.bookings[0].booking).toMatchObject({ publicCode: mine.body.booking.publicCode, customer: { ...customer, phone: '+33687654321' } });
    expect(res.body.bookings[0].history.map((h: { type: string }) => h.type)).toEqual(['hold_taken', 'confirmed']);
    expect(JSON.stringify(res.body)).not.toContain('jean@example.com');
    expectError(await t.request('GET', '/api/admin/customers/export?email=pas-un-email', undefined, admin), 400, 'VALIDATION_ERROR');
  });

  it('refuses to erase a customer with an appointment to come, naming it', async () => {
    const b = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00', { customer }));
    const res = await t.request('POST', '/api/admin/customers/erase', { email: EMAIL }, admin);
    expectError(res, 409, 'CUSTOMER_HAS_ACTIVE_BOOKINGS');
    expect(res.body.error.message).toContain(b.body.booking.publicCode);
    expectError(await t.request('POST', '/api/admin/customers/erase', { email: 'inconnu@example.com' }, admin), 404, 'CUSTOMER_NOT_FOUND');
  });

  it('erases personal data everywhere but keeps the booking and payment records', async () => {
    const past = await t.request('POST', '/api/bookings', bookingBody('2027-03-02', '09:00', { customer }), { 'idempotency-key': 'cle-sophie-1' });
    const cancelled = await t.request('POST', '/api/bookings', bookingBody('2027-03-11', '09:00', { customer }));
    await t.request('POST', `/api/bookings/${cancelled.body.booking.publicCode}/cancel`, { email: EMAIL });
    t.clock.set('2027-03-05T07:00:00Z');

    const res = await t.request('POST', '/api/admin/customers/erase', { email: EMAIL.toUpperCase() }, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ erasedBookings: 2 });

    const rows = await t.service.db.query<Record<string, unknown>>(`SELECT * FROM bookings ORDER BY starts_at`);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ customer_name: 'Client effacé', customer_phone: null, customer_address: null, price_cents: 4000, deposit_cents: 1200 });
      expect(row.customer_email).toMatch(/@anonyme\.invalid$/);
      expect(row.payment_intent_id).toMatch(/^pi_/);
      expect(row.anonymized_at).not.toBeNull();
    }
    const everything = JSON.stringify(
      await Promise.all(['bookings', 'booking_events', 'busy_blocks', 'outbox', 'idempotency_keys'].map((table) => t.service.db.query(`SELECT * FROM ${table}`))),
    );
    expect(everything).not.toMatch(/Sophie|Bernard|sophie\.bernard|687654321|Tilleuls|69003/i);

    // The customer's old code + e-mail no longer finds anything; the artisan still sees the record.
    expect((await t.request('GET', `/api/bookings/public?code=${past.body.booking.publicCode}&email=${EMAIL}`)).status).toBe(404);
    const detail = await t.request('GET', `/api/admin/bookings/${past.body.booking.publicCode}`, undefined, admin);
    expect(detail.body.booking).toMatchObject({ customer: { name: 'Client effacé' }, deposit: { amountCents: 1200 } });
    expect(detail.body.history.at(-1)).toMatchObject({ type: 'customer_erased', actor: 'token:ADMIN_API_TOKEN' });
    expect((await t.request('GET', `/api/admin/customers/export?email=${EMAIL}`, undefined, admin)).body.bookings).toEqual([]);
  });
});
