/** Money is integer cents; this is the one place amounts are rounded (half away from zero). */
export function roundCents(value: number): number {
  // The epsilon absorbs binary noise such as 4000 * 0.3 = 1199.9999999999998.
  return Math.sign(value) * Math.round(Math.abs(value) + 1e-9);
}

/** Deposit = round(basePriceCents × depositRate), computed by the server only. */
export function depositCents(basePriceCents: number, depositRate: number): number {
  return roundCents(basePriceCents * depositRate);
}
