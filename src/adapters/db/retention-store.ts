import type { RetentionStore } from '../../app/retention.ts';
import type { Database } from './database.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Deletes one statement each; the anonymisation itself is the admin erasure (admin-bookings-store). */
export function makeRetentionStore(db: Database): RetentionStore {
  const count = async (sql: string, params: unknown[]): Promise<number> => (await db.query(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, params))[0]?.n as number;
  return {
    purgeExpiredSessions: (nowMs) => count('DELETE FROM admin_sessions WHERE expires_at < $1', [iso(nowMs)]),
    purgeExpiredIdempotencyKeys: (nowMs) => count('DELETE FROM idempotency_keys WHERE expires_at < $1', [iso(nowMs)]),
    purgeMailboxBefore: (cutoffMs) => count('DELETE FROM mailbox WHERE created_at < $1', [iso(cutoffMs)]),
    async customersLastSeenBefore(cutoffMs, limit) {
      const rows = await db.query<{ artisan_id: string; customer_email: string }>(
        `SELECT artisan_id, customer_email FROM bookings WHERE anonymized_at IS NULL
          GROUP BY artisan_id, customer_email HAVING max(ends_at) < $1 ORDER BY artisan_id, customer_email LIMIT $2`,
        [iso(cutoffMs), limit],
      );
      return rows.map((r) => ({ artisanId: r.artisan_id, email: r.customer_email }));
    },
  };
}
