import { bookingNotFound } from '../domain/errors.ts';
import { isBooked, isHold } from '../domain/booking-lifecycle.ts';
import { normalizeEmail, normalizePublicCode } from '../domain/public-code.ts';
import { chargeAndConfirm, type CreateBookingResult } from './create-booking.ts';
import { applyPaymentOutcome, bookingOrRefusal, expireHold, paymentDeclined, paymentHoldExpired } from './payment-outcome.ts';
import { PaymentUnavailableError, type PaymentProvider } from './ports/payments.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { BookingStore } from './ports/booking-store.ts';
import type { Clock } from './ports/clock.ts';
import type { ErrorLog } from './ports/error-log.ts';
import { paymentUnavailable } from './payment-outcome.ts';

/** The customer proves who they are with the e-mail, or with a manage link's booking. */
export type PaymentLocator = { publicCode: string; email: string } | { publicCode: string; bookingId: string };

/**
 * After a 3-D Secure challenge, the front asks where the payment stands. The answer is read
 * from the provider and applied like any other outcome (a webhook may have come first: then
 * the booking is already confirmed and said so). A hold past its expiry ends here, as the
 * recovery would end it.
 */
export function makeConfirmPayment(deps: { store: BookingStore; payments: PaymentProvider; clock: Clock; log?: ErrorLog }) {
  return async function confirmPayment(input: PaymentLocator): Promise<CreateBookingResult> {
    const code = normalizePublicCode(input.publicCode);
    const booking = code ? await deps.store.findBookingByCode(code) : undefined;
    const owner =
      booking && ('email' in input ? booking.customer.email !== undefined && booking.customer.email === normalizeEmail(input.email) : booking.id === input.bookingId);
    if (!booking || !owner) throw bookingNotFound();
    if (!isHold(booking.status)) return answer({ booking, changed: false });
    if (booking.holdExpiresMs !== null && booking.holdExpiresMs <= deps.clock.now()) return answer(await expireHold(deps, booking));
    // The creating request is still in flight or died before the intent was known: repeat it (same key).
    if (!booking.paymentIntentId) return chargeAndConfirm(deps, booking, 'customer');
    let result;
    try {
      result = await deps.payments.retrieveDeposit(booking.paymentIntentId, booking.artisanId);
    } catch (error) {
      if (error instanceof PaymentUnavailableError) throw paymentUnavailable(error);
      throw error;
    }
    return answer(await applyPaymentOutcome(deps, booking, result, 'customer'));
  };
}

/**
 * The booking an Idempotency-Key's request made before the process died, resumed for the
 * retry: its real outcome (confirmed, still held, declined), or undefined when it came to
 * nothing (the hold expired) and the request should be made afresh.
 */
export function makeResumeBooking(deps: { store: BookingStore; payments: PaymentProvider; clock: Clock; log?: ErrorLog }) {
  return async function resumeBooking(bookingId: string): Promise<CreateBookingResult | undefined> {
    const booking = await deps.store.findBookingById(bookingId);
    if (!booking || booking.status === 'expired') return undefined;
    if (isHold(booking.status)) {
      if (booking.holdExpiresMs !== null && booking.holdExpiresMs <= deps.clock.now()) {
        const ended = await expireHold(deps, booking);
        return isBooked(ended.booking.status) ? { booking: ended.booking, challenge: null } : undefined;
      }
      return chargeAndConfirm(deps, booking, 'customer');
    }
    return answer({ booking, changed: false });
  };
}

function answer(applied: { booking: BookingRecord; changed: boolean; clientSecret?: string; declineCode?: string }): CreateBookingResult {
  const { booking } = applied;
  if (booking.status === 'payment_failed') throw paymentDeclined(applied.declineCode);
  if (booking.status === 'expired') throw paymentHoldExpired();
  if (isBooked(booking.status) || booking.status === 'cancelled') return { booking, challenge: null };
  const ok = bookingOrRefusal(applied);
  return {
    booking: ok.booking,
    challenge: ok.clientSecret ? { clientSecret: ok.clientSecret, holdExpiresMs: ok.booking.holdExpiresMs ?? 0 } : null,
  };
}
