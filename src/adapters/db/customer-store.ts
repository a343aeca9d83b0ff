import { sql, type RawBuilder } from 'kysely';
import type { CustomerMatch, CustomerStore, KnownCustomer } from '../../app/ports/customer-store.ts';
import { VISIBLE_STATUSES } from '../../domain/booking-lifecycle.ts';
import { selectBookings, toBooking } from './booking-row.ts';
import type { Database } from './database.ts';
import { first, qb, run } from './kysely.ts';
import { storedAddress } from './stored.ts';
import type { Json } from './schema.ts';

/**
 * What a search matches on a booking row (alias `b`): part of the customer's name or e-mail
 * (LIKE wildcards typed by the artisan are matched literally) and, for a phone fragment, its
 * digits within the stored number's digits (E.164 stored, any format typed: phone-search.ts).
 */
export function customerMatchSql(match: CustomerMatch, withCode = false): RawBuilder<boolean> {
  const p = `%${match.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const code = withCode ? sql`OR b.public_code ILIKE ${p}` : sql``;
  const digits = match.phoneDigits
    ? sql`OR regexp_replace(coalesce(b.customer_phone, ''), '[^0-9]', '', 'g') LIKE ${`%${match.phoneDigits}%`}`
    : sql``;
  return sql<boolean>`(b.customer_name ILIKE ${p} OR coalesce(b.customer_email, '') ILIKE ${p} OR coalesce(b.customer_phone, '') ILIKE ${p} ${code} ${digits})`;
}

interface LookupRow {
  customer_name: string;
  customer_email: string | null;
  customer_phone: string | null;
  customer_address: unknown;
  last_date: string;
  visits: number;
}

export function makeCustomerStore(db: Database): CustomerStore {
  return {
    async lookup(artisanId, match, limit) {
      // One row per customer (by e-mail, or phone without one): the details of their latest booking.
      const rows = await run(
        db,
        qb
          .with('matching', (w) =>
            w
              .selectFrom('bookings as b')
              .innerJoin('artisans as a', 'a.id', 'b.artisan_id')
              .select([
                sql<string>`to_char(b.starts_at AT TIME ZONE a.timezone, 'YYYY-MM-DD')`.as('last_date'),
                'b.customer_name',
                'b.customer_email',
                'b.customer_phone',
                'b.customer_address',
                'b.starts_at',
                sql<string>`coalesce('email:' || b.customer_email, 'phone:' || b.customer_phone)`.as('who'),
              ])
              .where('b.artisan_id', '=', artisanId)
              .where('b.anonymized_at', 'is', null)
              .where(sql<boolean>`b.status = ANY(${[...VISIBLE_STATUSES]})`)
              .where(sql<boolean>`(b.customer_email IS NOT NULL OR b.customer_phone IS NOT NULL)`)
              .where(customerMatchSql(match)),
          )
          .with('latest', (w) =>
            w
              .selectFrom('matching')
              .distinctOn('who')
              .select(['customer_name', 'customer_email', 'customer_phone', 'customer_address', 'starts_at', 'last_date', sql<number>`count(*) OVER (PARTITION BY who)::int`.as('visits')])
              .orderBy('who')
              .orderBy('starts_at', 'desc'),
          )
          .selectFrom('latest')
          .select(['customer_name', 'customer_email', 'customer_phone', 'customer_address', 'visits', 'last_date'])
          .orderBy('starts_at', 'desc')
          .limit(limit),
      );
      return (rows as LookupRow[]).map(
        (r): KnownCustomer => ({
          name: r.customer_name,
          email: r.customer_email,
          phone: r.customer_phone,
          address: r.customer_address ? storedAddress(r.customer_address as Json) : null,
          lastVisitDate: r.last_date,
          visits: r.visits,
        }),
      );
    },

    async bookingsOf(artisanId, who) {
      const rows = await run(
        db,
        selectBookings()
          .where('b.artisan_id', '=', artisanId)
          .where(sql<boolean>`b.status = ANY(${[...VISIBLE_STATUSES]})`)
          .where((eb) =>
            eb.or([
              ...(who.email ? [eb('b.customer_email', '=', who.email)] : []),
              ...(who.phone ? [eb('b.customer_phone', '=', who.phone)] : []),
            ]),
          )
          .orderBy('b.starts_at')
          .orderBy('b.public_code'),
      );
      return rows.map(toBooking);
    },

    async readBookingNote(artisanId, bookingId) {
      const row = await first(db, qb.selectFrom('booking_notes').select('body').where('artisan_id', '=', artisanId).where('booking_id', '=', bookingId));
      return row?.body ?? null;
    },

    async writeBookingNote(artisanId, bookingId, body, nowMs) {
      if (body === null) {
        await run(db, qb.deleteFrom('booking_notes').where('artisan_id', '=', artisanId).where('booking_id', '=', bookingId));
        return;
      }
      const at = new Date(nowMs);
      await run(
        db,
        qb
          .insertInto('booking_notes')
          .values({ artisan_id: artisanId, booking_id: bookingId, body, updated_at: at })
          .onConflict((oc) => oc.columns(['artisan_id', 'booking_id']).doUpdateSet({ body, updated_at: at })),
      );
    },

    async readCustomerNote(artisanId, customerKey) {
      const row = await first(db, qb.selectFrom('customer_notes').select('body').where('artisan_id', '=', artisanId).where('customer_key', '=', customerKey));
      return row?.body ?? null;
    },

    async writeCustomerNote(artisanId, customerKey, body, nowMs) {
      if (body === null) {
        await run(db, qb.deleteFrom('customer_notes').where('artisan_id', '=', artisanId).where('customer_key', '=', customerKey));
        return;
      }
      const at = new Date(nowMs);
      await run(
        db,
        qb
          .insertInto('customer_notes')
          .values({ artisan_id: artisanId, customer_key: customerKey, body, updated_at: at })
          .onConflict((oc) => oc.columns(['artisan_id', 'customer_key']).doUpdateSet({ body, updated_at: at })),
      );
    },
  };
}
