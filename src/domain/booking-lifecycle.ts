/**
 * The booking lifecycle: its statuses, the transitions allowed between them, and what each
 * transition implies for the slot (held, moved, freed) and for the deposit. Use cases apply
 * transitions to a booking; they never set a status by hand. Pure: no I/O, no clock.
 *
 *   (new) ──hold──> pending_payment ──authentication_required──> awaiting_authentication
 *   pending_payment | awaiting_authentication ──payment_succeeded──> confirmed
 *   pending_payment | awaiting_authentication ──payment_declined──> payment_failed
 *   pending_payment | awaiting_authentication ──hold_expired──> expired
 *   confirmed | rescheduled ──moved──> rescheduled
 *   confirmed | rescheduled ──cancelled──> cancelled
 *   confirmed | rescheduled ──deposit_captured──> (same)          scheduled capture
 *   confirmed | rescheduled ──payment_voided──> cancelled          the PaymentIntent was cancelled
 *   cancelled ──deposit_settled──> cancelled                       refund / release done
 *   expired | payment_failed ──late_payment_succeeded──> (same)    refunded in full
 *   expired | payment_failed ──deposit_settled──> (same)           that refund done
 *   any, deposit captured ──refund_recorded──> (same)              the provider refunded (e.g. from its dashboard)
 *   confirmed | rescheduled ──completed──> completed               the artisan marks it done (after its start)
 *   confirmed | rescheduled ──no_show──> no_show                   the customer was absent: the deposit is kept
 *   completed | no_show ──deposit_captured──> (same)               the scheduled capture still runs
 *
 * An outcome (completed, no_show) is final: the customer can no longer cancel or move the
 * booking. Its slot stays held: the time was spent, and the calendars keep the event.
 */

import { refundStatement } from './refund-policy.ts';

export const BOOKING_STATUSES = [
  'pending_payment',
  'awaiting_authentication',
  'confirmed',
  'rescheduled',
  'cancelled',
  'payment_failed',
  'expired',
  'completed',
  'no_show',
] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/**
 * Statuses that hold the slot: the database's exclusion constraint, availability and time off
 * count exactly these. The SQL side is the function `booking_holds_slot(status)` (migration
 * 0007); a test checks both agree.
 */
export const ACTIVE_STATUSES = [
  'pending_payment',
  'awaiting_authentication',
  'confirmed',
  'rescheduled',
  'completed',
  'no_show',
] as const satisfies readonly BookingStatus[];
/** The slot is held while the deposit is being authorised (or 3-D Secure is in progress). */
export const HOLD_STATUSES = ['pending_payment', 'awaiting_authentication'] as const satisfies readonly BookingStatus[];
/** A booking the customer has: confirmed, possibly moved. Reminders and messages are for these. */
export const BOOKED_STATUSES = ['confirmed', 'rescheduled'] as const satisfies readonly BookingStatus[];
/** The outcome the artisan recorded once the appointment started: final. */
export const OUTCOME_STATUSES = ['completed', 'no_show'] as const satisfies readonly BookingStatus[];
export type Outcome = (typeof OUTCOME_STATUSES)[number];
/** An appointment that stands in the calendars: booked, or held and its outcome recorded. */
export const STANDING_STATUSES = [...BOOKED_STATUSES, ...OUTCOME_STATUSES] as const satisfies readonly BookingStatus[];
/** What the customer and the artisan see as a booking (a hold that never got paid is not one). */
export const VISIBLE_STATUSES = ['confirmed', 'rescheduled', 'cancelled', 'completed', 'no_show'] as const satisfies readonly BookingStatus[];

const has = (list: readonly BookingStatus[]) => (status: string): boolean => (list as readonly string[]).includes(status);
export const holdsSlot = has(ACTIVE_STATUSES);
export const isHold = has(HOLD_STATUSES);
export const isBooked = has(BOOKED_STATUSES);
export const isVisible = has(VISIBLE_STATUSES);
export const isOutcome = (status: string): status is Outcome => (OUTCOME_STATUSES as readonly string[]).includes(status);
export const isStanding = has(STANDING_STATUSES);

/** 'refunded': partly or fully (the contract's meaning); `refundedCents` says how much. */
export const PAYMENT_STATUSES = ['pending', 'authorized', 'captured', 'refunded', 'failed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

type RefundState = Pick<LifecycleState, 'paymentStatus' | 'depositCents' | 'refundCents' | 'refundedCents'>;

/** What the provider still has to give back: the refund decided, less what it already gave back (never negative). */
export const refundOutstanding = (s: Pick<RefundState, 'depositCents' | 'refundCents' | 'refundedCents'>): number =>
  refundStatement({ depositCents: s.depositCents, grantedCents: s.refundCents, refundedBeforeCents: s.refundedCents }).refundCents;

/**
 * The deposit must still be settled at the provider: an authorisation to release or capture,
 * a capture to refund per the decision (or to keep, recorded as settled), or a refund the
 * provider has not fully given yet.
 */
export const settlementDue = (s: RefundState): boolean =>
  s.paymentStatus === 'authorized' || s.paymentStatus === 'captured' || (s.paymentStatus === 'refunded' && refundOutstanding(s) > 0);

/** Money was taken (captured), so the provider may refund it. */
const depositCaptured = (p: PaymentStatus): boolean => p === 'captured' || p === 'refunded';

/** Who ended a booking: the customer, the artisan, or the service itself. */
export type EndedBy = 'customer' | 'artisan' | 'system';

/** The fields of a booking the lifecycle reads and writes. */
export interface LifecycleState {
  status: BookingStatus;
  paymentStatus: PaymentStatus;
  paymentIntentId: string | null;
  holdExpiresMs: number | null;
  startMs: number;
  endMs: number;
  depositCents: number;
  refundCents: number;
  /** What the provider has given back so far (refunds, the released part of an authorisation). */
  refundedCents: number;
  /** The most a customer cancellation refunds, kept from a late move (null: no cap). */
  refundCapCents: number | null;
  cancelledBy: EndedBy | null;
}

export type LifecycleEvent =
  | { type: 'authentication_required'; paymentIntentId: string; holdExpiresMs: number }
  | { type: 'payment_succeeded'; paymentIntentId: string | null; paymentStatus: 'authorized' | 'captured' }
  | { type: 'payment_declined'; paymentIntentId: string | null }
  | { type: 'hold_expired' }
  | { type: 'moved'; startMs: number; endMs: number; refundCapCents: number | null }
  | { type: 'cancelled'; by: EndedBy; refundCents: number }
  | { type: 'deposit_captured' }
  | { type: 'payment_voided' }
  | { type: 'deposit_settled'; paymentStatus: 'captured' | 'refunded' }
  | { type: 'refund_recorded'; refundedCents: number }
  | { type: 'late_payment_succeeded'; paymentIntentId: string; paymentStatus: 'authorized' | 'captured' }
  | { type: 'completed' }
  | { type: 'no_show' };
export type LifecycleEventType = LifecycleEvent['type'];

/**
 * What happens to the deposit: `keep` it (authorised or captured), `void` it (nothing charged;
 * an open PaymentIntent is cancelled), `settle` it (capture the kept part, release or refund
 * the rest, per `refundCents`), `capture` it now, or nothing (`none`).
 */
export type DepositEffect = 'keep' | 'void' | 'settle' | 'capture' | 'none';

export interface Transition<T extends LifecycleState> {
  from: BookingStatus;
  booking: T;
  deposit: DepositEffect;
}

export class ForbiddenTransitionError extends Error {
  constructor(
    readonly from: BookingStatus,
    readonly event: LifecycleEventType,
  ) {
    super(`booking transition ${event} is not allowed from ${from}`);
    this.name = 'ForbiddenTransitionError';
  }
}

/** True when `event` may be applied to a booking in `state` (same rules as `transition`). */
export function canApply(state: Pick<LifecycleState, 'status' | 'paymentStatus' | 'depositCents' | 'refundCents' | 'refundedCents'>, type: LifecycleEventType): boolean {
  const { status, paymentStatus } = state;
  switch (type) {
    case 'authentication_required':
      return status === 'pending_payment';
    case 'payment_succeeded':
    case 'payment_declined':
    case 'hold_expired':
      return isHold(status);
    case 'moved':
    case 'cancelled':
    case 'payment_voided':
      return isBooked(status);
    case 'deposit_captured':
      return isStanding(status) && paymentStatus === 'authorized';
    case 'completed':
    case 'no_show':
      return isBooked(status);
    case 'deposit_settled':
      return (status === 'cancelled' || status === 'expired' || status === 'payment_failed') && settlementDue(state);
    case 'refund_recorded':
      return depositCaptured(paymentStatus);
    case 'late_payment_succeeded':
      return (status === 'expired' || status === 'payment_failed') && (paymentStatus === 'pending' || paymentStatus === 'failed');
  }
}

/**
 * Applies one event to a booking: returns the booking after it (a new object; the input is
 * untouched) and what the caller must do about the slot and the deposit. Throws
 * ForbiddenTransitionError when the event makes no sense in the booking's current status.
 */
export function transition<T extends LifecycleState>(booking: T, event: LifecycleEvent): Transition<T> {
  if (!canApply(booking, event.type)) throw new ForbiddenTransitionError(booking.status, event.type);
  const from = booking.status;
  // What happens to the slot follows from the statuses (holdsSlot) and the times: not said twice.
  const to = (changes: Partial<LifecycleState>, deposit: DepositEffect): Transition<T> => ({
    from,
    booking: { ...booking, ...changes },
    deposit,
  });
  switch (event.type) {
    case 'authentication_required':
      return to({ status: 'awaiting_authentication', paymentIntentId: event.paymentIntentId, holdExpiresMs: event.holdExpiresMs }, 'none');
    case 'payment_succeeded':
      return to(
        { status: 'confirmed', paymentStatus: event.paymentStatus, paymentIntentId: event.paymentIntentId ?? booking.paymentIntentId, holdExpiresMs: null },
        'keep',
      );
    case 'payment_declined':
      return to({ status: 'payment_failed', paymentStatus: 'failed', paymentIntentId: event.paymentIntentId ?? booking.paymentIntentId, holdExpiresMs: null }, 'none');
    case 'hold_expired':
      return to({ status: 'expired', paymentStatus: 'failed', holdExpiresMs: null }, booking.paymentIntentId ? 'void' : 'none');
    case 'moved':
      return to({ status: 'rescheduled', startMs: event.startMs, endMs: event.endMs, refundCapCents: event.refundCapCents }, 'keep');
    case 'cancelled': {
      const refundCents = Math.min(Math.max(event.refundCents, 0), booking.depositCents);
      return to({ status: 'cancelled', cancelledBy: event.by, refundCents }, settlementDue({ ...booking, refundCents }) ? 'settle' : 'none');
    }
    case 'deposit_captured':
      return to({ paymentStatus: 'captured' }, 'capture');
    case 'payment_voided':
      // No deposit stands behind the booking any more (cancelled at the provider): it ends.
      return to({ status: 'cancelled', cancelledBy: 'system', paymentStatus: 'failed', refundCents: 0 }, 'none');
    case 'deposit_settled': {
      // The decided refund is given back now (or was already, in part or in full).
      const refundedCents = Math.max(booking.refundedCents, Math.min(booking.refundCents, booking.depositCents));
      return to({ paymentStatus: refundedCents > 0 ? 'refunded' : event.paymentStatus, refundedCents }, 'none');
    }
    case 'refund_recorded': {
      // Refund totals only grow: an older or repeated report never lowers what was given back.
      const refundedCents = Math.max(booking.refundedCents, Math.min(Math.max(event.refundedCents, 0), booking.depositCents));
      return to({ paymentStatus: refundedCents > 0 ? 'refunded' : booking.paymentStatus, refundedCents }, 'none');
    }
    case 'late_payment_succeeded':
      // The slot was given back; the money is returned in full, never a booking nobody holds.
      return to({ paymentStatus: event.paymentStatus, paymentIntentId: event.paymentIntentId, refundCents: booking.depositCents }, 'settle');
    case 'completed':
      return to({ status: 'completed' }, 'keep');
    case 'no_show':
      // The deposit is the artisan's: nothing is refunded (an authorisation is captured as scheduled).
      return to({ status: 'no_show', refundCents: 0 }, 'keep');
  }
}
