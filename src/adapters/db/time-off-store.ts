import { sql } from 'kysely';
import type { BookingSummary } from '../../domain/booking.ts';
import type { BusyBlockRecord } from '../../domain/busy-block.ts';
import type { TimeOffStore } from '../../app/ports/time-off-store.ts';
import type { Database } from './database.ts';
import { first, qb, run } from './kysely.ts';
import { storedStatus } from './stored.ts';

const overlapping = (fromMs: number, toMs: number) => sql<boolean>`tstzrange(${new Date(fromMs)}, ${new Date(toMs)})`;

/**
 * Manual time off lives in busy_blocks beside imported calendar events (source 'external',
 * provider 'manual'), so availability and the booking check read both the same way.
 */
export function makeTimeOffStore(db: Database): TimeOffStore {
  return {
    async listBlocks(artisanId, fromMs, toMs) {
      const rows = await run(
        db,
        qb
          .selectFrom('busy_blocks')
          .select(['id', 'artisan_id', 'provider_id', 'summary', 'starts_at', 'ends_at', 'member_id'])
          .where('artisan_id', '=', artisanId)
          .where('source', '=', 'external')
          .where(sql<boolean>`during && ${overlapping(fromMs, toMs)}`)
          .orderBy('starts_at')
          .orderBy('id'),
      );
      return rows.map(
        (r): BusyBlockRecord => ({
          id: r.id,
          artisanId: r.artisan_id,
          providerId: r.provider_id,
          summary: r.summary,
          startMs: r.starts_at.getTime(),
          endMs: r.ends_at.getTime(),
          ...(r.member_id ? { memberId: r.member_id } : {}),
        }),
      );
    },

    async insertManualBlock(b) {
      if (b.memberId !== undefined) {
        const member = await first(db, qb.selectFrom('admin_users').select('id').where('artisan_id', '=', b.artisanId).where('id', '=', b.memberId));
        if (!member) return false;
      }
      await run(
        db,
        qb.insertInto('busy_blocks').values({
          id: b.id,
          artisan_id: b.artisanId,
          provider_id: 'manual',
          source: 'external',
          summary: b.summary,
          starts_at: new Date(b.startMs),
          ends_at: new Date(b.endMs),
          member_id: b.memberId ?? null,
        }),
      );
      return true;
    },

    async deleteManualBlock(artisanId, id) {
      const rows = await run(
        db,
        qb
          .deleteFrom('busy_blocks')
          .where('artisan_id', '=', artisanId)
          .where('id', '=', id)
          .where('source', '=', 'external')
          .where('provider_id', '=', 'manual')
          .returning('id'),
      );
      return rows.length > 0;
    },

    async activeBookingsOverlapping(artisanId, { startMs, endMs }, memberId) {
      let bookings = qb
        .selectFrom('bookings')
        .select(['public_code', 'service_id', 'service_name', 'customer_name', 'status', 'starts_at', 'ends_at'])
        .where('artisan_id', '=', artisanId)
        .where(sql<boolean>`booking_holds_slot(status)`)
        .where(sql<boolean>`tstzrange(starts_at, ends_at) && ${overlapping(startMs, endMs)}`);
      if (memberId) bookings = bookings.where((eb) => eb.or([eb('technician_id', 'is', null), eb('technician_id', '=', memberId)]));
      const rows = await run(db, bookings.orderBy('starts_at'));
      return rows.map(
        (r): BookingSummary => ({
          publicCode: r.public_code,
          serviceId: r.service_id,
          serviceName: r.service_name,
          customerName: r.customer_name,
          status: storedStatus(r.status),
          startMs: r.starts_at.getTime(),
          endMs: r.ends_at.getTime(),
        }),
      );
    },
  };
}
