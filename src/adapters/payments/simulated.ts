import { createHash } from 'node:crypto';
import type { DepositRequest, DepositResult, PaymentProvider, SettlementRequest } from '../../app/ports.ts';

/**
 * The embedded default: behaves like Stripe's test mode without a network. The
 * PaymentIntent id is derived from the idempotency key, so repeating a call (after a crash
 * or a retry) returns the same intent, as Stripe does for a reused Idempotency-Key.
 */
const DECLINING_METHODS = new Map([
  ['pm_card_chargeDeclined', 'generic_decline'],
  ['pm_card_visa_chargeDeclined', 'generic_decline'],
  ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ['pm_card_chargeDeclinedExpiredCard', 'expired_card'],
]);

export function makeSimulatedPayments(): PaymentProvider {
  const intentId = (key: string): string => `pi_sim_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
  return {
    name: 'other',
    async authorizeDeposit(request: DepositRequest): Promise<DepositResult> {
      const id = intentId(request.idempotencyKey);
      const decline = DECLINING_METHODS.get(request.paymentMethodId ?? 'pm_card_visa');
      if (decline) return { outcome: 'declined', paymentIntentId: id, declineCode: decline };
      return { outcome: 'succeeded', paymentIntentId: id, paymentStatus: 'authorized' };
    },
    async settleDeposit(request: SettlementRequest) {
      return { paymentStatus: request.refundCents > 0 ? 'refunded' : 'captured' };
    },
  };
}
