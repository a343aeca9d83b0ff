import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeBookingStore } from '../src/adapters/db/booking-store.ts';
import { ENGINES } from './helpers/db.ts';
import { serviceForSuite } from './helpers/service.ts';
import { addBusiness } from './helpers/tenants.ts';

/**
 * Payment reconciliation takes businesses in turns (issue 19 item 7): business A has 60
 * payments stuck open (older than anyone's); the next pass still re-reads business B's.
 */
const START = Date.parse('2027-03-01T07:00:00Z');

describe.each(ENGINES)('payment reconciliation fairness on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [a]);
    b = (await addBusiness(t.service.db, a, 'chauffage-martin', 'Chauffage Martin')).id;
  });

  /** `n` bookings of a business whose deposit is held (the slot waits for it), last changed `minutesAgo`. */
  const holds = (artisanId: string, n: number, minutesAgo: number) =>
    t.service.db.query(
      `INSERT INTO bookings (id, public_code, artisan_id, service_id, service_name, status, customer_name, customer_email,
          starts_at, ends_at, duration_minutes, blocked_range, price_cents, deposit_rate, deposit_cents, payment_status,
          refund_policy, notify_email, notify_sms, created_at, updated_at, payment_intent_id)
       SELECT gen_random_uuid(), 'AC-' || upper(substr(md5(random()::text), 1, 6)), $1, 'diag', 'Diagnostic', 'pending_payment', 'X', 'x@example.com',
          t0, t0 + interval '30 minutes', 30, tstzrange(t0, t0 + interval '30 minutes'), 4000, 0.3, 1200, 'pending',
          '{"tiers":[]}', false, false, u, u, 'pi_' || md5(random()::text)
         FROM generate_series(0, $2::int - 1) AS n,
              LATERAL (SELECT timestamptz '2027-03-10T07:00:00Z' + n * interval '30 minutes' AS t0,
                              now() - make_interval(mins => $3::int) + n * interval '1 second' AS u) s`,
      [artisanId, n, minutesAgo],
    );

  it("B's open payment is in the next pass although A has 60 older ones", async () => {
    await holds(a, 60, 120);
    await holds(b, 1, 60);
    const store = makeBookingStore(t.service.db, randomUUID);
    const open = await store.findOpenPayments({ quietSinceMs: Date.now() - 5 * 60_000, endedSinceMs: Date.now() - 86_400_000, limit: 50 });
    expect(open).toHaveLength(50);
    expect(open.filter((o) => o.artisanId === b)).toHaveLength(1);
    expect(open.filter((o) => o.artisanId === a)).toHaveLength(49);
  });
});
