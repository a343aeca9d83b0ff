import { createHash } from 'node:crypto';
import type { DepositRequest, DepositResult, PaymentProvider, SettlementRequest } from '../../app/ports/payments.ts';

/**
 * The embedded default: behaves like Stripe's test mode without a network. The
 * PaymentIntent id is derived from the idempotency key, so repeating a call (after a crash
 * or a retry) returns the same intent, as Stripe does for a reused Idempotency-Key.
 * `pm_card_threeDSecure2Required` asks for a 3-D Secure challenge, which the front completes
 * with POST /api/payments/simulated/authenticate (the bank's page in Stripe's flow).
 * Intents live in this process's memory: a challenge in progress does not survive a restart
 * (its hold then expires, as an abandoned challenge would).
 */
const DECLINING_METHODS = new Map([
  ['pm_card_chargeDeclined', 'generic_decline'],
  ['pm_card_visa_chargeDeclined', 'generic_decline'],
  ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ['pm_card_chargeDeclinedExpiredCard', 'expired_card'],
]);
const MAX_INTENTS = 50_000;
const CHALLENGE_METHODS = new Set(['pm_card_threeDSecure2Required', 'pm_card_authenticationRequired']);

export interface SimulatedPayments extends PaymentProvider {
  /** The customer's answer to a simulated 3-D Secure challenge; false when no such challenge is open. */
  authenticate(clientSecret: string, outcome: 'succeeded' | 'failed'): boolean;
}

interface Intent {
  id: string;
  clientSecret: string;
  capture: 'automatic' | 'manual';
  state: DepositResult;
}

export function makeSimulatedPayments(): SimulatedPayments {
  const hash = (s: string): string => createHash('sha256').update(s).digest('hex');
  const intents = new Map<string, Intent>();
  const succeeded = (intent: Intent): DepositResult => ({
    outcome: 'succeeded',
    paymentIntentId: intent.id,
    paymentStatus: intent.capture === 'manual' ? 'authorized' : 'captured',
  });
  const find = (id: string): Intent | undefined => intents.get(id);
  return {
    name: 'other',
    async authorizeDeposit(request: DepositRequest): Promise<DepositResult> {
      const id = `pi_sim_${hash(request.idempotencyKey).slice(0, 24)}`;
      const known = intents.get(id);
      if (known) return known.state;
      const method = request.paymentMethodId ?? 'pm_card_visa';
      const intent: Intent = { id, clientSecret: `${id}_secret_${hash(`secret:${id}`).slice(0, 24)}`, capture: request.captureMethod ?? 'automatic', state: { outcome: 'processing', paymentIntentId: id } };
      const decline = DECLINING_METHODS.get(method);
      if (decline) intent.state = { outcome: 'declined', paymentIntentId: id, declineCode: decline };
      else if (CHALLENGE_METHODS.has(method)) intent.state = { outcome: 'requires_action', paymentIntentId: id, clientSecret: intent.clientSecret };
      else intent.state = succeeded(intent);
      intents.set(id, intent);
      // Bounded memory: the oldest intents go first (Map keeps insertion order).
      if (intents.size > MAX_INTENTS) intents.delete(intents.keys().next().value!);
      return intent.state;
    },
    async retrieveDeposit(paymentIntentId) {
      // An intent this process never saw (made before a restart) is read as still waiting.
      return find(paymentIntentId)?.state ?? { outcome: 'processing', paymentIntentId };
    },
    async cancelDeposit(paymentIntentId) {
      const intent = find(paymentIntentId);
      if (!intent) return { outcome: 'canceled', paymentIntentId };
      if (intent.state.outcome === 'succeeded' && intent.state.paymentStatus === 'captured') return intent.state;
      intent.state = { outcome: 'canceled', paymentIntentId };
      return intent.state;
    },
    async captureDeposit({ paymentIntentId }) {
      const intent = find(paymentIntentId);
      if (intent?.state.outcome === 'succeeded') intent.state = { ...intent.state, paymentStatus: 'captured' };
    },
    async settleDeposit(request: SettlementRequest) {
      return { paymentStatus: request.refundCents > 0 ? 'refunded' : 'captured' };
    },
    authenticate(clientSecret, outcome) {
      const id = clientSecret.split('_secret_')[0] ?? '';
      const intent = find(id);
      if (!intent || intent.clientSecret !== clientSecret || intent.state.outcome !== 'requires_action') return false;
      intent.state = outcome === 'succeeded' ? succeeded(intent) : { outcome: 'declined', paymentIntentId: id, declineCode: 'authentication_failed' };
      return true;
    },
  };
}
