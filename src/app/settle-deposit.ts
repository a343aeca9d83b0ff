import { canApply } from '../domain/booking-lifecycle.ts';
import { applyTransition } from './booking-transitions.ts';
import type { BookingRecord, BookingStore, PaymentProvider } from './ports.ts';

export type SettleDeposit = (bookingId: string) => Promise<BookingRecord | undefined>;

/**
 * Applies an ended booking's refund decision at the payment provider: an authorisation is
 * released or partly captured, a capture is refunded. Idempotent: the provider call carries
 * a stable key and the database update only moves a deposit that is still unsettled.
 */
export function makeSettleDeposit(deps: { store: BookingStore; payments: PaymentProvider; clock: { now(): number } }): SettleDeposit {
  return async (bookingId) => {
    const booking = await deps.store.findBookingById(bookingId);
    if (!booking || !booking.paymentIntentId || !canApply(booking, 'deposit_settled')) return booking;
    const currentStatus = booking.paymentStatus as 'authorized' | 'captured';
    const { paymentStatus } = await deps.payments.settleDeposit({
      idempotencyKey: `settle-${booking.id}`,
      paymentIntentId: booking.paymentIntentId,
      currentStatus,
      depositCents: booking.depositCents,
      refundCents: booking.refundCents,
    });
    return deps.store.transaction(async (tx) => {
      const current = await tx.lockBooking(bookingId);
      if (!current || !canApply(current, 'deposit_settled')) return current;
      const t = await applyTransition(tx, current, { type: 'deposit_settled', paymentStatus }, {
        nowMs: deps.clock.now(),
        actor: 'system',
        type: 'deposit_settled',
        data: { paymentStatus, refundCents: current.refundCents },
      });
      await tx.completePending(bookingId, ['payment.settle']);
      return t.booking;
    });
  };
}
