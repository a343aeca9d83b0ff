import { canApply } from '../domain/booking-lifecycle.ts';
import { applyTransition } from './booking-transitions.ts';
import { applyPaymentOutcome, type BookingRef } from './payment-outcome.ts';
import type { BookingDispute, BookingRecord } from '../domain/booking.ts';
import type { BookingStore } from './ports/booking-store.ts';
import type { Clock } from './ports/clock.ts';
import type { ErrorLog } from './ports/error-log.ts';
import type { PaymentProvider } from './ports/payments.ts';

/** A provider event (a Stripe webhook), reduced to what the app acts on. */
export interface PaymentEvent {
  id: string;
  type: string;
  /** The PaymentIntent the event is about (directly or through its charge / dispute). */
  paymentIntentId: string | null;
  /** metadata.bookingId when the object carries it. */
  bookingId: string | null;
  objectId: string | null;
  /** The bits of the object some handlers need (dispute reason and amount, refunded amount). */
  details: Record<string, unknown>;
}

export interface PaymentEventStore {
  /**
   * Stores the event once, with the booking it concerns, and enqueues its processing in the
   * same transaction. False when the event id was already stored (a replay: nothing to do).
   */
  recordEvent(provider: string, event: PaymentEvent): Promise<boolean>;
  /** The event as recorded for the business it is about. */
  findEvent(artisanId: string, id: string): Promise<(PaymentEvent & { bookingIdResolved: string | null }) | undefined>;
  findBookingByPaymentIntent(paymentIntentId: string): Promise<BookingRecord | undefined>;
}

/** Receiving: store once, process later from the outbox (a crash mid-event loses nothing). */
export function makeReceivePaymentEvent(deps: { events: PaymentEventStore; provider: string }) {
  return async function receivePaymentEvent(event: PaymentEvent): Promise<{ duplicate: boolean }> {
    return { duplicate: !(await deps.events.recordEvent(deps.provider, event)) };
  };
}

/**
 * Processing one stored event (outbox topic payment.webhook). For PaymentIntent events the
 * booking follows the intent's current status, re-read from the provider, never the event's
 * own (possibly stale) copy: events may arrive in any order, twice, or late.
 */
export function makeProcessPaymentEvent(deps: {
  events: PaymentEventStore;
  store: BookingStore;
  payments: PaymentProvider;
  clock: Clock;
  log: ErrorLog;
}) {
  return async function processPaymentEvent(artisanId: string, eventId: string): Promise<string> {
    const event = await deps.events.findEvent(artisanId, eventId);
    if (!event) return 'unknown event';
    const booking =
      (event.bookingIdResolved ? await deps.store.findBookingById(event.bookingIdResolved) : undefined) ??
      (event.paymentIntentId ? await deps.events.findBookingByPaymentIntent(event.paymentIntentId) : undefined);
    if (!booking) return 'no booking';
    if (event.type === 'charge.dispute.created') {
      await flagDispute(deps, booking, {
        openedMs: deps.clock.now(),
        reason: String(event.details.reason ?? 'unknown'),
        amountCents: Number(event.details.amount ?? 0),
        status: String(event.details.status ?? 'needs_response'),
      });
      return 'dispute flagged';
    }
    if (event.type === 'charge.refunded') return recordRefund(deps, booking, event);
    if (!event.type.startsWith('payment_intent.') || !event.paymentIntentId) return 'ignored';
    // A webhook about an intent that is not (or no longer) this booking's deposit changes nothing.
    if (booking.paymentIntentId && booking.paymentIntentId !== event.paymentIntentId) return 'other intent';
    const result = await deps.payments.retrieveDeposit(event.paymentIntentId);
    const applied = await applyPaymentOutcome(deps, booking, result, 'stripe');
    return applied.changed ? `booking ${applied.booking.status}` : 'unchanged';
  };
}

/**
 * A refund the provider made (ours, or the artisan's from its dashboard): the booking's
 * refunded amount follows the charge's amount_refunded, a running total, so a late or
 * repeated event never lowers it. A charge of another intent than the deposit's changes nothing.
 */
async function recordRefund(deps: { store: BookingStore; clock: Clock }, ref: BookingRef, event: PaymentEvent): Promise<string> {
  const amountRefunded = typeof event.details.amountRefunded === 'number' ? event.details.amountRefunded : null;
  const bookingId = ref.id;
  return deps.store.transaction(ref.artisanId, async (tx) => {
    const current = await tx.lockBooking(bookingId);
    if (!current) return 'no booking';
    if (event.paymentIntentId && current.paymentIntentId !== event.paymentIntentId) return 'other intent';
    const data = { amountRefunded };
    if (amountRefunded === null || amountRefunded <= current.refundedCents || !canApply(current, 'refund_recorded')) {
      await tx.appendEvent({ bookingId, type: 'refund_confirmed', actor: 'stripe', data });
      return 'refund recorded';
    }
    await applyTransition(tx, current, { type: 'refund_recorded', refundedCents: amountRefunded }, { nowMs: deps.clock.now(), actor: 'stripe', type: 'refund_confirmed', data });
    return 'refund applied';
  });
}

/** A chargeback is a flag for the artisan, not a lifecycle step: the booking's status stays. */
async function flagDispute(deps: { store: BookingStore; clock: Clock }, ref: BookingRef, dispute: BookingDispute): Promise<void> {
  await deps.store.transaction(ref.artisanId, async (tx) => {
    const current = await tx.lockBooking(ref.id);
    if (!current || current.dispute) return;
    const next = { ...current, dispute, updatedMs: deps.clock.now() };
    await tx.updateBooking(next);
    await tx.appendEvent({ bookingId: ref.id, type: 'dispute_opened', actor: 'stripe', data: { reason: dispute.reason, amountCents: dispute.amountCents } });
  });
}
