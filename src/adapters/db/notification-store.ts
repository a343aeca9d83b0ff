import type { Delivery, NotificationStore } from '../../app/notification-ports.ts';
import type { BookingStore, PlanCode } from '../../app/ports.ts';
import type { Database } from './database.ts';

export interface NotificationSettings {
  reminderHoursBefore: number;
  notifyArtisanEmail: boolean;
}

/** What the notification worker reads and records, and the artisan's notification settings. */
export function makeNotificationStore(db: Database, bookings: Pick<BookingStore, 'findBookingById'>) {
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
    async updateSettings(artisanId: string, patch: Partial<NotificationSettings>): Promise<NotificationSettings | undefined> {
      const rows = await db.query<{ reminder_hours_before: number; notify_artisan_email: boolean }>(
        `UPDATE artisans SET reminder_hours_before = coalesce($2, reminder_hours_before),
                notify_artisan_email = coalesce($3, notify_artisan_email), updated_at = now()
          WHERE id = $1 RETURNING reminder_hours_before, notify_artisan_email`,
        [artisanId, patch.reminderHoursBefore ?? null, patch.notifyArtisanEmail ?? null],
      );
      return rows[0] ? { reminderHoursBefore: rows[0].reminder_hours_before, notifyArtisanEmail: rows[0].notify_artisan_email } : undefined;
    },
  };
}

export type NotificationDbStore = ReturnType<typeof makeNotificationStore>;
