/**
 * Cancellation refund policy: tiers by how long before the start the customer cancels.
 * Default (decisions §6): 48 h or more, full refund; 24–48 h, half; under 24 h, kept.
 * A cancellation by the artisan is always refunded in full.
 */
import { applyRate } from './money.ts';
import type { ErrorDetail } from './errors.ts';

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

/**
 * A move made inside a partial or no-refund band keeps that band's terms: the refund of a
 * later customer cancellation never exceeds what cancelling at the moment of the move would
 * have given. Returns the cap to record on the booking (null: no cap, the policy alone).
 */
export function refundCapAfterMove(input: { policy: RefundPolicy; depositCents: number; startMs: number; nowMs: number; currentCap: number | null }): number | null {
  const atMove = decideRefund({ ...input, cancelledBy: 'customer' }).refundCents;
  const cap = Math.min(atMove, input.currentCap ?? Number.POSITIVE_INFINITY);
  return cap >= input.depositCents ? null : cap;
}

/** The policy's decision, within the cap a late move recorded (an artisan's cancellation is always in full). */
export function decideCappedRefund(input: Parameters<typeof decideRefund>[0] & { cap: number | null }): RefundDecision {
  const decision = decideRefund(input);
  if (input.cancelledBy === 'artisan' || input.cap === null || decision.refundCents <= input.cap) return decision;
  const refundCents = input.cap;
  return { refundCents, retainedCents: input.depositCents - refundCents, refundRate: input.depositCents === 0 ? 0 : refundCents / input.depositCents };
}

/** A refund decision once what the provider had already given back is counted. */
export interface RefundStatement {
  /** What is given back now: the decision's refund less what was already refunded, never negative. */
  refundCents: number;
  /** What the artisan keeps in the end. */
  retainedCents: number;
  /** Given back before (a refund made from the provider's dashboard), at most the deposit. */
  alreadyRefundedCents: number;
}

/** The one rule for "already refunded": the API's answer, the settlement and the messages all use it. */
export function refundStatement(input: { depositCents: number; grantedCents: number; refundedBeforeCents: number }): RefundStatement {
  const alreadyRefundedCents = Math.min(Math.max(input.refundedBeforeCents, 0), input.depositCents);
  const granted = Math.min(Math.max(input.grantedCents, 0), input.depositCents);
  const refundCents = Math.max(0, granted - alreadyRefundedCents);
  return { refundCents, retainedCents: input.depositCents - alreadyRefundedCents - refundCents, alreadyRefundedCents };
}

/** A cancellation's refund as the API answers it: the policy's rate, the amounts net of earlier refunds. */
export type CancellationRefund = RefundDecision & RefundStatement;

function customerRefundRate(policy: RefundPolicy, leadMs: number): number {
  const leadHours = leadMs / 3_600_000;
  const tier = [...policy.tiers].sort((a, b) => b.minHoursBefore - a.minHoursBefore).find((t) => leadHours >= t.minHoursBefore);
  return tier?.refundRate ?? 0;
}

/**
 * A policy the artisan sets must make sense to a customer: distinct thresholds, rates
 * within 0..1, and cancelling later never refunds more than cancelling earlier.
 */
export function checkRefundPolicy(policy: RefundPolicy, field: string, details: ErrorDetail[]): void {
  const before = details.length;
  policy.tiers.forEach((tier, i) => {
    if (!Number.isFinite(tier.minHoursBefore) || tier.minHoursBefore < 0 || tier.minHoursBefore > MAX_HOURS) {
      details.push({ field: `${field}.tiers.${i}.minHoursBefore`, message: `Le délai doit être compris entre 0 et ${MAX_HOURS} heures.` });
    }
    if (!Number.isFinite(tier.refundRate) || tier.refundRate < 0 || tier.refundRate > 1) {
      details.push({ field: `${field}.tiers.${i}.refundRate`, message: 'Le taux de remboursement doit être compris entre 0 et 1.' });
    }
  });
  if (details.length > before) return;
  const seen = new Set<number>();
  policy.tiers.forEach((tier, i) => {
    if (seen.has(tier.minHoursBefore)) {
      details.push({ field: `${field}.tiers.${i}.minHoursBefore`, message: 'Deux paliers ne peuvent pas avoir le même délai.' });
    }
    seen.add(tier.minHoursBefore);
    const earlierButLess = policy.tiers.find((t) => t.minHoursBefore > tier.minHoursBefore && t.refundRate < tier.refundRate);
    if (earlierButLess) {
      details.push({
        field: `${field}.tiers.${i}.refundRate`,
        message: `Une annulation ${tier.minHoursBefore} h avant ne peut pas être mieux remboursée qu'une annulation ${earlierButLess.minHoursBefore} h avant.`,
      });
    }
  });
}

const MAX_HOURS = 8_760;
