import type { Delivery, NotificationStore } from '../../app/notification-ports.ts';
import type { BookingStore, PlanCode } from '../../app/ports.ts';
import type { Database } from './database.ts';
import { lockArtisanBookings } from './booking-store.ts';

const REMINDER_TOPIC = 'notify.reminder';

export interface NotificationSettings {
  reminderHoursBefore: number;
  notifyArtisanEmail: boolean;
}

/** What the notification worker reads and records, and the artisan's notification settings. */
export function makeNotificationStore(db: Database, bookings: Pick<BookingStore, 'findBookingById'>, uuid: () => string) {
  const store: NotificationStore = {
    async readContext(bookingId) {
      const booking = await bookings.findBookingById(bookingId);
      if (!booking) return undefined;
      const rows = await db.query<Record<string, unknown>>(
        `SELECT a.id, a.display_name, a.email, a.phone, a.timezone, a.plan, a.notify_artisan_email, a.reminder_hours_before,
                (SELECT count(*)::int FROM booking_events e WHERE e.booking_id = $2 AND e.type IN ('rescheduled', 'cancelled')) AS sequence
           FROM artisans a WHERE a.id = $1`,
        [booking.artisanId, booking.id],
      );
      const a = rows[0];
      if (!a) return undefined;
      return {
        booking,
        sequence: a.sequence as number,
        artisan: {
          id: a.id as string,
          displayName: a.display_name as string,
          email: a.email as string,
          phone: (a.phone as string | null) ?? null,
          timezone: a.timezone as string,
          plan: a.plan as PlanCode,
          notifyArtisanEmail: a.notify_artisan_email as boolean,
          reminderHoursBefore: a.reminder_hours_before as number,
        },
      };
    },
    async deliveredKeys(outboxId) {
      const rows = await db.query<{ delivery_key: string }>(`SELECT delivery_key FROM notification_deliveries WHERE outbox_id = $1`, [outboxId]);
      return new Set(rows.map((r) => r.delivery_key));
    },
    async recordDelivery(d: Delivery) {
      await db.query(
        `INSERT INTO notification_deliveries (outbox_id, delivery_key, channel, message_id, provider_ref, booking_id, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [d.outboxId, d.key, d.channel, d.messageId, d.providerRef, d.bookingId, new Date(d.sentMs).toISOString()],
      );
    },
  };
  return {
    ...store,
    async readSettings(artisanId: string): Promise<NotificationSettings | undefined> {
      const rows = await db.query<{ reminder_hours_before: number; notify_artisan_email: boolean }>(
        `SELECT reminder_hours_before, notify_artisan_email FROM artisans WHERE id = $1`,
        [artisanId],
      );
      return rows[0] ? { reminderHoursBefore: rows[0].reminder_hours_before, notifyArtisanEmail: rows[0].notify_artisan_email } : undefined;
    },
    /**
     * A new reminder lead time applies to the reminders still to send: the pending ones are
     * dropped and every upcoming active booking gets one at the new time, unless that time is
     * already past or its reminder for this start already went out. Under the artisan's booking
     * write lock, so a booking confirmed meanwhile is scheduled with one lead time or the other.
     */
    async updateSettings(artisanId: string, patch: Partial<NotificationSettings>, nowMs: number): Promise<NotificationSettings | undefined> {
      return db.transaction(async (tx) => {
        if (patch.reminderHoursBefore !== undefined) await lockArtisanBookings(tx, artisanId);
        const rows = await tx.query<{ reminder_hours_before: number; notify_artisan_email: boolean }>(
          `UPDATE artisans SET reminder_hours_before = coalesce($2, reminder_hours_before),
                  notify_artisan_email = coalesce($3, notify_artisan_email), updated_at = now()
            WHERE id = $1 RETURNING reminder_hours_before, notify_artisan_email`,
          [artisanId, patch.reminderHoursBefore ?? null, patch.notifyArtisanEmail ?? null],
        );
        if (!rows[0]) return undefined;
        const hours = patch.reminderHoursBefore;
        if (hours !== undefined) {
          await tx.query(
            `UPDATE outbox o SET status = 'cancelled' FROM bookings b
              WHERE o.booking_id = b.id AND b.artisan_id = $1 AND o.topic = $2 AND o.status = 'pending'`,
            [artisanId, REMINDER_TOPIC],
          );
          if (hours > 0) {
            const due = await tx.query<{ id: string; start_ms: string }>(
              `SELECT b.id, (extract(epoch FROM b.starts_at) * 1000)::bigint::text AS start_ms FROM bookings b
                WHERE b.artisan_id = $1 AND b.status IN ('confirmed', 'rescheduled')
                  AND b.starts_at - make_interval(hours => $2) > $3::timestamptz
                  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.booking_id = b.id AND o.topic = $4 AND o.status IN ('done', 'dead')
                                     AND o.payload ->> 'startMs' = (extract(epoch FROM b.starts_at) * 1000)::bigint::text)`,
              [artisanId, hours, new Date(nowMs).toISOString(), REMINDER_TOPIC],
            );
            if (due.length > 0) {
              await tx.query(
                `INSERT INTO outbox (id, topic, booking_id, payload, run_at)
                 SELECT id, $4, booking_id, jsonb_build_object('startMs', start_ms), to_timestamp(start_ms / 1000.0) - make_interval(hours => $5)
                   FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS r(id, booking_id, start_ms)`,
                [due.map(() => uuid()), due.map((d) => d.id), due.map((d) => d.start_ms), REMINDER_TOPIC, hours],
              );
            }
          }
        }
        return { reminderHoursBefore: rows[0].reminder_hours_before, notifyArtisanEmail: rows[0].notify_artisan_email };
      });
    },
  };
}

export type NotificationDbStore = ReturnType<typeof makeNotificationStore>;
