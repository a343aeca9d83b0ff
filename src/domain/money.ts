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
