import Stripe from 'stripe';
import type { PaymentEvent } from '../../app/payment-events.ts';

/** Stripe's recommended tolerance: a signed event older than this is refused (replay protection). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export class WebhookSignatureError extends Error {
  constructor(cause: unknown) {
    super('invalid Stripe webhook signature', { cause });
    this.name = 'WebhookSignatureError';
  }
}

/** The header's `t=` (the last one, as the SDK reads it): when Stripe signed the payload, in seconds. */
function signedAtSeconds(header: string): number | undefined {
  const stamps = header.split(',').flatMap((item) => {
    const [key, value] = item.split('=');
    return key?.trim() === 't' && value !== undefined && /^\d+$/.test(value.trim()) ? [Number(value.trim())] : [];
  });
  return stamps.at(-1);
}

const idOf = (v: unknown): string | null => (typeof v === 'string' ? v : v && typeof v === 'object' && 'id' in v ? String((v as { id: unknown }).id) : null);

/**
 * Verifies the signature on the raw body (the SDK's constructEvent, 300 s tolerance, "now"
 * from the service's clock) and reduces the event to what the app acts on. The SDK only
 * refuses a signature too old; one too far in the future is refused here, by the same tolerance.
 */
export function parseStripeEvent(rawBody: Buffer, signature: string | undefined, secret: string, nowMs: number): PaymentEvent {
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(rawBody, signature ?? '', secret, WEBHOOK_TOLERANCE_SECONDS, undefined, nowMs);
  } catch (error) {
    throw new WebhookSignatureError(error);
  }
  const signedAt = signedAtSeconds(signature ?? '');
  if (signedAt === undefined || signedAt - Math.floor(nowMs / 1000) > WEBHOOK_TOLERANCE_SECONDS) {
    throw new WebhookSignatureError(new Error('Timestamp outside the tolerance zone (in the future)'));
  }
  const object = event.data.object as unknown as Record<string, unknown>;
  const objectType = String(object.object ?? '');
  const metadata = (object.metadata ?? {}) as Record<string, string>;
  const paymentIntentId = objectType === 'payment_intent' ? idOf(object.id) : idOf(object.payment_intent);
  const details: Record<string, unknown> = {};
  if (objectType === 'dispute') Object.assign(details, { reason: object.reason, amount: object.amount, status: object.status });
  if (objectType === 'charge') details.amountRefunded = object.amount_refunded;
  return {
    id: event.id,
    type: event.type,
    // Stripe Connect: the connected account the event happened on (absent on the platform's own).
    account: event.account ?? null,
    paymentIntentId,
    bookingId: metadata.bookingId ?? null,
    objectId: idOf(object.id),
    details,
  };
}
