import { canApply } from '../domain/booking-lifecycle.ts';
import { applyTransition } from './booking-transitions.ts';
import { disputeEventOf } from './webhook-events.ts';
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
  /** Stripe Connect: the connected account it happened on; null on the keys' own account. */
  account: string | null;
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
  recordEvent(provider: string, event: PaymentEvent, artisanId?: string): Promise<boolean>;
  /** `artisanId`: the business the event was routed to (Connect), else its booking's, or null. */
  findEvent(artisanId: string, id: string): Promise<(PaymentEvent & { bookingIdResolved: string | null; artisanId: string | null }) | undefined>;
  /** The booking of a PaymentIntent; of this business only when `artisanId` is given. */
  findBookingByPaymentIntent(paymentIntentId: string, artisanId: string | null): Promise<BookingRecord | undefined>;
}

/**
 * Receiving: store once, process later from the outbox (a crash mid-event loses nothing).
 * With Stripe Connect (`ownerOf` given) the event belongs to the business owning its account
 * (event.account): an event of no known business's account is acknowledged and left alone.
 */
export function makeReceivePaymentEvent(deps: { events: PaymentEventStore; provider: string; ownerOf?: (accountId: string) => Promise<string | undefined> }) {
  return async function receivePaymentEvent(event: PaymentEvent): Promise<{ duplicate: boolean; ignored?: string }> {
    if (!deps.ownerOf) return { duplicate: !(await deps.events.recordEvent(deps.provider, event)) };
    if (!event.account) return { duplicate: false, ignored: 'no connected account' };
    const artisanId = await deps.ownerOf(event.account);
    if (!artisanId) return { duplicate: false, ignored: 'unknown connected account' };
    return { duplicate: !(await deps.events.recordEvent(deps.provider, event, artisanId)) };
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
  /** Stripe Connect: `account.updated` refreshes the business's account state. */
  accountUpdated?: (artisanId: string, accountId: string) => Promise<string>;
}) {
  return async function processPaymentEvent(artisanId: string, eventId: string): Promise<string> {
    const event = await deps.events.findEvent(artisanId, eventId);
    if (!event) return 'unknown event';
    if (event.type === 'account.updated') {
      return deps.accountUpdated && event.artisanId && event.objectId ? deps.accountUpdated(event.artisanId, event.objectId) : 'ignored';
    }
    const found =
      (event.bookingIdResolved ? await deps.store.findBookingById(event.bookingIdResolved) : undefined) ??
      (event.paymentIntentId ? await deps.events.findBookingByPaymentIntent(event.paymentIntentId, event.account ? event.artisanId : null) : undefined);
    // An event routed to a business (Connect) only ever touches that business's bookings.
    const booking = found && (!event.account || found.artisanId === event.artisanId) ? found : undefined;
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
    const result = await deps.payments.retrieveDeposit(event.paymentIntentId, booking.artisanId);
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
    await tx.enqueue([disputeEventOf(next, deps.clock.now())]);
  });
}
