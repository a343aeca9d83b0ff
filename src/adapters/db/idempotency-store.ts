import type { IdempotencyStore } from '../../app/idempotency.ts';
import type { Database } from './database.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

export function makeIdempotencyStore(db: Database): IdempotencyStore {
  return {
    async begin(scope, key, requestHash, { nowMs, expiresAtMs, leaseUntilMs }) {
      // An expired record no longer counts: the key starts afresh.
      await db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at < $3`, [scope, key, iso(nowMs)]);
      const inserted = await db.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, state, expires_at, lease_expires_at) VALUES ($1, $2, $3, 'in_progress', $4, $5)
         ON CONFLICT (scope, key) DO NOTHING RETURNING 1`,
        [scope, key, requestHash, iso(expiresAtMs), iso(leaseUntilMs)],
      );
      if (inserted.length > 0) return { state: 'new' };
      const rows = await db.query<{ request_hash: string; state: string; response_status: number | null; response_body: unknown }>(
        `SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2`,
        [scope, key],
      );
      const row = rows[0];
      if (!row) return { state: 'in_progress' };
      if (row.request_hash !== requestHash) return { state: 'mismatch' };
      if (row.state === 'done' && row.response_status !== null) return { state: 'replay', status: row.response_status, body: row.response_body };
      // In progress: the lease decides. One retry takes an expired lease over (the UPDATE is atomic).
      const taken = await db.query<{ booking_id: string | null }>(
        `UPDATE idempotency_keys SET lease_expires_at = $4
          WHERE scope = $1 AND key = $2 AND state = 'in_progress' AND (lease_expires_at IS NULL OR lease_expires_at < $3)
          RETURNING booking_id`,
        [scope, key, iso(nowMs), iso(leaseUntilMs)],
      );
      return taken[0] ? { state: 'taken_over', bookingId: taken[0].booking_id } : { state: 'in_progress' };
    },
    async attach(scope, key, bookingId) {
      await db.query(`UPDATE idempotency_keys SET booking_id = $3 WHERE scope = $1 AND key = $2`, [scope, key, bookingId]);
    },
    async finish(scope, key, status, body) {
      await db.query(
        `UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4, lease_expires_at = NULL WHERE scope = $1 AND key = $2`,
        [scope, key, status, JSON.stringify(body)],
      );
    },
    async abandon(scope, key) {
      await db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'in_progress'`, [scope, key]);
    },
    async purgeExpired(nowMs) {
      const rows = await db.query(`DELETE FROM idempotency_keys WHERE expires_at < $1 RETURNING 1`, [iso(nowMs)]);
      return rows.length;
    },
  };
}
