import { chargeAndConfirm } from './create-booking.ts';
import type { BookingStore, Clock, PaymentProvider } from './ports.ts';

const MAX_HOLD_AGE_MS = 24 * 3_600_000;

/**
 * Settles holds whose request never finished (the process died between the hold and the
 * confirmation, or the provider timed out). The deposit call is repeated with the same
 * idempotency key, so a payment that did go through is found, not taken twice.
 */
export function makeRecoverStaleHolds(deps: { store: BookingStore; payments: PaymentProvider; clock: Clock }) {
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
        // A declined deposit is settled too (the hold is released); an unreachable provider waits.
        if ((error as { code?: string }).code === 'PAYMENT_DECLINED') settled++;
      }
    }
    return settled;
  };
}

async function expire(deps: { store: BookingStore; clock: Clock }, id: string): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const booking = await tx.lockBooking(id);
    if (!booking || booking.status !== 'pending_payment') return;
    booking.status = 'expired';
    booking.paymentStatus = 'failed';
    booking.holdExpiresMs = null;
    booking.updatedMs = deps.clock.now();
    await tx.updateBooking(booking);
    await tx.appendEvent({ bookingId: id, type: 'hold_expired', actor: 'system' });
  });
}
