import { sql } from 'kysely';
import type { IdempotencyStore } from '../../app/idempotency.ts';
import type { Database } from './database.ts';
import { qb, run } from './kysely.ts';

export function makeIdempotencyStore(db: Database): IdempotencyStore {
  return {
    async begin(artisanId, scope, key, requestHash, { nowMs, expiresAtMs, leaseUntilMs }) {
      // One round trip (migration 0022): forget an expired record, take the key, or say what holds it.
      const rows = await db.query<{ r: { state: string; status?: number; body?: unknown; booking_id?: string | null } }>(
        `SELECT idempotency_begin($1, $2, $3, $4, $5, $6, $7) AS r`,
        [artisanId, scope, key, requestHash, new Date(nowMs), new Date(expiresAtMs), new Date(leaseUntilMs)],
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
    async attach(artisanId, scope, key, bookingId) {
      await run(
        db,
        qb.updateTable('idempotency_keys').set({ booking_id: bookingId }).where('artisan_id', '=', artisanId).where('scope', '=', scope).where('key', '=', key),
      );
    },
    async finish(artisanId, scope, key, status, body) {
      await run(
        db,
        qb
          .updateTable('idempotency_keys')
          // An absent body is stored as NULL, not left out of the SET list.
          .set({ state: 'done', response_status: status, response_body: JSON.stringify(body) ?? null, lease_expires_at: null })
          .where('artisan_id', '=', artisanId)
          .where('scope', '=', scope)
          .where('key', '=', key),
      );
    },
    async abandon(artisanId, scope, key) {
      await run(db, qb.deleteFrom('idempotency_keys').where('artisan_id', '=', artisanId).where('scope', '=', scope).where('key', '=', key).where('state', '=', 'in_progress'));
    },
    async purgeExpired(nowMs) {
      const rows = await run(db, qb.deleteFrom('idempotency_keys').where('expires_at', '<', new Date(nowMs)).returning(sql<number>`1`.as('one')));
      return rows.length;
    },
  };
}
