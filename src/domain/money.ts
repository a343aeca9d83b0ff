/**
 * Money is integer cents. Rates (deposit, refund) are read to the basis point (1/10,000),
 * so amount × rate is computed in exact integer arithmetic and rounded half up here, once.
 */
export function applyRate(amountCents: number, rate: number): number {
  const basisPoints = Math.round(rate * 10_000);
  return Math.floor((amountCents * basisPoints + 5_000) / 10_000);
}

/** Deposit = round(basePriceCents × depositRate), computed by the server only. */
export function depositCents(basePriceCents: number, depositRate: number): number {
  return applyRate(basePriceCents, depositRate);
}

/**
 * What is left to collect on site: the price less the deposit the customer has paid (an
 * authorisation counts: it is captured at the latest when the visit starts), less what was
 * refunded of it. A deposit still pending or refused was not paid. Never negative.
 */
export function amountDueOnSite(b: { priceCents: number; depositCents: number; paymentStatus: 'pending' | 'authorized' | 'captured' | 'refunded' | 'failed'; refundedCents: number }): number {
  const paid = b.paymentStatus === 'authorized' || b.paymentStatus === 'captured' || b.paymentStatus === 'refunded' ? Math.max(0, b.depositCents - b.refundedCents) : 0;
  return Math.max(0, b.priceCents - paid);
}
