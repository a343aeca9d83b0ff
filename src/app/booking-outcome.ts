import { isOutcome, type Outcome } from '../domain/booking-lifecycle.ts';
import { bookingClosed, bookingNotStarted, cancelledNotRecordable, outcomeRecordable, toCloseEndedBefore } from '../domain/booking-outcome.ts';
import type { BookingRecord } from '../domain/booking.ts';
import { bookingNotFound } from '../domain/errors.ts';
import { applyTransition } from './booking-transitions.ts';
import { TOPICS } from './booking-effects.ts';
import { makeFindBooking } from './manage-booking.ts';
import type { BookingStore, BookingTx } from './ports/booking-store.ts';
import type { Clock } from './ports/clock.ts';

/** What a completion writes besides the booking, in its transaction (the next due visit). */
export interface OutcomeTx extends BookingTx {
  /** Opens the next due visit when the service has an interval and the customer agreed (issue 22 item 4). */
  openNextVisit(booking: BookingRecord, nowMs: number): Promise<void>;
}

export interface OutcomeStore {
  /** A transaction of one business, the booking's writes and the due visits' together. */
  transaction<T>(artisanId: string, fn: (tx: OutcomeTx) => Promise<T>): Promise<T>;
  /** The business's bookings still booked that ended before `endedBeforeMs`, oldest first. */
  listToClose(artisanId: string, endedBeforeMs: number, limit: number): Promise<BookingRecord[]>;
}

/** The "to close" list is a to-do list: this many at most, the oldest first. */
export const TO_CLOSE_LIMIT = 200;

/**
 * The outcome of an appointment: after its start, the artisan marks it done or the customer
 * absent. It goes through the lifecycle's transition like every other change (one history
 * row, one place to hook events on). Another business's code answers as missing.
 */
export function makeBookingOutcomes(deps: { store: BookingStore; outcomes: OutcomeStore; clock: Clock }) {
  const findBooking = makeFindBooking(deps);
  return {
    async record(input: { artisanId: string; publicCode: string; outcome: Outcome; actor: string }): Promise<BookingRecord> {
      const found = await findBooking({ publicCode: input.publicCode, artisanId: input.artisanId });
      const now = deps.clock.now();
      return deps.outcomes.transaction(found.artisanId, async (tx) => {
        const booking = await tx.lockBooking(found.id);
        if (!booking) throw bookingNotFound();
        // The same outcome again (a double tap, a retried request) is no change.
        if (booking.status === input.outcome) return booking;
        if (isOutcome(booking.status)) throw bookingClosed(booking.status);
        if (booking.status === 'cancelled') throw cancelledNotRecordable();
        if (!outcomeRecordable(booking.startMs, now)) throw bookingNotStarted();
        const t = await applyTransition(tx, booking, { type: input.outcome }, { nowMs: now, actor: input.actor, type: input.outcome });
        // Nothing is left to remind; an authorised deposit is still captured as scheduled (TOPICS.capture stays).
        await tx.cancelPending(booking.id, [TOPICS.reminder]);
        if (input.outcome === 'completed') await tx.openNextVisit(t.booking, now);
        return t.booking;
      });
    },

    /** Bookings still booked 48 h after their end: the artisan has not said how they went. */
    async toClose(artisanId: string): Promise<BookingRecord[]> {
      return deps.outcomes.listToClose(artisanId, toCloseEndedBefore(deps.clock.now()), TO_CLOSE_LIMIT);
    },
  };
}
export type BookingOutcomes = ReturnType<typeof makeBookingOutcomes>;
