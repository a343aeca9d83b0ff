import { sql } from 'kysely';
import { FAILED_MESSAGE_TOPICS, type FailedMessageStore } from '../../app/failed-messages.ts';
import type { Database } from './database.ts';
import { qb, run } from './kysely.ts';

/** A failed notification job: dead, or pending again after at least one failed try. */
const failed = sql<boolean>`(o.status = 'dead' OR (o.status = 'pending' AND o.attempts > 0))`;

/** The artisan's failed notification jobs, through their bookings (every read scoped by artisan_id). */
export function makeFailedMessageStore(db: Database): FailedMessageStore {
  return {
    async list(artisanId, filter) {
      let query = qb
        .selectFrom('outbox as o')
        .innerJoin('bookings as b', (j) => j.onRef('b.artisan_id', '=', 'o.artisan_id').onRef('b.id', '=', 'o.booking_id'))
        .select(['o.id', 'o.topic', 'o.status', 'o.attempts', 'o.last_error', 'o.run_at', 'b.public_code', 'b.customer_name', 'b.starts_at'])
        .where('o.artisan_id', '=', artisanId)
        .where('o.topic', 'in', FAILED_MESSAGE_TOPICS)
        .where(failed);
      if (filter.publicCode !== undefined) query = query.where('b.public_code', '=', filter.publicCode);
      if (filter.endsAfterMs !== undefined) query = query.where('b.ends_at', '>', new Date(filter.endsAfterMs));
      const rows = await run(db, query.orderBy('o.created_at', 'desc').orderBy('o.id').limit(filter.limit));
      return rows.map((r) => ({
        id: r.id,
        topic: r.topic,
        status: r.status === 'dead' ? 'dead' : 'pending',
        attempts: r.attempts,
        lastError: r.last_error,
        runAtMs: r.run_at.getTime(),
        publicCode: r.public_code,
        customerName: r.customer_name,
        bookingStartMs: r.starts_at.getTime(),
      }));
    },
    async retryNow(artisanId, id, nowMs) {
      const rows = await run(
        db,
        qb
          .updateTable('outbox as o')
          .from('bookings as b')
          .set({
            status: 'pending',
            attempts: sql<number>`CASE WHEN o.status = 'dead' THEN 0 ELSE o.attempts END`,
            run_at: new Date(nowMs),
            locked_by: null,
            locked_at: null,
          })
          .whereRef('b.artisan_id', '=', 'o.artisan_id')
          .whereRef('b.id', '=', 'o.booking_id')
          .where('o.artisan_id', '=', artisanId)
          .where('b.artisan_id', '=', artisanId)
          .where('o.id', '=', id)
          .where('o.topic', 'in', FAILED_MESSAGE_TOPICS)
          .where(failed)
          .where('o.locked_by', 'is', null)
          .returning('o.id'),
      );
      return rows.length > 0;
    },
  };
}
