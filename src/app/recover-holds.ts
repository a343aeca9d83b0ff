import { AppError } from '../domain/errors.ts';
import { applyTransition } from './booking-transitions.ts';
import { chargeAndConfirm } from './create-booking.ts';
import type { BookingStore, Clock, ErrorLog, PaymentProvider } from './ports.ts';

const MAX_HOLD_AGE_MS = 24 * 3_600_000;

/**
 * Settles holds whose request never finished (the process died between the hold and the
 * confirmation, or the provider timed out). The deposit call is repeated with the same
 * idempotency key, so a payment that did go through is found, not taken twice.
 */
export function makeRecoverStaleHolds(deps: { store: BookingStore; payments: PaymentProvider; clock: Clock; log: ErrorLog }) {
  return async function recoverStaleHolds(): Promise<number> {
    const holds = await deps.store.findStaleHolds(deps.clock.now(), 20);
    let settled = 0;
    for (const hold of holds) {
      if (deps.clock.now() - hold.createdMs > MAX_HOLD_AGE_MS) {
        await expire(deps, hold.id);
        settled++;
        continue;
      }
      try {
        await chargeAndConfirm(deps, hold);
        settled++;
      } catch (error) {
        const code = error instanceof AppError ? error.code : undefined;
        // A declined deposit is settled too (the hold is released); an unreachable provider waits.
        if (code === 'PAYMENT_DECLINED') settled++;
        else if (code === 'PAYMENT_UNAVAILABLE') deps.log.warn({ err: error, bookingId: hold.id }, 'stale hold: payment provider unavailable, will retry');
        else deps.log.error({ err: error, bookingId: hold.id }, 'stale hold recovery failed');
      }
    }
    return settled;
  };
}

async function expire(deps: { store: BookingStore; clock: Clock }, id: string): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const booking = await tx.lockBooking(id);
    if (!booking || (booking.status !== 'pending_payment' && booking.status !== 'awaiting_authentication')) return;
    await applyTransition(tx, booking, { type: 'hold_expired' }, { nowMs: deps.clock.now(), actor: 'system', type: 'hold_expired' });
  });
}
