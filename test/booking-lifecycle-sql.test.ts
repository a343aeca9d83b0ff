import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKING_STATUSES, holdsSlot } from '../src/domain/booking-lifecycle.ts';
import { ENGINES, createTestDatabase, type TestDatabase } from './helpers/db.ts';

// The set of statuses holding a slot exists once per language: ACTIVE_STATUSES in TypeScript,
// booking_holds_slot() in SQL (exclusion constraint, availability, time off). They must agree.
describe.each(ENGINES)('booking lifecycle in SQL (%s)', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
  }, 60_000);
  afterAll(async () => {
    await t?.destroy();
  });

  it('booking_holds_slot agrees with the domain for every status', async () => {
    for (const status of BOOKING_STATUSES) {
      const rows = await t.db.query<{ held: boolean }>(`SELECT booking_holds_slot($1) AS held`, [status]);
      expect({ status, held: rows[0]!.held }).toEqual({ status, held: holdsSlot(status) });
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
