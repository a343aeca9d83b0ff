import Stripe from 'stripe';
import { PaymentUnavailableError, SettlementRefusedError, type DepositRequest, type DepositResult, type PaymentProvider, type SettlementRequest } from '../../app/ports/payments.ts';

export interface StripeOptions {
  secretKey: string;
  /** Another Stripe-compatible server (tests, a local mock): its scheme, host and port. */
  apiUrl?: string;
  /** Per-request timeout; past it the booking answers 503 and the hold stays for the recovery. */
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

/** The official SDK, pointed at api.stripe.com or at STRIPE_API_URL. */
export function makeStripeClient(options: StripeOptions): Stripe {
  const config: ConstructorParameters<typeof Stripe>[1] = {
    timeout: options.timeoutMs ?? 15_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 1,
    telemetry: false,
    appInfo: { name: 'ArtisanConnect' },
  };
  if (options.apiUrl) {
    const url = new URL(options.apiUrl);
    config.host = url.hostname;
    config.port = url.port || (url.protocol === 'https:' ? 443 : 80);
    config.protocol = url.protocol === 'http:' ? 'http' : 'https';
  }
  return new Stripe(options.secretKey, config);
}

/** The PaymentIntent's status, in the app's words. */
export function depositResultOf(pi: Stripe.PaymentIntent): DepositResult {
  const currency = pi.currency.toUpperCase();
  // An expanded charge (retrieve) tells what was refunded on it; a bare id does not.
  const refunded = pi.latest_charge && typeof pi.latest_charge === 'object' ? { refundedCents: pi.latest_charge.amount_refunded } : {};
  switch (pi.status) {
    case 'succeeded':
      return { outcome: 'succeeded', paymentIntentId: pi.id, paymentStatus: 'captured', amount: { cents: pi.amount_received, currency }, ...refunded };
    case 'requires_capture':
      return { outcome: 'succeeded', paymentIntentId: pi.id, paymentStatus: 'authorized', amount: { cents: pi.amount_capturable, currency }, ...refunded };
    case 'requires_action':
      return { outcome: 'requires_action', paymentIntentId: pi.id, clientSecret: pi.client_secret ?? '' };
    case 'canceled':
      return { outcome: 'canceled', paymentIntentId: pi.id };
    case 'requires_payment_method':
      // A failed attempt (decline, failed authentication) sends the intent back here.
      return {
        outcome: 'declined',
        paymentIntentId: pi.id,
        declineCode: pi.last_payment_error?.decline_code ?? pi.last_payment_error?.code ?? 'generic_decline',
      };
    default:
      return { outcome: 'processing', paymentIntentId: pi.id };
  }
}

/** Network trouble, Stripe's own errors, rate limits: the caller may retry; nothing is decided. */
export function unavailable(error: unknown): never {
  if (error instanceof Stripe.errors.StripeError) {
    const transient =
      error instanceof Stripe.errors.StripeConnectionError ||
      error instanceof Stripe.errors.StripeAPIError ||
      error instanceof Stripe.errors.StripeRateLimitError ||
      error instanceof Stripe.errors.StripeIdempotencyError ||
      (error.statusCode ?? 0) >= 500;
    if (transient) throw new PaymentUnavailableError(error);
  }
  throw error;
}

/**
 * Where a business's deposits are made. Own keys: always the keys' account (no header).
 * Stripe Connect: the business's connected account, given as the `Stripe-Account` header
 * (direct charges); a business without one has only what was made on the platform's.
 */
export type AccountOf = (artisanId: string) => Promise<string | undefined>;

export function makeStripePayments(options: StripeOptions & { client?: Stripe; accountOf?: AccountOf }): PaymentProvider {
  const stripe = options.client ?? makeStripeClient(options);
  /** The request options of a call for this business: its idempotency key, its account. */
  const on = async (artisanId: string, idempotencyKey?: string): Promise<Stripe.RequestOptions> => {
    const account = options.accountOf ? await options.accountOf(artisanId) : undefined;
    return { ...(idempotencyKey ? { idempotencyKey } : {}), ...(account ? { stripeAccount: account } : {}) };
  };
  const retrieve = async (id: string, artisanId: string): Promise<Stripe.PaymentIntent> => {
    const requestOptions = await on(artisanId);
    try {
      return await stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] }, requestOptions);
    } catch (error) {
      return unavailable(error);
    }
  };
  return {
    name: 'stripe',
    async authorizeDeposit(request: DepositRequest): Promise<DepositResult> {
      const requestOptions = await on(request.artisanId, request.idempotencyKey);
      try {
        const pi = await stripe.paymentIntents.create(
          {
            amount: request.amountCents,
            currency: 'eur',
            payment_method: request.paymentMethodId,
            // Cards from Stripe Elements; 3-D Secure is completed in place (handleNextAction), no redirect.
            automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
            capture_method: request.captureMethod === 'manual' ? 'manual' : 'automatic',
            confirm: true,
            description: request.description,
            metadata: request.metadata,
          },
          requestOptions,
        );
        return depositResultOf(pi);
      } catch (error) {
        if (error instanceof Stripe.errors.StripeCardError) {
          const pi = error.payment_intent as Stripe.PaymentIntent | undefined;
          return { outcome: 'declined', paymentIntentId: pi?.id ?? null, declineCode: error.decline_code ?? error.code ?? 'generic_decline' };
        }
        return unavailable(error);
      }
    },
    async retrieveDeposit(paymentIntentId, artisanId) {
      return depositResultOf(await retrieve(paymentIntentId, artisanId));
    },
    async cancelDeposit(paymentIntentId, idempotencyKey, artisanId) {
      const requestOptions = await on(artisanId, idempotencyKey);
      try {
        return depositResultOf(await stripe.paymentIntents.cancel(paymentIntentId, {}, requestOptions));
      } catch (error) {
        // Already captured or cancelled: no longer cancellable. Say where it ended.
        if (error instanceof Stripe.errors.StripeInvalidRequestError) return depositResultOf(await retrieve(paymentIntentId, artisanId));
        return unavailable(error);
      }
    },
    async captureDeposit({ paymentIntentId, idempotencyKey, artisanId }) {
      const requestOptions = await on(artisanId, idempotencyKey);
      try {
        await stripe.paymentIntents.capture(paymentIntentId, {}, requestOptions);
      } catch (error) {
        if (error instanceof Stripe.errors.StripeInvalidRequestError && (await retrieve(paymentIntentId, artisanId)).status === 'succeeded') return;
        unavailable(error);
      }
    },
    async settleDeposit(request: SettlementRequest) {
      const kept = request.depositCents - request.refundCents;
      const requestOptions = await on(request.artisanId, request.idempotencyKey);
      try {
        if (request.currentStatus === 'authorized') {
          // Only authorised: release it all, or capture just the part kept.
          if (kept <= 0) await stripe.paymentIntents.cancel(request.paymentIntentId, {}, requestOptions);
          else await stripe.paymentIntents.capture(request.paymentIntentId, { amount_to_capture: kept }, requestOptions);
        } else if (request.refundCents > 0) {
          await stripe.refunds.create({ payment_intent: request.paymentIntentId, amount: request.refundCents }, requestOptions);
        }
      } catch (error) {
        // A 4xx on a well-formed request (amount_too_large, charge_already_refunded, an intent
        // no longer capturable…) is Stripe's final word: retrying the same ask cannot succeed.
        if (error instanceof Stripe.errors.StripeInvalidRequestError) throw new SettlementRefusedError(error.code ?? 'invalid_request', error);
        return unavailable(error);
      }
      return { paymentStatus: request.refundCents > 0 ? 'refunded' : 'captured' };
    },
  };
}
