import { AppError } from '../domain/errors.ts';
import { canApply } from '../domain/booking-lifecycle.ts';
import { applyPaymentOutcome } from './payment-outcome.ts';
import { PaymentUnavailableError, type PaymentProvider } from './ports/payments.ts';
import type { BookingStore } from './ports/booking-store.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { Clock } from './ports/clock.ts';
import type { ErrorLog } from './ports/error-log.ts';

type Deps = { store: BookingStore; payments: PaymentProvider; clock: Clock; log: ErrorLog };

/** A hold's intent is re-read once it has been quiet this long (a webhook usually comes first). */
const QUIET_MS = 60_000;
/** How long after a hold ended a late success is still looked for. */
const LATE_WINDOW_MS = 3_600_000;

/** Background payment work: scheduled captures, late cancellations, reconciliation. */
export function makePaymentJobs(deps: Deps) {
  /** Captures an authorised-only deposit when the appointment starts (outbox topic payment.capture). */
  async function capture(bookingId: string): Promise<string> {
    const booking = await deps.store.findBookingById(bookingId);
    if (!booking || !canApply(booking, 'deposit_captured') || !booking.paymentIntentId) return 'nothing to capture';
    await deps.payments.captureDeposit({ paymentIntentId: booking.paymentIntentId, idempotencyKey: `capture-${booking.id}`, artisanId: booking.artisanId });
    await applyPaymentOutcome(deps, booking, { outcome: 'succeeded', paymentIntentId: booking.paymentIntentId, paymentStatus: 'captured' });
    return 'captured';
  }

  /** Cancels the intent of a hold that expired while the provider was unreachable (payment.void). */
  async function voidExpired(bookingId: string): Promise<void> {
    const booking = await deps.store.findBookingById(bookingId);
    if (!booking?.paymentIntentId) return;
    const final = await deps.payments.cancelDeposit(booking.paymentIntentId, `cancel-${booking.id}`, booking.artisanId);
    // Succeeded before the cancellation could reach the provider: refunded in full.
    await applyPaymentOutcome(deps, booking, final);
  }

  /**
   * Re-reads every non-final payment from the provider and applies where it stands: a lost
   * webhook or a crash between the provider and the database never leaves a paid slot
   * unconfirmed, an unpaid one confirmed, or a late payment kept. It runs per account: with
   * Stripe Connect each business's intents are read on its own account, and an account the
   * provider does not answer for is left until the next pass without holding up the others.
   */
  async function reconcile(): Promise<number> {
    const now = deps.clock.now();
    const open = await deps.store.findOpenPayments({ quietSinceMs: now - QUIET_MS, endedSinceMs: now - LATE_WINDOW_MS, limit: 50 });
    let changed = 0;
    const byAccount = new Map<string, BookingRecord[]>();
    for (const booking of open) byAccount.set(booking.artisanId, [...(byAccount.get(booking.artisanId) ?? []), booking]);
    for (const [artisanId, bookings] of byAccount) {
      changed += await reconcileAccount(artisanId, bookings);
    }
    return changed;
  }

  async function reconcileAccount(artisanId: string, bookings: BookingRecord[]): Promise<number> {
    let changed = 0;
    for (const booking of bookings) {
      try {
        const result = await deps.payments.retrieveDeposit(booking.paymentIntentId!, artisanId);
        if ((await applyPaymentOutcome(deps, booking, result, 'reconciliation')).changed) changed++;
      } catch (error) {
        if (error instanceof PaymentUnavailableError) {
          deps.log.warn({ err: error, bookingId: booking.id, artisanId }, 'reconciliation: payment provider unavailable for this account');
          return changed;
        }
        deps.log.error({ err: error, bookingId: booking.id, code: error instanceof AppError ? error.code : undefined }, 'reconciliation failed for a booking');
      }
    }
    return changed;
  }

  return { capture, voidExpired, reconcile };
}
