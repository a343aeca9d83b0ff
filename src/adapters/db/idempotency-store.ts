import type { IdempotencyStore } from '../../app/idempotency.ts';
import type { Database } from './database.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

export function makeIdempotencyStore(db: Database): IdempotencyStore {
  return {
    async begin(scope, key, requestHash, { nowMs, expiresAtMs, leaseUntilMs }) {
      // One round trip (migration 0022): forget an expired record, take the key, or say what holds it.
      const rows = await db.query<{ r: { state: string; status?: number; body?: unknown; booking_id?: string | null } }>(
        `SELECT idempotency_begin($1, $2, $3, $4, $5, $6) AS r`,
        [scope, key, requestHash, iso(nowMs), iso(expiresAtMs), iso(leaseUntilMs)],
        { prepared: true },
      );
      const r = rows[0]!.r;
      switch (r.state) {
        case 'new':
        case 'mismatch':
        case 'in_progress':
          return { state: r.state };
        case 'replay':
          return { state: 'replay', status: r.status!, body: r.body };
        case 'taken_over':
          return { state: 'taken_over', bookingId: r.booking_id ?? null };
        default:
          throw new Error(`idempotency_begin: unexpected state ${r.state}`);
      }
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
