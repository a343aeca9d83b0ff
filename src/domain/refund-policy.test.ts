import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_REFUND_POLICY, checkRefundPolicy, decideRefund, type CancelledBy, type RefundPolicy } from './refund-policy.ts';
import type { ErrorDetail } from './errors.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const START = Date.parse('2027-06-15T07:00:00Z'); // 09:00 in Paris

const customer = (depositCents: number, leadMs: number, policy: RefundPolicy = DEFAULT_REFUND_POLICY) =>
  decideRefund({ policy, depositCents, cancelledBy: 'customer', startMs: START, nowMs: START - leadMs });

describe('default refund policy, customer cancels (decisions §6)', () => {
  // 48 h or more: full; 24–48 h: 50 %; under 24 h: the deposit is kept.
  it.each([
    ['30 days before', 30 * 24 * HOUR, 1200, 0, 1],
    ['72 h before', 72 * HOUR, 1200, 0, 1],
    ['exactly 48 h before', 48 * HOUR, 1200, 0, 1],
    ['48 h minus 1 ms before', 48 * HOUR - 1, 600, 600, 0.5],
    ['47 h 59 before', 47 * HOUR + 59 * MINUTE, 600, 600, 0.5],
    ['36 h before', 36 * HOUR, 600, 600, 0.5],
    ['exactly 24 h before', 24 * HOUR, 600, 600, 0.5],
    ['23 h 59 before', 23 * HOUR + 59 * MINUTE, 0, 1200, 0],
    ['23 h before', 23 * HOUR, 0, 1200, 0],
    ['1 minute before', MINUTE, 0, 1200, 0],
    ['at the start', 0, 0, 1200, 0],
    ['after the start', -2 * HOUR, 0, 1200, 0],
  ])('%s: refund %i, keep %i', (_label, lead, refundCents, retainedCents, refundRate) => {
    expect(customer(1200, lead)).toEqual({ refundCents, retainedCents, refundRate });
  });

  it('half of the demo "urgence" deposit (4800) is 2400', () => {
    expect(customer(4800, 30 * HOUR)).toEqual({ refundCents: 2400, retainedCents: 2400, refundRate: 0.5 });
  });

  it('an odd deposit is split in whole cents that add up to the deposit', () => {
    const decision = customer(1201, 30 * HOUR);
    expect(Number.isInteger(decision.refundCents)).toBe(true);
    expect(decision.refundCents + decision.retainedCents).toBe(1201);
    expect([600, 601]).toContain(decision.refundCents);
  });

  it('a zero deposit refunds and keeps nothing', () => {
    expect(customer(0, 72 * HOUR)).toEqual({ refundCents: 0, retainedCents: 0, refundRate: 1 });
    expect(customer(0, HOUR)).toEqual({ refundCents: 0, retainedCents: 0, refundRate: 0 });
  });
});

describe('cancelled by the artisan', () => {
  it.each([
    ['72 h before', 72 * HOUR],
    ['30 h before', 30 * HOUR],
    ['1 h before', HOUR],
    ['after the start', -HOUR],
  ])('%s: always a full refund', (_label, lead) => {
    expect(
      decideRefund({ policy: DEFAULT_REFUND_POLICY, depositCents: 1200, cancelledBy: 'artisan', startMs: START, nowMs: START - lead }),
    ).toEqual({ refundCents: 1200, retainedCents: 0, refundRate: 1 });
  });

  it('a full refund even when the artisan policy keeps everything', () => {
    expect(
      decideRefund({ policy: { tiers: [] }, depositCents: 4800, cancelledBy: 'artisan', startMs: START, nowMs: START - HOUR }),
    ).toEqual({ refundCents: 4800, retainedCents: 0, refundRate: 1 });
  });
});

describe('artisan-configured policy', () => {
  // Tiers given out of order: 72 h -> 100 %, 48 h -> 50 %, 24 h -> 25 %.
  const policy: RefundPolicy = {
    tiers: [
      { minHoursBefore: 24, refundRate: 0.25 },
      { minHoursBefore: 72, refundRate: 1 },
      { minHoursBefore: 48, refundRate: 0.5 },
    ],
  };

  it.each([
    [100 * HOUR, 4000, 0],
    [72 * HOUR, 4000, 0],
    [60 * HOUR, 2000, 2000],
    [48 * HOUR, 2000, 2000],
    [30 * HOUR, 1000, 3000],
    [24 * HOUR, 1000, 3000],
    [10 * HOUR, 0, 4000],
  ])('lead %i ms: refund %i, keep %i', (lead, refundCents, retainedCents) => {
    const decision = customer(4000, lead, policy);
    expect(decision.refundCents).toBe(refundCents);
    expect(decision.retainedCents).toBe(retainedCents);
  });

  it('no tiers: the customer gets nothing back', () => {
    expect(customer(1200, 1000 * HOUR, { tiers: [] })).toEqual({ refundCents: 0, retainedCents: 1200, refundRate: 0 });
  });
});

describe('refund properties', () => {
  const tierArb = fc.record({
    minHoursBefore: fc.integer({ min: 0, max: 240 }),
    refundRate: fc.integer({ min: 0, max: 100 }).map((k) => k / 100),
  });
  const policyArb: fc.Arbitrary<RefundPolicy> = fc.oneof(
    fc.constant(DEFAULT_REFUND_POLICY),
    fc.array(tierArb, { maxLength: 4 }).map((tiers) => ({ tiers })),
  );

  it('refundCents + retainedCents == depositCents, both whole and non-negative', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.constantFrom<CancelledBy>('customer', 'artisan'),
        fc.integer({ min: -10 * 24 * HOUR, max: 30 * 24 * HOUR }),
        (policy, depositCents, cancelledBy, lead) => {
          const decision = decideRefund({ policy, depositCents, cancelledBy, startMs: START, nowMs: START - lead });
          expect(decision.refundCents + decision.retainedCents).toBe(depositCents);
          expect(Number.isInteger(decision.refundCents)).toBe(true);
          expect(Number.isInteger(decision.retainedCents)).toBe(true);
          expect(decision.refundCents).toBeGreaterThanOrEqual(0);
          expect(decision.retainedCents).toBeGreaterThanOrEqual(0);
          if (cancelledBy === 'artisan') expect(decision.refundCents).toBe(depositCents);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('with the default policy, cancelling earlier never refunds less', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: -24 * HOUR, max: 120 * HOUR }),
        fc.integer({ min: 0, max: 96 * HOUR }),
        (depositCents, lead, extra) => {
          const later = customer(depositCents, lead);
          const earlier = customer(depositCents, lead + extra);
          expect(earlier.refundCents).toBeGreaterThanOrEqual(later.refundCents);
          expect([0, 0.5, 1]).toContain(later.refundRate);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('checkRefundPolicy: a policy set by the artisan', () => {
  const tiers = (...t: [number, number][]) => ({ tiers: t.map(([minHoursBefore, refundRate]) => ({ minHoursBefore, refundRate })) });
  it.each([
    ['the default policy', DEFAULT_REFUND_POLICY, []],
    ['no tiers (the deposit is always kept)', tiers(), []],
    ['one tier', tiers([72, 1]), []],
    ['tiers in any order', tiers([24, 0.5], [72, 1], [48, 0.8]), []],
    ['a rate above 1', tiers([48, 1.5]), ['p.tiers.0.refundRate']],
    ['a negative threshold', tiers([-1, 1]), ['p.tiers.0.minHoursBefore']],
    ['a threshold over a year', tiers([9000, 1]), ['p.tiers.0.minHoursBefore']],
    ['two tiers with the same threshold', tiers([48, 1], [48, 0.5]), ['p.tiers.1.minHoursBefore']],
    ['cancelling later refunds more', tiers([48, 0.5], [24, 1]), ['p.tiers.1.refundRate']],
  ])('%s', (_name, policy, expected) => {
    const details: ErrorDetail[] = [];
    checkRefundPolicy(policy, 'p', details);
    expect(details.map((d) => d.field)).toEqual(expected);
  });
});
