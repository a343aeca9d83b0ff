import type { FeedStore } from '../../app/calendar-feed.ts';
import { STANDING_STATUSES } from '../../domain/booking-lifecycle.ts';
import { sql } from 'kysely';
import { selectBookings, toBooking } from './booking-row.ts';
import type { Database } from './database.ts';
import { first, qb, run } from './kysely.ts';

export function makeFeedStore(db: Database): FeedStore {
  const read = async (artisanId: string) => {
    const row = await first(db, qb.selectFrom('calendar_feeds').select(['generation', 'created_at', 'rotated_at', 'last_read_at']).where('artisan_id', '=', artisanId));
    return {
      generation: row!.generation,
      createdMs: row!.created_at.getTime(),
      rotatedMs: row!.rotated_at?.getTime() ?? null,
      lastReadMs: row!.last_read_at?.getTime() ?? null,
    };
  };
  return {
    async ensure(artisanId, nowMs, hashOf) {
      await run(
        db,
        qb
          .insertInto('calendar_feeds')
          .values({ artisan_id: artisanId, token_hash: hashOf(1), generation: 1, created_at: new Date(nowMs) })
          .onConflict((oc) => oc.column('artisan_id').doNothing()),
      );
      return read(artisanId);
    },
    async rotate(artisanId, nowMs, hashOf) {
      await db.transaction(async (tx) => {
        const row = await first(tx, qb.selectFrom('calendar_feeds').select('generation').where('artisan_id', '=', artisanId).forUpdate());
        const next = (row?.generation ?? 0) + 1;
        const now = new Date(nowMs);
        await run(
          tx,
          qb
            .insertInto('calendar_feeds')
            .values({ artisan_id: artisanId, token_hash: hashOf(next), generation: next, created_at: now, rotated_at: now })
            .onConflict((oc) =>
              oc.column('artisan_id').doUpdateSet((eb) => ({
                token_hash: eb.ref('excluded.token_hash'),
                generation: eb.ref('excluded.generation'),
                rotated_at: eb.ref('excluded.rotated_at'),
              })),
            ),
        );
      });
      return read(artisanId);
    },
    async artisanOf(tokenHash, nowMs, business) {
      let update = qb.updateTable('calendar_feeds').set({ last_read_at: new Date(nowMs) }).where('token_hash', '=', tokenHash);
      if (business !== undefined) update = update.where('artisan_id', '=', business);
      const row = await first(db, update.returning('artisan_id'));
      return row?.artisan_id;
    },
    async bookings(artisanId, fromMs) {
      // The booking row's shape belongs to booking-row.ts (selectBookings / toBooking).
      const rows = await run(
        db,
        selectBookings()
          .select((eb) =>
            eb
              .selectFrom('booking_events as e')
              .select(sql<number>`count(*)::int`.as('n'))
              .whereRef('e.booking_id', '=', 'b.id')
              .where('e.type', 'in', ['rescheduled', 'cancelled'])
              .as('sequence'),
          )
          .where('b.artisan_id', '=', artisanId)
          .where(sql<boolean>`b.status = ANY(${[...STANDING_STATUSES]})`)
          .where('b.ends_at', '>', new Date(fromMs))
          .orderBy('b.starts_at'),
      );
      // A count(*) subquery always answers a row.
      return rows.map((r) => ({ booking: toBooking(r), sequence: r.sequence ?? 0 }));
    },
  };
}
