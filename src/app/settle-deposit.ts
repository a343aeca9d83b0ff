import type { BookingRecord, BookingStore, PaymentProvider } from './ports.ts';

export type SettleDeposit = (bookingId: string) => Promise<BookingRecord | undefined>;

/**
 * Applies a cancelled booking's refund decision at the payment provider: an authorisation is
 * released or partly captured, a capture is refunded. Idempotent: the provider call carries
 * a stable key and the database update only moves a deposit that is still unsettled.
 */
export function makeSettleDeposit(deps: { store: BookingStore; payments: PaymentProvider; clock: { now(): number } }): SettleDeposit {
  return async (bookingId) => {
    const booking = await deps.store.findBookingById(bookingId);
    if (!booking || booking.status !== 'cancelled' || !booking.paymentIntentId) return booking;
    if (booking.paymentStatus !== 'authorized' && booking.paymentStatus !== 'captured') return booking;
    const { paymentStatus } = await deps.payments.settleDeposit({
      idempotencyKey: `settle-${booking.id}`,
      paymentIntentId: booking.paymentIntentId,
      currentStatus: booking.paymentStatus,
      depositCents: booking.depositCents,
      refundCents: booking.refundCents,
    });
    return deps.store.transaction(async (tx) => {
      const current = await tx.lockBooking(bookingId);
      if (!current || (current.paymentStatus !== 'authorized' && current.paymentStatus !== 'captured')) return current;
      current.paymentStatus = paymentStatus;
      current.updatedMs = deps.clock.now();
      await tx.updateBooking(current);
      await tx.appendEvent({ bookingId, type: 'deposit_settled', actor: 'system', data: { paymentStatus, refundCents: current.refundCents } });
      await tx.completePending(bookingId, ['payment.settle']);
      return current;
    });
  };
}
