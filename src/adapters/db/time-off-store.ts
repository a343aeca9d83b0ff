import type { BookingSummary, BusyBlockRecord, TimeOffStore } from '../../app/ports.ts';
import type { Database } from './database.ts';

const ms = (v: unknown): number => (v instanceof Date ? v.getTime() : new Date(String(v)).getTime());
const iso = (epochMs: number): string => new Date(epochMs).toISOString();

/**
 * Manual time off lives in busy_blocks beside imported calendar events (source 'external',
 * provider 'manual'), so availability and the booking check read both the same way.
 */
export function makeTimeOffStore(db: Database): TimeOffStore {
  return {
    async listBlocks(artisanId, fromMs, toMs) {
      const rows = await db.query(
        `SELECT id, artisan_id, provider_id, summary, starts_at, ends_at FROM busy_blocks
         WHERE artisan_id = $1 AND source = 'external' AND during && tstzrange($2, $3) ORDER BY starts_at, id`,
        [artisanId, iso(fromMs), iso(toMs)],
      );
      return rows.map(
        (r): BusyBlockRecord => ({
          id: r.id as string,
          artisanId: r.artisan_id as string,
          providerId: r.provider_id as string,
          summary: r.summary as string,
          startMs: ms(r.starts_at),
          endMs: ms(r.ends_at),
        }),
      );
    },

    async insertManualBlock(b) {
      await db.query(
        `INSERT INTO busy_blocks (id, artisan_id, provider_id, source, summary, starts_at, ends_at) VALUES ($1, $2, 'manual', 'external', $3, $4, $5)`,
        [b.id, b.artisanId, b.summary, iso(b.startMs), iso(b.endMs)],
      );
    },

    async deleteManualBlock(artisanId, id) {
      const rows = await db.query(
        `DELETE FROM busy_blocks WHERE artisan_id = $1 AND id = $2 AND source = 'external' AND provider_id = 'manual' RETURNING id`,
        [artisanId, id],
      );
      return rows.length > 0;
    },

    async activeBookingsOverlapping(artisanId, { startMs, endMs }) {
      const rows = await db.query(
        `SELECT public_code, service_name, customer_name, status, starts_at, ends_at FROM bookings
         WHERE artisan_id = $1 AND booking_holds_slot(status)
           AND tstzrange(starts_at, ends_at) && tstzrange($2, $3) ORDER BY starts_at`,
        [artisanId, iso(startMs), iso(endMs)],
      );
      return rows.map(
        (r): BookingSummary => ({
          publicCode: r.public_code as string,
          serviceName: r.service_name as string,
          customerName: r.customer_name as string,
          status: r.status as BookingSummary['status'],
          startMs: ms(r.starts_at),
          endMs: ms(r.ends_at),
        }),
      );
    },
  };
}
