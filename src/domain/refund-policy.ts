/**
 * Cancellation refund policy: tiers by how long before the start the customer cancels.
 * Default (decisions §6): 48 h or more, full refund; 24–48 h, half; under 24 h, kept.
 * A cancellation by the artisan is always refunded in full.
 */
import { applyRate } from './money.ts';

export interface RefundTier {
  /** The tier applies when the cancellation comes at least this many hours before the start. */
  minHoursBefore: number;
  /** Share of the deposit given back, 0..1. */
  refundRate: number;
}

export interface RefundPolicy {
  tiers: RefundTier[];
}

export const DEFAULT_REFUND_POLICY: RefundPolicy = {
  tiers: [
    { minHoursBefore: 48, refundRate: 1 },
    { minHoursBefore: 24, refundRate: 0.5 },
  ],
};

export type CancelledBy = 'customer' | 'artisan';

export interface RefundDecision {
  refundCents: number;
  retainedCents: number;
  refundRate: number;
}

export function decideRefund(input: {
  policy: RefundPolicy;
  depositCents: number;
  cancelledBy: CancelledBy;
  startMs: number;
  nowMs: number;
}): RefundDecision {
  const rate = input.cancelledBy === 'artisan' ? 1 : customerRefundRate(input.policy, input.startMs - input.nowMs);
  const refundCents = applyRate(input.depositCents, rate);
  return { refundCents, retainedCents: input.depositCents - refundCents, refundRate: rate };
}

function customerRefundRate(policy: RefundPolicy, leadMs: number): number {
  const leadHours = leadMs / 3_600_000;
  const tier = [...policy.tiers].sort((a, b) => b.minHoursBefore - a.minHoursBefore).find((t) => leadHours >= t.minHoursBefore);
  return tier?.refundRate ?? 0;
}
