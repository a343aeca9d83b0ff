import type { FeedStore } from '../../app/calendar-feed.ts';
import { BOOKED_STATUSES } from '../../domain/booking-lifecycle.ts';
import { BOOKING_SELECT, toBooking } from './booking-store.ts';
import type { Database } from './database.ts';

const iso = (epochMs: number): string => new Date(epochMs).toISOString();
const msOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function makeFeedStore(db: Database): FeedStore {
  const read = async (artisanId: string) => {
    const [row] = await db.query<{ generation: number; created_ms: number; rotated_ms: number | null; read_ms: number | null }>(
      `SELECT generation, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms, (extract(epoch FROM rotated_at) * 1000)::float8 AS rotated_ms,
              (extract(epoch FROM last_read_at) * 1000)::float8 AS read_ms FROM calendar_feeds WHERE artisan_id = $1`,
      [artisanId],
    );
    return { generation: row!.generation, createdMs: Number(row!.created_ms), rotatedMs: msOrNull(row!.rotated_ms), lastReadMs: msOrNull(row!.read_ms) };
  };
  return {
    async ensure(artisanId, nowMs, hashOf) {
      await db.query(
        `INSERT INTO calendar_feeds (artisan_id, token_hash, generation, created_at) VALUES ($1, $2, 1, $3) ON CONFLICT (artisan_id) DO NOTHING`,
        [artisanId, hashOf(1), iso(nowMs)],
      );
      return read(artisanId);
    },
    async rotate(artisanId, nowMs, hashOf) {
      await db.transaction(async (tx) => {
        const [row] = await tx.query<{ generation: number }>(`SELECT generation FROM calendar_feeds WHERE artisan_id = $1 FOR UPDATE`, [artisanId]);
        const next = (row?.generation ?? 0) + 1;
        await tx.query(
          `INSERT INTO calendar_feeds (artisan_id, token_hash, generation, created_at, rotated_at) VALUES ($1, $2, $3, $4, $4)
           ON CONFLICT (artisan_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, generation = EXCLUDED.generation, rotated_at = EXCLUDED.rotated_at`,
          [artisanId, hashOf(next), next, iso(nowMs)],
        );
      });
      return read(artisanId);
    },
    async artisanOf(tokenHash, nowMs) {
      const rows = await db.query<{ artisan_id: string }>(
        `UPDATE calendar_feeds SET last_read_at = $2 WHERE token_hash = $1 RETURNING artisan_id`,
        [tokenHash, iso(nowMs)],
      );
      return rows[0]?.artisan_id;
    },
    async bookings(artisanId, fromMs) {
      const rows = await db.query(
        `SELECT x.*, (SELECT count(*)::int FROM booking_events e WHERE e.booking_id = x.id AND e.type IN ('rescheduled', 'cancelled')) AS sequence
           FROM (${BOOKING_SELECT} WHERE b.artisan_id = $1 AND b.status = ANY($2) AND b.ends_at > $3) x ORDER BY x.starts_at`,
        [artisanId, [...BOOKED_STATUSES], iso(fromMs)],
      );
      return rows.map((r) => ({ booking: toBooking(r), sequence: r.sequence as number }));
    },
  };
}
