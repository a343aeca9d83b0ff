import { onTechnicianLine } from './route-place.ts';
import {
  ConflictError,
  ValidationError,
  bookingCancelled,
  bookingNotFound,
  bookingPast,
  slotUnavailable,
  type ErrorDetail,
} from '../domain/errors.ts';
import { footprint } from '../domain/intervals.ts';
import { normalizeEmail, normalizePublicCode } from '../domain/public-code.ts';
import { decideCappedRefund, refundCapAfterMove, refundStatement, type CancellationRefund, type CancelledBy } from '../domain/refund-policy.ts';
import { scheduleCapture } from './payment-outcome.ts';
import { recordCancelled, recordRescheduled } from './booking-effects.ts';
import { findOfferedSlot, parseRequestedStart, planDay, readDay } from './day-plan.ts';
import { SlotTakenError, type BookingStore } from './ports/booking-store.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { Clock } from './ports/clock.ts';
import type { ErrorLog } from './ports/error-log.ts';
import { applyTransition } from './booking-transitions.ts';
import { isOutcome, isVisible } from '../domain/booking-lifecycle.ts';
import { bookingClosed } from '../domain/booking-outcome.ts';
import type { SettleDeposit } from './settle-deposit.ts';


/**
 * The customer proves who they are with the e-mail (a booking without one is never found so)
 * or a manage link's token (naming the booking: `bookingId`); the artisan by being signed in.
 */
export type BookingLocator = { publicCode: string; email: string } | { publicCode: string; bookingId: string } | { publicCode: string; artisanId: string };

/**
 * Finds a booking by code + e-mail (or code + the signed-in artisan). An unknown code, a
 * wrong e-mail or a booking that never got past payment all give the same answer, so
 * nothing can be learnt by probing.
 */
export function makeFindBooking(deps: { store: BookingStore }) {
  return async function findBooking(input: BookingLocator): Promise<BookingRecord> {
    const code = normalizePublicCode(input.publicCode);
    if (!code) throw bookingNotFound();
    const booking = await deps.store.findBookingByCode(code);
    if (!booking || !isVisible(booking.status)) throw bookingNotFound();
    const owner =
      'email' in input
        ? booking.customer.email !== undefined && booking.customer.email === normalizeEmail(input.email)
        : 'bookingId' in input
          ? booking.id === input.bookingId
          : booking.artisanId === input.artisanId;
    if (!owner) throw bookingNotFound();
    return booking;
  };
}

export interface CancelResult {
  booking: BookingRecord;
  /** Net of what the provider had already refunded (a refund from its dashboard). */
  refund: CancellationRefund;
}

export function makeCancelBooking(deps: { store: BookingStore; clock: Clock; settleDeposit: SettleDeposit; settleDelayMs?: number; log?: ErrorLog }) {
  const findBooking = makeFindBooking(deps);
  /**
   * `onBehalfOfCustomer`: the artisan records the customer's own cancellation (a late call):
   * the customer's refund policy applies, and the booking's history says who recorded it.
   */
  return async function cancelBooking(
    input: BookingLocator & { cancelledBy?: CancelledBy; reason?: string; actor?: string; onBehalfOfCustomer?: boolean },
  ): Promise<CancelResult> {
    const found = await findBooking(input);
    const onBehalf = input.onBehalfOfCustomer === true && 'artisanId' in input;
    const cancelledBy = onBehalf ? 'customer' : (input.cancelledBy ?? 'customer');
    const now = deps.clock.now();
    const outcome = await deps.store.transaction(found.artisanId, async (tx) => {
      const booking = await tx.lockBooking(found.id);
      if (!booking) throw bookingNotFound();
      if (isOutcome(booking.status)) throw bookingClosed(booking.status);
      if (booking.status === 'cancelled') {
        throw new ConflictError('ALREADY_CANCELLED', 'Cette réservation est déjà annulée.');
      }
      if (booking.startMs <= now) throw bookingPast();
      const decision = decideCappedRefund({
        policy: booking.refundPolicy,
        depositCents: booking.depositCents,
        cancelledBy,
        startMs: booking.startMs,
        nowMs: now,
        cap: booking.refundCapCents,
      });
      const refund: CancellationRefund = {
        ...decision,
        ...refundStatement({ depositCents: booking.depositCents, grantedCents: decision.refundCents, refundedBeforeCents: booking.refundedCents }),
      };
      // The booking keeps the decision (what the policy grants in all); the settlement asks only the rest.
      const t = await applyTransition(tx, booking, { type: 'cancelled', by: cancelledBy, refundCents: decision.refundCents }, {
        nowMs: now,
        actor: input.actor ?? cancelledBy,
        type: 'cancelled',
        data: {
          refundCents: refund.refundCents,
          retainedCents: refund.retainedCents,
          alreadyRefundedCents: refund.alreadyRefundedCents,
          reason: input.reason ?? null,
          ...(onBehalf ? { onBehalfOfCustomer: true } : {}),
        },
        cancellation: { reason: input.reason ?? null },
      });
      const needsSettlement = t.deposit === 'settle';
      // The worker settles later only if the attempt below fails.
      // The reason the artisan wrote goes to the customer; the artisan is not alerted of what they recorded.
      const byArtisan = cancelledBy === 'artisan' || onBehalf;
      await recordCancelled(tx, t.booking, needsSettlement ? now + (deps.settleDelayMs ?? 30_000) : null, byArtisan ? input.reason : undefined, byArtisan ? 'artisan' : undefined);
      return { booking: t.booking, refund, needsSettlement };
    });
    let booking = outcome.booking;
    if (outcome.needsSettlement) {
      // A failure here is not the customer's: the payment.settle row retries it with backoff.
      booking =
        (await deps.settleDeposit(booking.id).catch((err: unknown) => {
          deps.log?.warn({ err, bookingId: booking.id }, 'deposit settlement failed; the worker retries it');
          return undefined;
        })) ?? booking;
    }
    return { booking, refund: outcome.refund };
  };
}

export function makeRescheduleBooking(deps: { store: BookingStore; clock: Clock }) {
  const findBooking = makeFindBooking(deps);
  return async function rescheduleBooking(input: BookingLocator & { newDate: string; newTime: string; actor?: string }): Promise<BookingRecord> {
    const details: ErrorDetail[] = [];
    const { date, minutes } = parseRequestedStart({ date: input.newDate, time: input.newTime }, { date: 'newDate', time: 'newTime' }, details);
    if (!date || minutes === undefined) throw new ValidationError(details);

    const found = await findBooking(input);
    const now = deps.clock.now();
    if (isOutcome(found.status)) throw bookingClosed(found.status);
    if (found.status === 'cancelled') throw bookingCancelled();
    if (found.startMs <= now) throw bookingPast();
    const ctx = await readDay(deps.store, found.artisanId, found.serviceId, date);
    if (!ctx) throw bookingNotFound();
    // A routed booking moves on its own technician's time line (issue 20): they keep it, or the
    // move is refused (re-routing a customer's move is not built yet: README, "Équipes").
    const plan = planDay({ ...onTechnicianLine(ctx, found.technicianId), service: { ...ctx.service, durationMinutes: found.durationMinutes } }, date, now, found.id, 'anywhere');
    const slot = findOfferedSlot(plan, date, minutes, 'newDate');
    if (!slot.available) throw slotUnavailable();
    if (slot.startMs === found.startMs) return found;

    try {
      return await deps.store.transaction(found.artisanId, async (tx) => {
        const booking = await tx.lockBooking(found.id);
        if (!booking) throw bookingNotFound();
        if (isOutcome(booking.status)) throw bookingClosed(booking.status);
        if (booking.status === 'cancelled') throw bookingCancelled();
        const previousStartMs = booking.startMs;
        // The moved booking takes the service's current buffers, the ones availability offered the slot with.
        const moving = { ...booking, bufferBeforeMinutes: ctx.service.bufferBeforeMinutes, bufferAfterMinutes: ctx.service.bufferAfterMinutes };
        if (await tx.busyBlockOverlaps(booking.artisanId, footprint({ ...moving, startMs: slot.startMs, endMs: slot.endMs }), booking.technicianId)) {
          throw new SlotTakenError();
        }
        // The terms of the band the move is made in go with the booking (defect: move, then cancel).
        const refundCapCents =
          input.actor && input.actor !== 'customer'
            ? booking.refundCapCents
            : refundCapAfterMove({ policy: booking.refundPolicy, depositCents: booking.depositCents, startMs: booking.startMs, nowMs: now, currentCap: booking.refundCapCents });
        const t = await applyTransition(tx, moving, { type: 'moved', startMs: slot.startMs, endMs: slot.endMs, refundCapCents }, {
          nowMs: now,
          actor: input.actor ?? 'customer',
          type: 'rescheduled',
          data: { fromMs: previousStartMs, toMs: slot.startMs, refundCapCents },
        });
        if (t.booking.paymentStatus === 'authorized' && t.booking.captureMethod === 'manual') await scheduleCapture(tx, t.booking);
        await recordRescheduled(tx, t.booking, previousStartMs, now, undefined, 'artisanId' in input ? 'artisan' : 'customer');
        return t.booking;
      });
    } catch (error) {
      if (error instanceof SlotTakenError) throw slotUnavailable();
      throw error;
    }
  };
}
