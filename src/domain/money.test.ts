import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { amountDueOnSite, depositCents } from './money.ts';

describe('depositCents = round(basePriceCents × depositRate) (decisions §5)', () => {
  it.each([
    [4000, 0.3, 1200], // demo "diag": 40,00 € at 30 %
    [12000, 0.4, 4800], // demo "urgence": 120,00 € at 40 %
    [999, 0.3, 300], // 299.7 rounds up
    [2999, 0.3, 900], // 899.7
    [1000, 0.333, 333], // 333.0
    [1001, 0.3, 300], // 300.3 rounds down
    [1, 0.5, 1], // 0.5: half rounds up
    [3, 0.5, 2], // 1.5
    [5, 0.1, 1], // 0.5
    [15, 0.3, 5], // 4.5
    [1005, 0.1, 101], // 100.5
    [4000, 0, 0], // rate 0: no deposit
    [0, 0.3, 0],
    [4000, 1, 4000], // rate 1: the full price
    [12345, 1, 12345],
  ])('depositCents(%i, %d) = %i', (price, rate, expected) => {
    expect(depositCents(price, rate)).toBe(expected);
  });

  it('matches exact integer half-up rounding for percentage rates (k / 100)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 100 }), (price, k) => {
        // price × k / 100 rounded half up, in exact integer arithmetic
        const expected = Math.floor((price * k + 50) / 100);
        expect(depositCents(price, k / 100)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('matches exact integer half-up rounding for per-mille rates (k / 1000)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 1000 }), (price, k) => {
        const expected = Math.floor((price * k + 500) / 1000);
        expect(depositCents(price, k / 1000)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  // Rates are read to the basis point (1/10,000): 0.3, 0.35, 0.1234.
  it('is an integer between 0 and the price for any rate in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000 }).map((bp) => bp / 10_000),
        (price, rate) => {
          const deposit = depositCents(price, rate);
          expect(Number.isInteger(deposit)).toBe(true);
          expect(deposit).toBeGreaterThanOrEqual(0);
          expect(deposit).toBeLessThanOrEqual(price);
          // never further than half a cent from the exact amount (plus float noise)
          expect(Math.abs(deposit - price * rate)).toBeLessThanOrEqual(0.5 + 1e-6);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never decreases when the rate grows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 99 }), (price, k) => {
        expect(depositCents(price, (k + 1) / 100)).toBeGreaterThanOrEqual(depositCents(price, k / 100));
      }),
    );
  });
});

describe('amountDueOnSite: the price less the deposit paid', () => {
  it.each([
    ['captured deposit', { priceCents: 4000, depositCents: 1200, paymentStatus: 'captured', refundedCents: 0 }, 2800],
    ['authorised deposit (captured at the visit)', { priceCents: 4000, depositCents: 1200, paymentStatus: 'authorized', refundedCents: 0 }, 2800],
    ['phone booking, no deposit', { priceCents: 9000, depositCents: 0, paymentStatus: 'captured', refundedCents: 0 }, 9000],
    ['deposit still pending', { priceCents: 4000, depositCents: 1200, paymentStatus: 'pending', refundedCents: 0 }, 4000],
    ['deposit refused', { priceCents: 4000, depositCents: 1200, paymentStatus: 'failed', refundedCents: 0 }, 4000],
    ['deposit partly refunded from the dashboard', { priceCents: 4000, depositCents: 1200, paymentStatus: 'refunded', refundedCents: 200 }, 3000],
    ['paid in full beforehand', { priceCents: 4000, depositCents: 4000, paymentStatus: 'captured', refundedCents: 0 }, 0],
  ] as const)('%s', (_name, booking, due) => {
    expect(amountDueOnSite(booking)).toBe(due);
  });
});
