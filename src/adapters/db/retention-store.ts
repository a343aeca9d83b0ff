import { sql } from 'kysely';
import type { RetentionStore } from '../../app/retention.ts';
import type { Database } from './database.ts';
import { qb, run } from './kysely.ts';

/** Deletes one statement each; the anonymisation itself is the admin erasure (admin-bookings-store). */
export function makeRetentionStore(db: Database): RetentionStore {
  const before = (ms: number) => new Date(ms);
  /** Deletes in one statement and answers how many rows went (not the rows: a purge may be large). */
  const purge = async (table: 'admin_sessions' | 'idempotency_keys' | 'mailbox', column: 'expires_at' | 'created_at', cutoffMs: number) => {
    const [row] = await run(
      db,
      qb
        .with('gone', (d) => d.deleteFrom(table).where(column, '<', before(cutoffMs)).returning(sql<number>`1`.as('one')))
        .selectFrom('gone')
        .select((eb) => eb.fn.countAll<number>().as('n')),
    );
    return Number(row?.n ?? 0);
  };
  return {
    purgeExpiredSessions: (nowMs) => purge('admin_sessions', 'expires_at', nowMs),
    purgeExpiredIdempotencyKeys: (nowMs) => purge('idempotency_keys', 'expires_at', nowMs),
    purgeMailboxBefore: (cutoffMs) => purge('mailbox', 'created_at', cutoffMs),
    async customersLastSeenBefore(cutoffMs, limit) {
      const cutoff = before(cutoffMs);
      const rows = await run(
        db,
        qb
          .selectFrom('bookings as b')
          // A customer without e-mail (a phone booking) is known by their phone (CustomerRef).
          .select(['b.artisan_id', 'b.customer_email', sql<string | null>`CASE WHEN b.customer_email IS NULL THEN b.customer_phone END`.as('phone')])
          .where('b.anonymized_at', 'is', null)
          .where((eb) => eb.or([eb('b.customer_email', 'is not', null), eb('b.customer_phone', 'is not', null)]))
          // Last seen before the cutoff: a booking of theirs ended before it and none at or
          // after it. Asked this way, not as max(ends_at) over every customer's bookings, the
          // sweep reads only the old rows and their owners' later ones: on 2,000,000 bookings the
          // grouping of every booking ran past the statement timeout (docs/benchmarks.md, session 10).
          .where('b.ends_at', '<', cutoff)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('bookings as l')
                  .select(sql<number>`1`.as('one'))
                  .whereRef('l.artisan_id', '=', 'b.artisan_id')
                  .where('l.anonymized_at', 'is', null)
                  .where('l.ends_at', '>=', cutoff)
                  .where(sql<boolean>`l.customer_email IS NOT DISTINCT FROM b.customer_email`)
                  .where(sql<boolean>`(b.customer_email IS NOT NULL OR l.customer_phone IS NOT DISTINCT FROM b.customer_phone)`),
              ),
            ),
          )
          .groupBy(['b.artisan_id', 'b.customer_email', 'phone'])
          .orderBy('b.artisan_id')
          .orderBy('b.customer_email')
          .orderBy('phone')
          .limit(limit),
      );
      return rows.map((r) => ({ artisanId: r.artisan_id, customer: r.customer_email !== null ? { email: r.customer_email } : { phone: r.phone! } }));
    },
  };
}
