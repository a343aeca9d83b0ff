import { sql } from 'kysely';
import type { DueVisit, DueVisitReader } from '../../app/due-visits.ts';
import type { BookingRecord } from '../../domain/booking.ts';
import { instantToLocal } from '../../domain/time.ts';
import type { Database, Queryable } from './database.ts';
import { qb, run } from './kysely.ts';
import { storedAddress } from './stored.ts';

/**
 * Opens the visit that follows a completed booking, in the completion's transaction: only
 * when its service carries an interval and the customer ticked « Me proposer le prochain
 * entretien » when booking. Due on the visit's local date plus the interval (PostgreSQL's
 * month arithmetic: 31 January + 1 month is 28 or 29 February). Once per booking.
 */
export async function openNextVisit(q: Queryable, uuid: () => string, artisanId: string, booking: BookingRecord, nowMs: number): Promise<void> {
  const visitDate = instantToLocal(booking.startMs, booking.timezone).date;
  const now = new Date(nowMs);
  await run(
    q,
    qb
      .insertInto('due_visits')
      .columns([
        'artisan_id', 'id', 'service_id', 'previous_booking_id', 'due_on', 'interval_months',
        'customer_name', 'customer_email', 'customer_phone', 'address', 'created_at', 'updated_at',
      ])
      .expression(
        qb
          .selectFrom('services as s')
          .innerJoin('booking_consents as c', (j) => j.onRef('c.artisan_id', '=', 's.artisan_id'))
          .select([
            's.artisan_id',
            sql<string>`${uuid()}::uuid`.as('id'),
            's.id as service_id',
            'c.booking_id',
            sql<string>`(${visitDate}::date + make_interval(months => s.maintenance_interval_months))::date`.as('due_on'),
            sql<number>`s.maintenance_interval_months`.as('interval_months'),
            sql<string>`${booking.customer.name}::text`.as('customer_name'),
            sql<string | null>`${booking.customer.email ?? null}::text`.as('customer_email'),
            sql<string | null>`${booking.customer.phone ?? null}::text`.as('customer_phone'),
            sql<string | null>`${booking.customer.address ? JSON.stringify(booking.customer.address) : null}::jsonb`.as('address'),
            sql<Date>`${now}::timestamptz`.as('created_at'),
            sql<Date>`${now}::timestamptz`.as('updated_at'),
          ])
          .where('s.artisan_id', '=', artisanId)
          .where('s.id', '=', booking.serviceId)
          .where('s.maintenance_interval_months', 'is not', null)
          .where('c.booking_id', '=', booking.id)
          .where('c.next_visit', '=', true),
      )
      .onConflict((oc) => oc.constraint('due_visits_previous_booking').doNothing()),
  );
}

export function makeDueVisitReader(db: Database): DueVisitReader {
  return {
    async list(artisanId, limit) {
      const rows = await run(
        db,
        qb
          .selectFrom('due_visits as v')
          .innerJoin('services as s', (j) => j.onRef('s.artisan_id', '=', 'v.artisan_id').onRef('s.id', '=', 'v.service_id'))
          .innerJoin('bookings as b', (j) => j.onRef('b.artisan_id', '=', 'v.artisan_id').onRef('b.id', '=', 'v.previous_booking_id'))
          .select([
            'v.id', 'v.service_id', 's.name as service_name', 'b.public_code', 'v.status', 'v.interval_months',
            'v.customer_name', 'v.customer_email', 'v.customer_phone', 'v.address',
            sql<string>`v.due_on::text`.as('due_on'),
          ])
          .where('v.artisan_id', '=', artisanId)
          .orderBy('v.due_on')
          .orderBy('v.id')
          .limit(limit),
      );
      return rows.map(
        (r): DueVisit => ({
          id: r.id,
          serviceId: r.service_id,
          serviceName: r.service_name,
          previousBookingCode: r.public_code,
          dueOn: r.due_on,
          intervalMonths: r.interval_months,
          status: r.status === 'closed' ? 'closed' : 'due',
          customer: {
            name: r.customer_name,
            ...(r.customer_email ? { email: r.customer_email } : {}),
            ...(r.customer_phone ? { phone: r.customer_phone } : {}),
            ...(r.address ? { address: storedAddress(r.address) } : {}),
          },
        }),
      );
    },
  };
}
