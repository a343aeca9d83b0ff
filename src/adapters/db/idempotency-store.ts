import type { IdempotencyStore } from '../../app/idempotency.ts';
import type { Database } from './database.ts';

export function makeIdempotencyStore(db: Database): IdempotencyStore {
  return {
    async begin(scope, key, requestHash, expiresAtMs) {
      // An expired record no longer counts: the key starts afresh.
      await db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at < now()`, [scope, key]);
      const inserted = await db.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, state, expires_at) VALUES ($1, $2, $3, 'in_progress', $4)
         ON CONFLICT (scope, key) DO NOTHING RETURNING 1`,
        [scope, key, requestHash, new Date(expiresAtMs).toISOString()],
      );
      if (inserted.length > 0) return { state: 'new' };
      const rows = await db.query<{ request_hash: string; state: string; response_status: number | null; response_body: unknown }>(
        `SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2`,
        [scope, key],
      );
      const row = rows[0];
      if (!row) return { state: 'in_progress' };
      if (row.request_hash !== requestHash) return { state: 'mismatch' };
      if (row.state !== 'done' || row.response_status === null) return { state: 'in_progress' };
      return { state: 'replay', status: row.response_status, body: row.response_body };
    },
    async finish(scope, key, status, body) {
      await db.query(
        `UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4 WHERE scope = $1 AND key = $2`,
        [scope, key, status, JSON.stringify(body)],
      );
    },
    async abandon(scope, key) {
      await db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'in_progress'`, [scope, key]);
    },
  };
}
