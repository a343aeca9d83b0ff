import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBookingStore } from '../src/adapters/db/booking-store.ts';
import type { Database } from '../src/adapters/db/database.ts';
import { seedDemo } from '../src/adapters/db/seed.ts';
import { applyPaymentOutcome } from '../src/app/payment-outcome.ts';
import type { BookingRecord } from '../src/domain/booking.ts';
import type { BookingStore } from '../src/app/ports/booking-store.ts';
import type { DepositResult } from '../src/app/ports/payments.ts';
import { DEFAULT_REFUND_POLICY } from '../src/domain/refund-policy.ts';
import { ENGINES, createTestDatabase, type TestDatabase } from './helpers/db.ts';

/**
 * A hold's payment outcome is written by one of two paths: planned in TypeScript and replayed
 * by booking_apply (src/adapters/db/functions/booking_apply.sql) in one round trip, or the
 * general transaction (makeTx). Both must leave the same rows. Two databases seeded alike (the
 * same ids from one counter) take the same hold; one applies the outcome planned, the other
 * through the general path; the rows are then compared column for column.
 */
const NOW = Date.parse('2027-03-01T08:00:00Z');
const START = Date.parse('2027-03-03T09:00:00Z');

const counterUuid = () => {
  let n = 0;
  return () => `00000000-0000-4000-8000-${(++n).toString().padStart(12, '0')}`;
};

interface Side {
  database: TestDatabase;
  store: BookingStore;
  /** How many outcomes the planned path applied itself (booking_apply answered true). */
  planned: number;
}

/** The outcomes a hold just taken can receive, as the planned path covers them. */
const OUTCOMES: [string, (intent: string) => DepositResult][] = [
  ['payment captured (confirmed)', (id) => ({ outcome: 'succeeded', paymentIntentId: id, paymentStatus: 'captured' })],
  ['payment authorised (confirmed, capture scheduled)', (id) => ({ outcome: 'succeeded', paymentIntentId: id, paymentStatus: 'authorized' })],
  ['3-D Secure asked (awaiting authentication)', (id) => ({ outcome: 'requires_action', paymentIntentId: id, clientSecret: `${id}_secret` })],
  ['card declined (hold released)', (id) => ({ outcome: 'declined', paymentIntentId: id, declineCode: 'insufficient_funds' })],
  ['intent cancelled (hold released)', (id) => ({ outcome: 'canceled', paymentIntentId: id })],
  [
    'amount mismatch (hold released)',
    (id) => ({ outcome: 'succeeded', paymentIntentId: id, paymentStatus: 'captured', amount: { cents: 1, currency: 'EUR' } }),
  ],
];

async function rowsOf(db: Database, bookingId: string) {
  const q = (text: string) => db.query<Record<string, unknown>>(text, [bookingId]);
  return {
    booking: await q(`SELECT * FROM bookings WHERE id = $1`),
    busyBlocks: await q(`SELECT id, artisan_id, provider_id, source, summary, starts_at, ends_at, booking_id, during FROM busy_blocks WHERE booking_id = $1`),
    // run_at: the time asked for, or now() (the row's created_at: the clock of each database).
    outbox: await q(`SELECT id, topic, booking_id, payload, status,
      CASE WHEN run_at = created_at THEN NULL ELSE run_at END AS run_at, run_at = created_at AS run_at_now, last_error, done_at IS NOT NULL AS done FROM outbox WHERE booking_id = $1 ORDER BY topic, id`),
    events: await q(`SELECT type, actor, data FROM booking_events WHERE booking_id = $1 ORDER BY id`),
  };
}

describe.each(ENGINES)('booking_apply and the general transaction write the same rows on %s', (engine) => {
  const sides: Side[] = [];
  let artisanId = '';

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const database = await createTestDatabase(engine);
      const uuid = counterUuid();
      await seedDemo(database.db, uuid);
      const store = makeBookingStore(database.db, uuid);
      const side: Side = { database, store, planned: 0 };
      const applyPlanned = store.applyPlanned.bind(store);
      store.applyPlanned = async (expected, known, fn) => {
        const result = await applyPlanned(expected, known, fn);
        if (result.applied) side.planned += 1;
        return result;
      };
      sides.push(side);
    }
    artisanId = (await sides[0]!.database.db.query<{ id: string }>(`SELECT id FROM artisans`))[0]!.id;
  }, 120_000);
  afterAll(async () => {
    for (const side of sides) await side.database.destroy();
  });

  OUTCOMES.forEach(([name, outcome], i) => {
    it(name, async () => {
      const id = `10000000-0000-4000-8000-${i.toString().padStart(12, '0')}`;
      const startMs = START + i * 3_600_000;
      const booking: BookingRecord = {
        id, publicCode: `AC-PAR${i}00`, artisanId, serviceId: 'diag', serviceName: 'Diagnostic', status: 'pending_payment', channel: 'online',
        customer: { name: 'Jean Martin', email: 'jean@example.com', phone: '+33612345678', address: { street: '1 rue de la Paix', postalCode: '75002', city: 'Paris' } },
        problemDescription: 'Fuite sous l’évier',
        startMs, endMs: startMs + 30 * 60_000, durationMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 15,
        priceCents: 4000, depositRate: 0.3, depositCents: 1200, paymentStatus: 'pending', paymentProvider: 'simulated',
        paymentIntentId: null, paymentMethodId: 'pm_card_visa', refundCents: 0, refundedCents: 0, refundPolicy: DEFAULT_REFUND_POLICY,
        notifyEmail: true, notifySms: false, timezone: 'Europe/Paris', holdExpiresMs: NOW + 15 * 60_000, captureMethod: 'automatic',
        refundCapCents: null, dispute: null, cancelledBy: null, createdMs: NOW, updatedMs: NOW,
      };
      const results = [];
      for (const [n, side] of sides.entries()) {
        const held = await side.store.holdSlot({ booking, actor: 'customer', withinAuthorization: false, cap: null, consent: null, idempotency: null });
        expect(held.outcome).toBe('held');
        if (held.outcome !== 'held') return;
        const known = { booking: { ...booking, captureMethod: held.captureMethod }, reminderHours: held.reminderHours };
        const deps = { store: side.store, clock: { now: () => NOW + 60_000 } };
        // Side 0 plans the writes (booking_apply), side 1 runs the general transaction.
        const applied = await applyPaymentOutcome(deps, booking, outcome(`pi_${i}`), 'system', n === 0 ? known : undefined);
        results.push(applied);
      }
      expect(sides[0]!.planned, 'the planned path applied the outcome itself').toBe(i + 1);
      expect(sides[1]!.planned).toBe(0);
      expect(results[0]).toEqual(results[1]);
      const [planned, general] = [await rowsOf(sides[0]!.database.db, id), await rowsOf(sides[1]!.database.db, id)];
      expect(planned.booking).toHaveLength(1);
      expect(planned.events.length).toBeGreaterThan(1);
      expect(planned).toEqual(general);
    });
  });
});
