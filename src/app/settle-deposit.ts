import type { BookingRef } from './payment-outcome.ts';
import { canApply, refundOutstanding } from '../domain/booking-lifecycle.ts';
import { applyTransition } from './booking-transitions.ts';
import { SettlementRefusedError, type PaymentProvider } from './ports/payments.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { BookingStore } from './ports/booking-store.ts';
import type { ErrorLog } from './ports/error-log.ts';

export type SettleDeposit = (bookingId: string) => Promise<BookingRecord | undefined>;

type Deps = { store: BookingStore; payments: PaymentProvider; clock: { now(): number }; log?: ErrorLog };

/**
 * Applies an ended booking's refund decision at the payment provider: an authorisation is
 * released or partly captured, a capture is refunded by what the decision grants beyond what
 * the provider already gave back (a refund from its dashboard); nothing left, no call.
 * Idempotent: the provider call carries a key stable for what it asks, and the database
 * update only moves a deposit that is still unsettled. A settlement the provider refuses for
 * good is reconciled with what the provider says it refunded, never retried blindly.
 */
export function makeSettleDeposit(deps: Deps): SettleDeposit {
  return async (bookingId) => {
    let booking = await deps.store.findBookingById(bookingId);
    // Twice at most: a refusal that taught us a larger refunded amount is asked again, smaller.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!booking || !booking.paymentIntentId || !canApply(booking, 'deposit_settled')) return booking;
      const refundCents = refundOutstanding(booking);
      const authorized = booking.paymentStatus === 'authorized';
      let paymentStatus: 'captured' | 'refunded' = 'captured';
      if (authorized || refundCents > 0) {
        try {
          ({ paymentStatus } = await deps.payments.settleDeposit({
            artisanId: booking.artisanId,
            // Another amount is another request: the key names what was refunded before it.
            idempotencyKey: booking.refundedCents === 0 ? `settle-${booking.id}` : `settle-${booking.id}-after-${booking.refundedCents}`,
            paymentIntentId: booking.paymentIntentId,
            currentStatus: authorized ? 'authorized' : 'captured',
            depositCents: booking.depositCents,
            refundCents,
          }));
        } catch (error) {
          if (!(error instanceof SettlementRefusedError)) throw error;
          const reconciled = await reconcile(deps, booking, error);
          if (!reconciled.retry) return reconciled.booking;
          booking = reconciled.booking;
          continue;
        }
      }
      return markSettled(deps, booking, paymentStatus);
    }
    return booking;
  };
}

async function markSettled(deps: Deps, ref: BookingRef, paymentStatus: 'captured' | 'refunded'): Promise<BookingRecord | undefined> {
  const bookingId = ref.id;
  return deps.store.transaction(ref.artisanId, async (tx) => {
    const current = await tx.lockBooking(bookingId);
    if (!current || !canApply(current, 'deposit_settled')) return current;
    const t = await applyTransition(tx, current, { type: 'deposit_settled', paymentStatus }, {
      nowMs: deps.clock.now(),
      actor: 'system',
      type: 'deposit_settled',
      data: { paymentStatus, refundCents: current.refundCents, refundedBeforeCents: current.refundedCents },
    });
    await tx.completePending(bookingId, ['payment.settle']);
    return t.booking;
  });
}

/**
 * After a refusal: records what the provider says it refunded. Settled when that covers the
 * decision; asked again (retry) when it taught us something and a part is still due; left
 * for the artisan, in the history and the log, when the provider refuses with nothing learnt.
 */
async function reconcile(deps: Deps, booking: BookingRecord, refusal: SettlementRefusedError): Promise<{ booking: BookingRecord | undefined; retry: boolean }> {
  const at = await deps.payments.retrieveDeposit(booking.paymentIntentId!, booking.artisanId);
  const reported = at.outcome === 'succeeded' ? at.refundedCents : undefined;
  const now = deps.clock.now();
  const outcome = await deps.store.transaction(booking.artisanId, async (tx) => {
    let current = await tx.lockBooking(booking.id);
    if (!current) return { booking: current, retry: false };
    const learnt = reported !== undefined && reported > current.refundedCents && canApply(current, 'refund_recorded');
    if (learnt) {
      const t = await applyTransition(tx, current, { type: 'refund_recorded', refundedCents: reported }, {
        nowMs: now,
        actor: 'stripe',
        type: 'refund_reconciled',
        data: { code: refusal.code, amountRefunded: reported },
      });
      current = t.booking;
    }
    if (!canApply(current, 'deposit_settled')) {
      // The provider had already given back all that was due: settled by what it reported.
      await tx.completePending(booking.id, ['payment.settle']);
      return { booking: current, retry: false };
    }
    if (current.paymentStatus !== 'authorized' && refundOutstanding(current) === 0) {
      // 'captured' only stands when nothing was refunded; the transition says 'refunded' otherwise.
      const t = await applyTransition(tx, current, { type: 'deposit_settled', paymentStatus: 'captured' }, {
        nowMs: now,
        actor: 'system',
        type: 'deposit_settled',
        data: { refundCents: current.refundCents, refundedCents: current.refundedCents, reconciled: true },
      });
      await tx.completePending(booking.id, ['payment.settle']);
      return { booking: t.booking, retry: false };
    }
    if (learnt) return { booking: current, retry: true };
    await tx.appendEvent({ bookingId: booking.id, type: 'refund_refused', actor: 'stripe', data: { code: refusal.code, outstandingCents: refundOutstanding(current) } });
    await tx.completePending(booking.id, ['payment.settle']);
    return { booking: current, retry: false, refused: true };
  });
  if ('refused' in outcome) {
    deps.log?.error({ err: refusal, bookingId: booking.id, code: refusal.code }, 'deposit settlement refused by the payment provider; left to the artisan');
  }
  return { booking: outcome.booking, retry: outcome.retry };
}
