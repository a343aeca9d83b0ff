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
      const rows = await run(
        db,
        qb
          .selectFrom('bookings')
          // A customer without e-mail (a phone booking) is known by their phone (CustomerRef).
          .select(['artisan_id', 'customer_email', sql<string | null>`CASE WHEN customer_email IS NULL THEN customer_phone END`.as('phone')])
          .where('anonymized_at', 'is', null)
          .where((eb) => eb.or([eb('customer_email', 'is not', null), eb('customer_phone', 'is not', null)]))
          .groupBy(['artisan_id', 'customer_email', 'phone'])
          .having((eb) => eb.fn.max('ends_at'), '<', before(cutoffMs))
          .orderBy('artisan_id')
          .orderBy('customer_email')
          .orderBy('phone')
          .limit(limit),
      );
      return rows.map((r) => ({ artisanId: r.artisan_id, customer: r.customer_email !== null ? { email: r.customer_email } : { phone: r.phone! } }));
    },
  };
}
