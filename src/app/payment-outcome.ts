import { AppError, PolicyError, UnavailableError } from '../domain/errors.ts';
import { isBooked, isHold } from '../domain/booking-lifecycle.ts';
import { recordConfirmed } from './booking-effects.ts';
import { applyTransition } from './booking-transitions.ts';
import { PaymentUnavailableError, type BookingRecord, type BookingStore, type Clock, type DepositResult, type PaymentProvider } from './ports.ts';

/**
 * The two halves of taking a deposit. `authorizeDeposit` asks the provider (the HTTP request,
 * the stale-hold recovery); `applyPaymentOutcome` moves the booking by what the provider said,
 * and is the one place that does so, whoever learnt the outcome.
 */

export const depositIdempotencyKey = (booking: Pick<BookingRecord, 'id'>): string => `deposit-${booking.id}`;

/** Asks the provider for the booking's deposit. An unreachable provider is PAYMENT_UNAVAILABLE (503). */
export async function authorizeDeposit(payments: PaymentProvider, booking: BookingRecord): Promise<DepositResult> {
  if (booking.depositCents === 0) return { outcome: 'succeeded', paymentIntentId: '', paymentStatus: 'captured' };
  try {
    return await payments.authorizeDeposit({
      idempotencyKey: depositIdempotencyKey(booking),
      amountCents: booking.depositCents,
      currency: 'EUR',
      paymentMethodId: booking.paymentMethodId ?? undefined,
      description: `Acompte ${booking.publicCode} - ${booking.serviceName}`,
      metadata: { bookingId: booking.id, publicCode: booking.publicCode },
    });
  } catch (error) {
    if (error instanceof PaymentUnavailableError) throw paymentUnavailable(error);
    throw error;
  }
}

export const paymentUnavailable = (cause?: unknown): UnavailableError => {
  const error = new UnavailableError(
    'PAYMENT_UNAVAILABLE',
    "Le paiement de l'acompte n'a pas pu être traité pour le moment. Merci de réessayer dans quelques minutes.",
  );
  if (cause !== undefined) (error as { cause?: unknown }).cause = cause;
  return error;
};

export const paymentDeclined = (): PolicyError =>
  new PolicyError(
    'PAYMENT_DECLINED',
    "Le paiement de l'acompte a été refusé. Aucune réservation n'a été enregistrée ; vous pouvez réessayer avec un autre moyen de paiement.",
  );

export interface AppliedOutcome {
  booking: BookingRecord;
  /** False when the booking had already moved on (confirmed by another path, expired…). */
  changed: boolean;
}

/**
 * Applies a provider's answer to a booking still held for payment, in one transaction: a
 * success confirms it (busy block, messages, reminder), a decline releases the slot. A
 * booking no longer held is returned unchanged, so repeating an outcome is harmless.
 */
export async function applyPaymentOutcome(
  deps: { store: BookingStore; clock: Clock },
  bookingId: string,
  result: DepositResult,
  actor = 'system',
): Promise<AppliedOutcome> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const current = await tx.lockBooking(bookingId);
    if (!current) throw new AppError('BOOKING_STATE_CHANGED', 'La réservation a changé entre-temps. Merci de réessayer.');
    if (!isHold(current.status)) return { booking: current, changed: false };
    const paymentIntentId = result.paymentIntentId || null;
    if (result.outcome === 'declined') {
      const t = await applyTransition(tx, current, { type: 'payment_declined', paymentIntentId }, {
        nowMs: now,
        actor: 'system',
        type: 'payment_declined',
        data: { declineCode: result.declineCode },
      });
      return { booking: t.booking, changed: true };
    }
    const t = await applyTransition(tx, current, { type: 'payment_succeeded', paymentIntentId, paymentStatus: result.paymentStatus }, {
      nowMs: now,
      actor,
      type: 'confirmed',
      data: { paymentStatus: result.paymentStatus, depositCents: current.depositCents },
    });
    await recordConfirmed(tx, t.booking, now);
    return { booking: t.booking, changed: true };
  });
}

/** What the customer's request answers once the outcome is applied: the booking, or why not. */
export function bookingOrRefusal(applied: AppliedOutcome): BookingRecord {
  const { booking } = applied;
  if (isBooked(booking.status)) return booking;
  if (booking.status === 'payment_failed') throw paymentDeclined();
  throw new AppError('BOOKING_STATE_CHANGED', 'La réservation a changé entre-temps. Merci de réessayer.');
}
