import { AppError } from '../domain/errors.ts';
import { applyTransition } from './booking-transitions.ts';
import { chargeAndConfirm } from './create-booking.ts';
import { expireHold } from './payment-outcome.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { BookingStore } from './ports/booking-store.ts';
import type { Clock } from './ports/clock.ts';
import type { ErrorLog } from './ports/error-log.ts';
import type { PaymentProvider } from './ports/payments.ts';

const MAX_HOLD_AGE_MS = 24 * 3_600_000;

type Deps = { store: BookingStore; payments: PaymentProvider; clock: Clock; log: ErrorLog };

/**
 * Settles holds whose time is up. A hold whose request never finished (the process died
 * between the hold and the confirmation, or the provider timed out) repeats the deposit call
 * with the same idempotency key, so a payment that did go through is found, not taken
 * twice. A hold waiting for a 3-D Secure challenge is only touched once its own expiry
 * (PAYMENT_HOLD_MINUTES) is past, never during the challenge: its PaymentIntent is then
 * cancelled and the slot freed (or confirmed, if the challenge succeeded just before).
 */
export function makeRecoverStaleHolds(deps: Deps) {
  return async function recoverStaleHolds(): Promise<number> {
    const holds = await deps.store.findStaleHolds(deps.clock.now(), 20);
    let settled = 0;
    for (const hold of holds) {
      try {
        if (await settle(deps, hold)) settled++;
      } catch (error) {
        const code = error instanceof AppError ? error.code : undefined;
        // A declined deposit is settled too (the hold is released); an unreachable provider waits.
        if (code === 'PAYMENT_DECLINED' || code === 'PAYMENT_HOLD_EXPIRED') settled++;
        else if (code === 'PAYMENT_UNAVAILABLE') deps.log.warn({ err: error, bookingId: hold.id }, 'stale hold: payment provider unavailable, will retry');
        else deps.log.error({ err: error, bookingId: hold.id }, 'stale hold recovery failed');
      }
    }
    return settled;
  };
}

async function settle(deps: Deps, hold: BookingRecord): Promise<boolean> {
  if (deps.clock.now() - hold.createdMs > MAX_HOLD_AGE_MS) {
    // Past the provider's idempotency window: the deposit call cannot be repeated safely.
    if (hold.paymentIntentId) return (await expireHold(deps, hold)).changed;
    await deps.store.transaction(hold.artisanId, async (tx) => {
      const booking = await tx.lockBooking(hold.id);
      if (!booking || (booking.status !== 'pending_payment' && booking.status !== 'awaiting_authentication')) return;
      await applyTransition(tx, booking, { type: 'hold_expired' }, { nowMs: deps.clock.now(), actor: 'system', type: 'hold_expired' });
    });
    return true;
  }
  if (hold.status === 'awaiting_authentication') return (await expireHold(deps, hold)).changed;
  const { booking } = await chargeAndConfirm(deps, hold);
  // The repeated call found a challenge nobody is completing any more: the hold ends.
  if (booking.status === 'awaiting_authentication') await expireHold(deps, booking);
  return true;
}
