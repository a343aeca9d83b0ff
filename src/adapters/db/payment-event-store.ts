import type { PaymentEvent, PaymentEventStore } from '../../app/payment-events.ts';
import { TOPICS } from '../../app/booking-effects.ts';
import { selectBookings, toBooking } from './booking-row.ts';
import type { Database } from './database.ts';
import { first } from './kysely.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function makePaymentEventStore(db: Database, uuid: () => string): PaymentEventStore {
  return {
    async recordEvent(provider, event, artisanId) {
      return db.transaction(async (q) => {
        // The booking (and so the artisan) the event is about: its metadata, else its intent.
        // Routed to a business (Stripe Connect): only among that business's bookings.
        const bookingId = event.bookingId && UUID.test(event.bookingId) ? event.bookingId : null;
        const inserted = await q.query<{ artisan_id: string; booking_id: string | null }>(
          `INSERT INTO payment_events (id, provider, artisan_id, booking_id, type, object_id, payload)
           SELECT $1, $2, coalesce($8::uuid, b.artisan_id), b.id, $3, $4, $5::jsonb
             FROM (SELECT 1) one
             LEFT JOIN LATERAL (
               SELECT id, artisan_id FROM bookings
                WHERE (id = $6::uuid OR ($6::uuid IS NULL AND payment_intent_id = $7))
                  AND ($8::uuid IS NULL OR artisan_id = $8::uuid)
                LIMIT 1) b ON true
            -- An event about no business of this instance (no booking, no routed account) is
            -- acknowledged and not kept: there is nobody to apply it to.
            WHERE coalesce($8::uuid, b.artisan_id) IS NOT NULL
           ON CONFLICT (artisan_id, id) DO NOTHING RETURNING artisan_id, booking_id`,
          [event.id, provider, event.type, event.objectId, JSON.stringify(event), bookingId, event.paymentIntentId, artisanId ?? null],
        );
        if (inserted.length === 0) return false;
        await q.query(`INSERT INTO outbox (artisan_id, id, topic, booking_id, payload) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
          inserted[0]!.artisan_id,
          uuid(),
          TOPICS.webhook,
          inserted[0]!.booking_id,
          JSON.stringify({ eventId: event.id }),
        ]);
        return true;
      });
    },
    async findEvent(artisanId, id) {
      const rows = await db.query<{ payload: PaymentEvent; booking_id: string | null; artisan_id: string | null }>(
        `SELECT payload, booking_id, artisan_id FROM payment_events WHERE artisan_id = $1 AND id = $2`,
        [artisanId, id],
      );
      const row = rows[0];
      return row ? { ...row.payload, account: row.payload.account ?? null, bookingIdResolved: row.booking_id, artisanId: row.artisan_id } : undefined;
    },
    async findBookingByPaymentIntent(paymentIntentId, artisanId) {
      let query = selectBookings().where('b.payment_intent_id', '=', paymentIntentId);
      if (artisanId) query = query.where('b.artisan_id', '=', artisanId);
      const row = await first(db, query.orderBy('b.created_at', 'desc').limit(1));
      return row ? toBooking(row) : undefined;
    },
  };
}
