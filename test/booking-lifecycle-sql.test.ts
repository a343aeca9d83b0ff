import { describe, expect, it } from 'vitest';
import { BOOKING_STATUSES, HOLD_STATUSES, holdsSlot, isHold } from '../src/domain/booking-lifecycle.ts';
import { ENGINES, databaseForSuite } from './helpers/db.ts';

// The set of statuses holding a slot exists once per language: ACTIVE_STATUSES in TypeScript,
// booking_holds_slot() in SQL (exclusion constraint, availability, time off). They must agree.
// Likewise the statuses of a hold being paid: HOLD_STATUSES and booking_is_hold().
describe.each(ENGINES)('booking lifecycle in SQL (%s)', (engine) => {
  const t = databaseForSuite(engine);

  it('booking_holds_slot agrees with the domain for every status', async () => {
    for (const status of BOOKING_STATUSES) {
      const rows = await t.db.query<{ held: boolean }>(`SELECT booking_holds_slot($1) AS held`, [status]);
      expect({ status, held: rows[0]!.held }).toEqual({ status, held: holdsSlot(status) });
    }
  });

  it('booking_is_hold agrees with the domain for every status, and so do the partial indexes of holds', async () => {
    for (const status of BOOKING_STATUSES) {
      const rows = await t.db.query<{ hold: boolean }>(`SELECT booking_is_hold($1) AS hold`, [status]);
      expect({ status, hold: rows[0]!.hold }).toEqual({ status, hold: isHold(status) });
    }
    // Shipped migrations list the statuses in this index's predicate (0007): it must still say the same.
    const rows = await t.db.query<{ def: string }>(`SELECT pg_get_indexdef('bookings_stale_holds'::regclass) AS def`);
    const listed = [...rows[0]!.def.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort();
    expect(listed).toEqual([...HOLD_STATUSES].sort());
  });

  it('the plan cap counts online bookings taken or being paid, cancelled ones included; never phone ones nor unpaid ended holds', async () => {
    // decisions §8: phone bookings never count; a booking cancelled this month was still taken, and so was one that took place.
    const counted = ['pending_payment', 'awaiting_authentication', 'confirmed', 'rescheduled', 'cancelled', 'completed', 'no_show'];
    for (const status of BOOKING_STATUSES) {
      const rows = await t.db.query<{ online: boolean; phone: boolean }>(
        `SELECT booking_counts_toward_plan('online', $1) AS online, booking_counts_toward_plan('phone', $1) AS phone`,
        [status],
      );
      expect({ status, ...rows[0] }).toEqual({ status, online: counted.includes(status), phone: false });
    }
  });

  it('the status column accepts exactly the domain statuses', async () => {
    const rows = await t.db.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'bookings_status_check'`,
    );
    const listed = [...rows[0]!.def.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort();
    expect(listed).toEqual([...BOOKING_STATUSES].sort());
  });
});
