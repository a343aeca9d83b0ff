import { describe, expect, it } from 'vitest';
import {
  ACTIVE_STATUSES,
  BOOKING_STATUSES,
  ForbiddenTransitionError,
  PAYMENT_STATUSES,
  holdsSlot,
  transition,
  type BookingStatus,
  type LifecycleEvent,
  type LifecycleState,
  type PaymentStatus,
} from './booking-lifecycle.ts';

const T0 = Date.UTC(2026, 11, 10, 9, 0);
const events: Record<LifecycleEvent['type'], LifecycleEvent> = {
  authentication_required: { type: 'authentication_required', paymentIntentId: 'pi_3ds', holdExpiresMs: T0 - 3_600_000 },
  payment_succeeded: { type: 'payment_succeeded', paymentIntentId: 'pi_ok', paymentStatus: 'captured' },
  payment_declined: { type: 'payment_declined', paymentIntentId: 'pi_no' },
  hold_expired: { type: 'hold_expired' },
  moved: { type: 'moved', startMs: T0 + 86_400_000, endMs: T0 + 90_000_000, refundCapCents: 600 },
  cancelled: { type: 'cancelled', by: 'customer', refundCents: 1_500 },
  deposit_captured: { type: 'deposit_captured' },
  payment_voided: { type: 'payment_voided' },
  deposit_settled: { type: 'deposit_settled', paymentStatus: 'refunded' },
  refund_recorded: { type: 'refund_recorded', refundedCents: 1_000 },
  late_payment_succeeded: { type: 'late_payment_succeeded', paymentIntentId: 'pi_late', paymentStatus: 'captured' },
  completed: { type: 'completed' },
  no_show: { type: 'no_show' },
};

/** The payment status a booking typically has in each status (the rows below use it). */
const typicalPayment: Record<BookingStatus, PaymentStatus> = {
  pending_payment: 'pending',
  awaiting_authentication: 'pending',
  confirmed: 'authorized',
  rescheduled: 'authorized',
  cancelled: 'authorized',
  payment_failed: 'failed',
  expired: 'failed',
  completed: 'captured',
  no_show: 'captured',
};

const state = (status: BookingStatus, paymentStatus = typicalPayment[status]): LifecycleState => ({
  status,
  paymentStatus,
  paymentIntentId: status === 'pending_payment' ? null : 'pi_existing',
  holdExpiresMs: status === 'pending_payment' || status === 'awaiting_authentication' ? T0 - 60_000 : null,
  startMs: T0,
  endMs: T0 + 3_600_000,
  depositCents: 3_000,
  refundCents: 0,
  // 'refunded' before this work meant refunded in full: the rows keep that meaning.
  refundedCents: paymentStatus === 'refunded' ? 3_000 : 0,
  refundCapCents: null,
  cancelledBy: null,
});

type Row = [BookingStatus, LifecycleEvent['type'], BookingStatus | 'forbidden', string?, string?];
// status, event -> status after, slot effect, deposit effect. Written by hand from the issue.
const TABLE: Row[] = [
  ['pending_payment', 'authentication_required', 'awaiting_authentication', 'keep', 'none'],
  ['pending_payment', 'payment_succeeded', 'confirmed', 'keep', 'keep'],
  ['pending_payment', 'payment_declined', 'payment_failed', 'free', 'none'],
  ['pending_payment', 'hold_expired', 'expired', 'free', 'none'],
  ['pending_payment', 'moved', 'forbidden'],
  ['pending_payment', 'cancelled', 'forbidden'],
  ['pending_payment', 'deposit_captured', 'forbidden'],
  ['pending_payment', 'payment_voided', 'forbidden'],
  ['pending_payment', 'deposit_settled', 'forbidden'],
  ['pending_payment', 'refund_recorded', 'forbidden'], // typical payment: nothing captured to refund
  ['pending_payment', 'late_payment_succeeded', 'forbidden'],
  ['pending_payment', 'completed', 'forbidden'],
  ['pending_payment', 'no_show', 'forbidden'],

  ['awaiting_authentication', 'authentication_required', 'forbidden'],
  ['awaiting_authentication', 'payment_succeeded', 'confirmed', 'keep', 'keep'],
  ['awaiting_authentication', 'payment_declined', 'payment_failed', 'free', 'none'],
  ['awaiting_authentication', 'hold_expired', 'expired', 'free', 'void'],
  ['awaiting_authentication', 'moved', 'forbidden'],
  ['awaiting_authentication', 'cancelled', 'forbidden'],
  ['awaiting_authentication', 'deposit_captured', 'forbidden'],
  ['awaiting_authentication', 'payment_voided', 'forbidden'],
  ['awaiting_authentication', 'deposit_settled', 'forbidden'],
  ['awaiting_authentication', 'refund_recorded', 'forbidden'], // typical payment: nothing captured to refund
  ['awaiting_authentication', 'late_payment_succeeded', 'forbidden'],
  ['awaiting_authentication', 'completed', 'forbidden'],
  ['awaiting_authentication', 'no_show', 'forbidden'],

  ['confirmed', 'authentication_required', 'forbidden'],
  ['confirmed', 'payment_succeeded', 'forbidden'],
  ['confirmed', 'payment_declined', 'forbidden'],
  ['confirmed', 'hold_expired', 'forbidden'],
  ['confirmed', 'moved', 'rescheduled', 'move', 'keep'],
  ['confirmed', 'cancelled', 'cancelled', 'free', 'settle'],
  ['confirmed', 'deposit_captured', 'confirmed', 'none', 'capture'],
  ['confirmed', 'payment_voided', 'cancelled', 'free', 'none'],
  ['confirmed', 'deposit_settled', 'forbidden'],
  ['confirmed', 'refund_recorded', 'forbidden'], // typical payment: nothing captured to refund
  ['confirmed', 'late_payment_succeeded', 'forbidden'],
  ['confirmed', 'completed', 'completed', 'keep', 'keep'],
  ['confirmed', 'no_show', 'no_show', 'keep', 'keep'],

  ['rescheduled', 'authentication_required', 'forbidden'],
  ['rescheduled', 'payment_succeeded', 'forbidden'],
  ['rescheduled', 'payment_declined', 'forbidden'],
  ['rescheduled', 'hold_expired', 'forbidden'],
  ['rescheduled', 'moved', 'rescheduled', 'move', 'keep'],
  ['rescheduled', 'cancelled', 'cancelled', 'free', 'settle'],
  ['rescheduled', 'deposit_captured', 'rescheduled', 'none', 'capture'],
  ['rescheduled', 'payment_voided', 'cancelled', 'free', 'none'],
  ['rescheduled', 'deposit_settled', 'forbidden'],
  ['rescheduled', 'refund_recorded', 'forbidden'], // typical payment: nothing captured to refund
  ['rescheduled', 'late_payment_succeeded', 'forbidden'],
  ['rescheduled', 'completed', 'completed', 'keep', 'keep'],
  ['rescheduled', 'no_show', 'no_show', 'keep', 'keep'],

  ['cancelled', 'authentication_required', 'forbidden'],
  ['cancelled', 'payment_succeeded', 'forbidden'],
  ['cancelled', 'payment_declined', 'forbidden'],
  ['cancelled', 'hold_expired', 'forbidden'],
  ['cancelled', 'moved', 'forbidden'],
  ['cancelled', 'cancelled', 'forbidden'],
  ['cancelled', 'deposit_captured', 'forbidden'],
  ['cancelled', 'payment_voided', 'forbidden'],
  ['cancelled', 'deposit_settled', 'cancelled', 'none', 'none'],
  ['cancelled', 'refund_recorded', 'forbidden'], // typical payment: nothing captured to refund
  ['cancelled', 'late_payment_succeeded', 'forbidden'],
  ['cancelled', 'completed', 'forbidden'],
  ['cancelled', 'no_show', 'forbidden'],

  ['payment_failed', 'authentication_required', 'forbidden'],
  ['payment_failed', 'payment_succeeded', 'forbidden'],
  ['payment_failed', 'payment_declined', 'forbidden'],
  ['payment_failed', 'hold_expired', 'forbidden'],
  ['payment_failed', 'moved', 'forbidden'],
  ['payment_failed', 'cancelled', 'forbidden'],
  ['payment_failed', 'deposit_captured', 'forbidden'],
  ['payment_failed', 'payment_voided', 'forbidden'],
  ['payment_failed', 'deposit_settled', 'forbidden'],
  ['payment_failed', 'refund_recorded', 'forbidden'], // typical payment: nothing captured to refund
  ['payment_failed', 'late_payment_succeeded', 'payment_failed', 'none', 'settle'],
  ['payment_failed', 'completed', 'forbidden'],
  ['payment_failed', 'no_show', 'forbidden'],

  ['expired', 'authentication_required', 'forbidden'],
  ['expired', 'payment_succeeded', 'forbidden'],
  ['expired', 'payment_declined', 'forbidden'],
  ['expired', 'hold_expired', 'forbidden'],
  ['expired', 'moved', 'forbidden'],
  ['expired', 'cancelled', 'forbidden'],
  ['expired', 'deposit_captured', 'forbidden'],
  ['expired', 'payment_voided', 'forbidden'],
  ['expired', 'deposit_settled', 'forbidden'],
  ['expired', 'refund_recorded', 'forbidden'], // typical payment: nothing captured to refund
  ['expired', 'late_payment_succeeded', 'expired', 'none', 'settle'],
  ['expired', 'completed', 'forbidden'],
  ['expired', 'no_show', 'forbidden'],
  // An outcome is final: neither the customer nor the artisan cancels or moves it; only the
  // scheduled capture of an authorised deposit and a provider refund still apply.
  ['completed', 'authentication_required', 'forbidden'],
  ['completed', 'payment_succeeded', 'forbidden'],
  ['completed', 'payment_declined', 'forbidden'],
  ['completed', 'hold_expired', 'forbidden'],
  ['completed', 'moved', 'forbidden'],
  ['completed', 'cancelled', 'forbidden'],
  ['completed', 'deposit_captured', 'forbidden'], // typical payment: already captured
  ['completed', 'payment_voided', 'forbidden'],
  ['completed', 'deposit_settled', 'forbidden'],
  ['completed', 'refund_recorded', 'completed', 'keep', 'none'], // captured: the provider may refund it
  ['completed', 'late_payment_succeeded', 'forbidden'],
  ['completed', 'completed', 'forbidden'],
  ['completed', 'no_show', 'forbidden'],

  ['no_show', 'authentication_required', 'forbidden'],
  ['no_show', 'payment_succeeded', 'forbidden'],
  ['no_show', 'payment_declined', 'forbidden'],
  ['no_show', 'hold_expired', 'forbidden'],
  ['no_show', 'moved', 'forbidden'],
  ['no_show', 'cancelled', 'forbidden'],
  ['no_show', 'deposit_captured', 'forbidden'], // typical payment: already captured
  ['no_show', 'payment_voided', 'forbidden'],
  ['no_show', 'deposit_settled', 'forbidden'],
  ['no_show', 'refund_recorded', 'no_show', 'keep', 'none'],
  ['no_show', 'late_payment_succeeded', 'forbidden'],
  ['no_show', 'completed', 'forbidden'],
  ['no_show', 'no_show', 'forbidden'],
];

describe('booking lifecycle', () => {
  it('the table covers every status and every event', () => {
    expect(TABLE).toHaveLength(BOOKING_STATUSES.length * Object.keys(events).length);
    for (const s of BOOKING_STATUSES) for (const e of Object.keys(events)) expect(TABLE.some(([a, b]) => a === s && b === e)).toBe(true);
  });

  it.each(TABLE)('%s + %s -> %s (slot %s, deposit %s)', (from, type, expected, slot, deposit) => {
    const before = state(from);
    const frozen = structuredClone(before);
    if (expected === 'forbidden') {
      expect(() => transition(before, events[type])).toThrow(ForbiddenTransitionError);
      return;
    }
    const result = transition(before, events[type]);
    expect(result.from).toBe(from);
    expect(result.booking.status).toBe(expected);
    // The slot's fate is read from the statuses and times (what the database's constraint sees).
    const held = [holdsSlot(before.status), holdsSlot(result.booking.status)];
    const moved = result.booking.startMs !== before.startMs || result.booking.endMs !== before.endMs;
    expect(slot === 'free' ? held[0] && !held[1] : slot === 'move' ? held[0] && held[1] && moved : held[0] === held[1] && !moved).toBe(true);
    expect(result.deposit).toBe(deposit);
    expect(before).toEqual(frozen); // the input is never mutated
  });

  it('a hold settled by its payment no longer expires', () => {
    const paid = transition(state('awaiting_authentication'), events.payment_succeeded).booking;
    expect(paid).toMatchObject({ status: 'confirmed', paymentStatus: 'captured', paymentIntentId: 'pi_ok', holdExpiresMs: null });
    const declined = transition(state('pending_payment'), events.payment_declined).booking;
    expect(declined).toMatchObject({ paymentStatus: 'failed', holdExpiresMs: null, paymentIntentId: 'pi_no' });
  });

  it('a 3-D Secure challenge keeps the hold until its own expiry', () => {
    const waiting = transition(state('pending_payment'), events.authentication_required).booking;
    expect(waiting).toMatchObject({ status: 'awaiting_authentication', paymentIntentId: 'pi_3ds', holdExpiresMs: T0 - 3_600_000 });
  });

  it('a move keeps the deposit and changes only the times', () => {
    const moved = transition(state('confirmed', 'captured'), events.moved).booking;
    expect(moved).toMatchObject({ startMs: T0 + 86_400_000, endMs: T0 + 90_000_000, paymentStatus: 'captured', paymentIntentId: 'pi_existing', refundCapCents: 600 });
  });

  it('a cancellation records who and the refund, never above the deposit', () => {
    const c = transition(state('confirmed'), { type: 'cancelled', by: 'artisan', refundCents: 99_999 }).booking;
    expect(c).toMatchObject({ cancelledBy: 'artisan', refundCents: 3_000 });
  });

  it('cancelling a booking whose deposit is not held settles nothing', () => {
    for (const p of ['pending', 'refunded', 'failed'] as const) {
      expect(transition(state('confirmed', p), events.cancelled).deposit).toBe('none');
    }
    expect(transition(state('confirmed', 'captured'), events.cancelled).deposit).toBe('settle');
  });

  it('a refund made at the provider (its dashboard) records the running total on a captured deposit, never lowering it', () => {
    const partly = transition(state('confirmed', 'captured'), events.refund_recorded);
    expect(partly).toMatchObject({ deposit: 'none' });
    expect(partly.booking).toMatchObject({ status: 'confirmed', paymentStatus: 'refunded', refundedCents: 1_000 });
    const older = transition(partly.booking, { type: 'refund_recorded', refundedCents: 400 }).booking;
    expect(older.refundedCents).toBe(1_000);
    expect(transition(partly.booking, { type: 'refund_recorded', refundedCents: 99_999 }).booking.refundedCents).toBe(3_000);
    expect(() => transition(state('confirmed', 'authorized'), events.refund_recorded)).toThrow(ForbiddenTransitionError);
  });

  it('a cancellation after a partial refund settles only what the decision grants beyond it', () => {
    const partly = { ...state('confirmed', 'refunded'), refundedCents: 1_000 };
    expect(transition(partly, { type: 'cancelled', by: 'customer', refundCents: 3_000 }).deposit).toBe('settle');
    expect(transition(partly, { type: 'cancelled', by: 'customer', refundCents: 1_000 }).deposit).toBe('none');
    expect(transition(partly, { type: 'cancelled', by: 'customer', refundCents: 0 }).deposit).toBe('none');
    const cancelled = transition(partly, { type: 'cancelled', by: 'customer', refundCents: 3_000 }).booking;
    expect(transition(cancelled, events.deposit_settled).booking).toMatchObject({ paymentStatus: 'refunded', refundedCents: 3_000 });
  });

  it('a PaymentIntent cancelled under a confirmed booking ends it, by the system, with nothing to refund', () => {
    const v = transition(state('confirmed', 'authorized'), events.payment_voided).booking;
    expect(v).toMatchObject({ status: 'cancelled', cancelledBy: 'system', paymentStatus: 'failed', refundCents: 0 });
  });

  it('a late payment on a freed slot is refunded in full', () => {
    const late = transition(state('expired'), events.late_payment_succeeded).booking;
    expect(late).toMatchObject({ status: 'expired', paymentStatus: 'captured', refundCents: 3_000, paymentIntentId: 'pi_late' });
  });

  it('deposit-only transitions depend on the payment status', () => {
    const cases: [BookingStatus, PaymentStatus, LifecycleEvent['type'], boolean][] = [
      ['confirmed', 'captured', 'deposit_captured', false],
      ['confirmed', 'pending', 'deposit_captured', false],
      ['cancelled', 'captured', 'deposit_settled', true],
      ['cancelled', 'refunded', 'deposit_settled', false],
      ['cancelled', 'pending', 'deposit_settled', false],
      ['expired', 'captured', 'deposit_settled', true],
      ['payment_failed', 'authorized', 'deposit_settled', true],
      ['expired', 'captured', 'late_payment_succeeded', false],
    ];
    for (const [status, payment, type, allowed] of cases) {
      const run = () => transition(state(status, payment), events[type]);
      if (allowed) expect(run).not.toThrow();
      else expect(run).toThrow(ForbiddenTransitionError);
    }
  });

  it('a no-show keeps the whole deposit, authorised or captured; a completed booking keeps it too', () => {
    for (const p of ['authorized', 'captured'] as const) {
      const n = transition({ ...state('confirmed', p), refundCents: 1_000 }, events.no_show);
      expect(n).toMatchObject({ deposit: 'keep', booking: { status: 'no_show', paymentStatus: p, refundCents: 0, refundedCents: 0 } });
      expect(transition(state('rescheduled', p), events.completed)).toMatchObject({ deposit: 'keep', booking: { status: 'completed', paymentStatus: p } });
    }
  });

  it('an authorised deposit is still captured as scheduled after the outcome is recorded', () => {
    for (const s of ['completed', 'no_show'] as const) {
      expect(transition(state(s, 'authorized'), events.deposit_captured)).toMatchObject({ deposit: 'capture', booking: { status: s, paymentStatus: 'captured' } });
    }
  });

  it('the statuses that hold a slot are the payment holds, the booked ones and those with an outcome', () => {
    expect([...ACTIVE_STATUSES].sort()).toEqual(['awaiting_authentication', 'completed', 'confirmed', 'no_show', 'pending_payment', 'rescheduled']);
    expect(PAYMENT_STATUSES).toContain('authorized');
  });
});
