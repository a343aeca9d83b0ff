import type { Delivery, NotificationStore } from '../../app/ports/notifications.ts';
import { sql } from 'kysely';
import type { BookingStore } from '../../app/ports/booking-store.ts';
import type { Database } from './database.ts';
import { rescheduleInvitations } from './due-visit-store.ts';
import { lockArtisanBookings } from './booking-store.ts';
import { first, qb, run } from './kysely.ts';
import { storedPlan } from './stored.ts';
import { planLimits } from '../../domain/plans.ts';

const REMINDER_TOPIC = 'notify.reminder';

export interface NotificationSettings {
  reminderHoursBefore: number;
  notifyArtisanEmail: boolean;
  /** Alerts by SMS too (new, moved, cancelled bookings); only on a plan with SMS. */
  notifyArtisanSms: boolean;
  /** Maintenance invitations go this many weeks before a visit's due date (issue 22). */
  maintenanceInviteWeeks: number;
  /** The artisan's plan includes SMS (read only). */
  smsInPlan: boolean;
}

const SETTINGS_COLUMNS = ['reminder_hours_before', 'notify_artisan_email', 'notify_artisan_sms', 'maintenance_invite_weeks', 'plan'] as const;

const presentSettings = (r: { reminder_hours_before: number; notify_artisan_email: boolean; notify_artisan_sms: boolean; maintenance_invite_weeks: number; plan: string }): NotificationSettings => ({
  reminderHoursBefore: r.reminder_hours_before,
  maintenanceInviteWeeks: r.maintenance_invite_weeks,
  notifyArtisanEmail: r.notify_artisan_email,
  notifyArtisanSms: r.notify_artisan_sms,
  smsInPlan: planLimits(storedPlan(r.plan)).sms,
});

/** What the notification worker reads and records, and the artisan's notification settings. */
export function makeNotificationStore(db: Database, bookings: Pick<BookingStore, 'findBookingById'>, uuid: () => string) {
  const store: NotificationStore = {
    async readContext(bookingId) {
      const booking = await bookings.findBookingById(bookingId);
      if (!booking) return undefined;
      const a = await first(
        db,
        qb
          .selectFrom('artisans as a')
          .select((eb) => [
            'a.id',
            'a.display_name',
            'a.email',
            'a.phone',
            'a.timezone',
            'a.plan',
            'a.notify_artisan_email',
            'a.notify_artisan_sms',
            'a.reminder_hours_before',
            eb
              .selectFrom('booking_events as e')
              .select(sql<number>`count(*)::int`.as('n'))
              .where('e.artisan_id', '=', booking.artisanId)
              .where('e.booking_id', '=', booking.id)
              .where('e.type', 'in', ['rescheduled', 'cancelled'])
              .as('sequence'),
          ])
          .where('a.id', '=', booking.artisanId),
      );
      if (!a) return undefined;
      return {
        booking,
        // A count(*) subquery always answers a row.
        sequence: a.sequence ?? 0,
        artisan: {
          id: a.id,
          displayName: a.display_name,
          email: a.email,
          phone: a.phone,
          timezone: a.timezone,
          plan: storedPlan(a.plan),
          notifyArtisanEmail: a.notify_artisan_email,
          notifyArtisanSms: a.notify_artisan_sms,
          reminderHoursBefore: a.reminder_hours_before,
        },
      };
    },
    async deliveredKeys(artisanId, outboxId) {
      const rows = await run(
        db,
        qb.selectFrom('notification_deliveries').select('delivery_key').where('artisan_id', '=', artisanId).where('outbox_id', '=', outboxId),
      );
      return new Set(rows.map((r) => r.delivery_key));
    },
    async recordDelivery(d: Delivery) {
      await run(
        db,
        qb
          .insertInto('notification_deliveries')
          .values({
            artisan_id: d.artisanId,
            outbox_id: d.outboxId,
            delivery_key: d.key,
            channel: d.channel,
            message_id: d.messageId,
            provider_ref: d.providerRef,
            booking_id: d.bookingId,
            sent_at: new Date(d.sentMs),
          })
          .onConflict((oc) => oc.doNothing()),
      );
    },
  };
  return {
    ...store,
    async readSettings(artisanId: string): Promise<NotificationSettings | undefined> {
      const r = await first(db, qb.selectFrom('artisans').select(SETTINGS_COLUMNS).where('id', '=', artisanId));
      return r ? presentSettings(r) : undefined;
    },
    /**
     * A new reminder lead time applies to the reminders still to send: the pending ones are
     * dropped and every upcoming active booking gets one at the new time, unless that time is
     * already past or its reminder for this start already went out. Under the artisan's booking
     * write lock, so a booking confirmed meanwhile is scheduled with one lead time or the other.
     */
    async updateSettings(artisanId: string, patch: Partial<Omit<NotificationSettings, 'smsInPlan'>>, nowMs: number): Promise<NotificationSettings | undefined> {
      return db.transaction(async (tx) => {
        if (patch.reminderHoursBefore !== undefined) await lockArtisanBookings(tx, artisanId);
        // Absent fields stay as they are: Kysely leaves undefined values out of the SET list.
        const updated = await first(
          tx,
          qb
            .updateTable('artisans')
            .set({
              reminder_hours_before: patch.reminderHoursBefore,
              notify_artisan_email: patch.notifyArtisanEmail,
              notify_artisan_sms: patch.notifyArtisanSms,
              maintenance_invite_weeks: patch.maintenanceInviteWeeks,
              updated_at: sql<Date>`now()`,
            })
            .where('id', '=', artisanId)
            .returning(SETTINGS_COLUMNS),
        );
        if (!updated) return undefined;
        // Invitations not sent yet follow the new lead time (at once when it has already come).
        if (patch.maintenanceInviteWeeks !== undefined) await rescheduleInvitations(tx, artisanId, nowMs);
        const hours = patch.reminderHoursBefore;
        if (hours !== undefined) {
          await run(
            tx,
            qb
              .updateTable('outbox as o')
              .from('bookings as b')
              .set({ status: 'cancelled' })
              .whereRef('o.booking_id', '=', 'b.id')
              .where('o.artisan_id', '=', artisanId)
              .where('b.artisan_id', '=', artisanId)
              .where('o.topic', '=', REMINDER_TOPIC)
              .where('o.status', '=', 'pending'),
          );
          if (hours > 0) {
            const startMs = sql<string>`(extract(epoch FROM b.starts_at) * 1000)::bigint::text`;
            const due = await run(
              tx,
              qb
                .selectFrom('bookings as b')
                .select(['b.id', startMs.as('start_ms')])
                .where('b.artisan_id', '=', artisanId)
                .where('b.status', 'in', ['confirmed', 'rescheduled'])
                .where(sql<boolean>`b.starts_at - make_interval(hours => ${hours}) > ${new Date(nowMs)}::timestamptz`)
                .where(({ not, exists, selectFrom }) =>
                  not(
                    exists(
                      selectFrom('outbox as o')
                        .select(sql<number>`1`.as('one'))
                        .whereRef('o.artisan_id', '=', 'b.artisan_id')
                        .whereRef('o.booking_id', '=', 'b.id')
                        .where('o.topic', '=', REMINDER_TOPIC)
                        .where('o.status', 'in', ['done', 'dead'])
                        .where(sql<boolean>`o.payload ->> 'startMs' = ${startMs}`),
                    ),
                  ),
                ),
            );
            if (due.length > 0) {
              await run(
                tx,
                qb
                  .insertInto('outbox')
                  .columns(['artisan_id', 'id', 'topic', 'booking_id', 'payload', 'run_at'])
                  .expression(
                    sql`SELECT ${artisanId}::uuid, id, ${REMINDER_TOPIC}, booking_id, jsonb_build_object('startMs', start_ms), to_timestamp(start_ms / 1000.0) - make_interval(hours => ${hours})
                          FROM unnest(${due.map(() => uuid())}::uuid[], ${due.map((d) => d.id)}::uuid[], ${due.map((d) => d.start_ms)}::bigint[]) AS r(id, booking_id, start_ms)`,
                  ),
              );
            }
          }
        }
        return presentSettings(updated);
      });
    },
  };
}

export type NotificationDbStore = ReturnType<typeof makeNotificationStore>;
