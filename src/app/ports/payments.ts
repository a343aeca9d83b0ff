/** What the use cases need from a payment service provider (Stripe, or the simulated one). */

export interface DepositRequest {
  /** The business taking the deposit: with Stripe Connect, its intent is made on its own account. */
  artisanId: string;
  idempotencyKey: string;
  amountCents: number;
  currency: 'EUR';
  paymentMethodId?: string;
  description: string;
  metadata: Record<string, string>;
  /** `automatic`: captured at once; `manual`: authorised only, captured later (or released). */
  captureMethod?: 'automatic' | 'manual';
}

/** Where a deposit stands at the provider (a PaymentIntent's status, in the app's words). */
export type DepositResult =
  | {
      outcome: 'succeeded';
      paymentIntentId: string;
      paymentStatus: 'authorized' | 'captured';
      /**
       * The money the intent holds (authorised) or took (captured) and its currency (ISO 4217,
       * upper case), when the provider said: checked against the booking's deposit before it
       * confirms anything.
       */
      amount?: { cents: number; currency: string };
      /** What the provider has refunded on it so far, when it said (its charge's amount_refunded). */
      refundedCents?: number;
    }
  /** 3-D Secure: the customer must authenticate (Stripe.js `handleNextAction` with the client secret). */
  | { outcome: 'requires_action'; paymentIntentId: string; clientSecret: string }
  /** Refused by the bank, or the authentication failed; `declineCode` is the provider's reason. */
  | { outcome: 'declined'; paymentIntentId: string | null; declineCode: string }
  /** Cancelled at the provider (e.g. the hold expired): nothing was charged. */
  | { outcome: 'canceled'; paymentIntentId: string }
  /** Still being processed by the provider: ask again later. */
  | { outcome: 'processing'; paymentIntentId: string };

export interface SettlementRequest {
  artisanId: string;
  idempotencyKey: string;
  paymentIntentId: string;
  /** What the deposit was before: an authorisation is released or partly captured, a capture refunded. */
  currentStatus: 'authorized' | 'captured';
  depositCents: number;
  /** What to give back now: released from an authorisation, or refunded from a capture. */
  refundCents: number;
}

/**
 * A payment service provider. Network failures reject with PaymentUnavailableError. Every call
 * names the business whose deposit it is (`artisanId`): with Stripe Connect the provider works
 * on that business's own account, and an intent is found only there.
 */
export interface PaymentProvider {
  readonly name: 'stripe' | 'other';
  /** Creates and confirms the deposit's PaymentIntent (idempotent on the key). */
  authorizeDeposit(request: DepositRequest): Promise<DepositResult>;
  /** Re-reads a PaymentIntent (after a 3-D Secure challenge, a lost webhook, a crash). */
  retrieveDeposit(paymentIntentId: string, artisanId: string): Promise<DepositResult>;
  /** Cancels a PaymentIntent not captured yet; answers where it ended (it may have succeeded first). */
  cancelDeposit(paymentIntentId: string, idempotencyKey: string, artisanId: string): Promise<DepositResult>;
  /** Captures an authorised deposit in full (scheduled capture). */
  captureDeposit(request: { paymentIntentId: string; idempotencyKey: string; artisanId: string }): Promise<void>;
  /** Rejects with SettlementRefusedError when the provider will never accept it as asked. */
  settleDeposit(request: SettlementRequest): Promise<{ paymentStatus: 'captured' | 'refunded' }>;
}

/**
 * The provider refused a settlement for good (a refund larger than what is left, a charge
 * already refunded, an intent no longer capturable): asking again would fail again. The
 * caller reconciles with where the provider stands instead.
 */
export class SettlementRefusedError extends Error {
  constructor(
    readonly code: string,
    cause?: unknown,
  ) {
    super(`payment provider refused the settlement (${code})`, { cause });
    this.name = 'SettlementRefusedError';
  }
}

export class PaymentUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('payment provider unavailable', { cause });
    this.name = 'PaymentUnavailableError';
  }
}
