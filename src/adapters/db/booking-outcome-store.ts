import type { OutcomeStore } from '../../app/booking-outcome.ts';
import { BOOKED_STATUSES } from '../../domain/booking-lifecycle.ts';
import { selectBookings, toBooking } from './booking-row.ts';
import { makeTx } from './booking-store.ts';
import type { Database } from './database.ts';
import { run } from './kysely.ts';
import { openNextVisit } from './due-visit-store.ts';

/** The outcome's writes (booking and next due visit in one transaction) and the "to close" list. */
export function makeBookingOutcomeStore(db: Database, uuid: () => string): OutcomeStore {
  return {
    transaction: (artisanId, fn) =>
      db.transaction((q) => fn({ ...makeTx(q, uuid, artisanId), openNextVisit: (booking, nowMs) => openNextVisit(q, uuid, artisanId, booking, nowMs) })),
    async listToClose(artisanId, endedBeforeMs, limit) {
      const rows = await run(
        db,
        selectBookings()
          .where('b.artisan_id', '=', artisanId)
          .where('b.status', 'in', [...BOOKED_STATUSES])
          .where('b.ends_at', '<', new Date(endedBeforeMs))
          .orderBy('b.ends_at')
          .orderBy('b.id')
          .limit(limit),
      );
      return rows.map(toBooking);
    },
  };
}
