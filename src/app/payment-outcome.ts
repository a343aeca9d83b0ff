import { AppError, ConflictError, PolicyError, UnavailableError } from '../domain/errors.ts';
import { canApply, isBooked, isHold } from '../domain/booking-lifecycle.ts';
import { TOPICS, recordCancelled, recordConfirmed } from './booking-effects.ts';
import { applyTransition } from './booking-transitions.ts';
import { PaymentUnavailableError, type DepositResult, type PaymentProvider } from './ports/payments.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { BookingStore, BookingTx } from './ports/booking-store.ts';
import type { Clock } from './ports/clock.ts';
import type { ErrorLog } from './ports/error-log.ts';

/**
 * The two halves of taking a deposit. `authorizeDeposit` asks the provider (the HTTP request,
 * the stale-hold recovery); `applyPaymentOutcome` moves the booking by where the PaymentIntent
 * stands, and is the one place that does so: the booking answer, the 3-D Secure
 * confirmation, a webhook and the reconciliation job all call it. It follows the intent's
 * status, not the order in which news of it arrived, so applying any outcome twice, or an
 * old one after a newer one, changes nothing.
 */

/** Card authorisations last about 7 days; captures are scheduled within 6.5. */
const AUTHORIZATION_SAFE_MS = 6.5 * 86_400_000;

/** Deposits are in euros (contract): an intent in any other currency is not the deposit. */
export const DEPOSIT_CURRENCY = 'EUR' as const;

export const depositIdempotencyKey = (booking: Pick<BookingRecord, 'id'>): string => `deposit-${booking.id}`;

/** Asks the provider for the booking's deposit. An unreachable provider is PAYMENT_UNAVAILABLE (503). */
export async function authorizeDeposit(payments: PaymentProvider, booking: BookingRecord): Promise<DepositResult> {
  if (booking.depositCents === 0) return { outcome: 'succeeded', paymentIntentId: '', paymentStatus: 'captured' };
  try {
    return await payments.authorizeDeposit({
      artisanId: booking.artisanId,
      idempotencyKey: depositIdempotencyKey(booking),
      amountCents: booking.depositCents,
      currency: DEPOSIT_CURRENCY,
      paymentMethodId: booking.paymentMethodId ?? undefined,
      description: `Acompte ${booking.publicCode} - ${booking.serviceName}`,
      metadata: { bookingId: booking.id, publicCode: booking.publicCode },
      captureMethod: booking.captureMethod ?? 'automatic',
    });
  } catch (error) {
    if (error instanceof PaymentUnavailableError) throw paymentUnavailable(error);
    throw error;
  }
}

export const paymentUnavailable = (cause?: unknown): UnavailableError => {
  const error = new UnavailableError(
    'PAYMENT_UNAVAILABLE',
    "Le paiement de l'acompte n'a pas pu être traité pour le moment. Merci de réessayer dans quelques minutes.",
  );
  if (cause !== undefined) (error as { cause?: unknown }).cause = cause;
  return error;
};

/** The bank's reason, in words a customer understands. */
const DECLINE_REASONS: Record<string, string> = {
  insufficient_funds: 'provision insuffisante',
  expired_card: 'carte expirée',
  incorrect_cvc: 'cryptogramme visuel incorrect',
  incorrect_number: 'numéro de carte incorrect',
  lost_card: 'carte déclarée perdue',
  stolen_card: 'carte déclarée volée',
  card_velocity_exceeded: 'plafond de la carte atteint',
  authentication_failed: "l'authentification 3-D Secure a échoué",
  payment_intent_authentication_failure: "l'authentification 3-D Secure a échoué",
  authentication_required: "l'authentification 3-D Secure est requise",
  processing_error: 'erreur de traitement chez la banque',
  do_not_honor: 'refus de la banque',
  generic_decline: 'refus de la banque',
  canceled: 'paiement annulé',
  amount_mismatch: 'montant du paiement différent de l’acompte',
};

export const paymentDeclined = (declineCode?: string): PolicyError =>
  new PolicyError(
    'PAYMENT_DECLINED',
    `Le paiement de l'acompte a été refusé (${DECLINE_REASONS[declineCode ?? ''] ?? 'refus de la banque'}). Aucune réservation n'a été enregistrée et rien n'a été débité ; vous pouvez réessayer avec un autre moyen de paiement.`,
  );

export const paymentHoldExpired = (): ConflictError =>
  new ConflictError(
    'PAYMENT_HOLD_EXPIRED',
    "Le délai pour valider le paiement est dépassé : le créneau a été libéré et rien n'a été débité. Merci de refaire votre réservation.",
  );

export interface AppliedOutcome {
  booking: BookingRecord;
  /** False when the outcome changed nothing (already applied, or older news). */
  changed: boolean;
  /** Set while the customer still has a 3-D Secure challenge to complete. */
  clientSecret?: string;
  /** The provider's decline reason, when the outcome was a decline. */
  declineCode?: string;
}

type Deps = { store: BookingStore; clock: Clock };
/** A booking as a transaction needs it: its business and its id. */
export type BookingRef = Pick<BookingRecord, 'id' | 'artisanId'>;

/** Applies where a PaymentIntent stands to its booking, in one transaction (see the module comment). */
export async function applyPaymentOutcome(
  deps: Deps,
  ref: BookingRef,
  result: DepositResult,
  actor = 'system',
  /**
   * The booking as the caller just wrote it (a hold this request took): the same writes are
   * then planned on it and applied in one round trip if the row has not changed since; the
   * general transaction below runs otherwise.
   */
  known?: { booking: BookingRecord; reminderHours?: number },
): Promise<AppliedOutcome> {
  const now = deps.clock.now();
  const bookingId = ref.id;
  if (known && known.booking.id === bookingId) {
    const planned = await applyKnownOutcome(deps.store, known, result, now, actor);
    if (planned) return planned;
  }
  return deps.store.transaction(ref.artisanId, async (tx) => {
    const current = await tx.lockBooking(bookingId);
    if (!current) throw new AppError('BOOKING_STATE_CHANGED', 'La réservation a changé entre-temps. Merci de réessayer.');
    return applyLocked(tx, current, result, now, actor);
  });
}

/**
 * The outcome planned on the booking as the caller just wrote it (`known`) and applied in one
 * round trip through `store.applyPlanned` (the pool's, or an open transaction's: a hold and its
 * outcome written in one commit, BookingStore.holdAndSettle). Undefined, nothing written, when
 * the row changed since or the plan needs a read: the general transaction then decides.
 */
export async function applyKnownOutcome(
  store: Pick<BookingStore, 'applyPlanned'>,
  known: { booking: BookingRecord; reminderHours?: number },
  result: DepositResult,
  now: number,
  actor: string,
): Promise<AppliedOutcome | undefined> {
  const bookingId = known.booking.id;
  const planned = await store.applyPlanned(known.booking, known, async (tx) => {
    const current = await tx.lockBooking(bookingId);
    if (!current) throw new AppError('BOOKING_STATE_CHANGED', 'La réservation a changé entre-temps. Merci de réessayer.');
    return applyLocked(tx, current, result, now, actor);
  });
  return planned.applied ? planned.value : undefined;
}

async function applyLocked(tx: BookingTx, current: BookingRecord, result: DepositResult, now: number, actor: string): Promise<AppliedOutcome> {
  const unchanged: AppliedOutcome = { booking: current, changed: false };
  const paymentIntentId = result.paymentIntentId || null;
  const history = (type: string, data?: Record<string, unknown>) => ({ nowMs: now, actor, type, data });

  // Defence in depth: an intent holding another amount or currency than the deposit never
  // confirms a booking nor counts as its late payment. A hold ends as a declined payment.
  const mismatch = result.outcome === 'succeeded' ? amountMismatch(current, result) : undefined;
  if (mismatch) {
    if (!isHold(current.status)) return unchanged;
    const t = await applyTransition(tx, current, { type: 'payment_declined', paymentIntentId }, {
      ...history('payment_amount_mismatch', { declineCode: 'amount_mismatch', paymentIntentId, ...mismatch }),
      actor: 'system',
    });
    return { booking: t.booking, changed: true, declineCode: 'amount_mismatch' };
  }

  if (isHold(current.status)) {
    switch (result.outcome) {
      case 'succeeded': {
        const t = await applyTransition(tx, current, { type: 'payment_succeeded', paymentIntentId, paymentStatus: result.paymentStatus }, history('confirmed', {
          paymentStatus: result.paymentStatus,
          depositCents: current.depositCents,
        }));
        await recordConfirmed(tx, t.booking, now);
        if (t.booking.paymentStatus === 'authorized') await scheduleCapture(tx, t.booking);
        return { booking: t.booking, changed: true };
      }
      case 'requires_action': {
        if (current.status === 'awaiting_authentication') return { ...unchanged, clientSecret: result.clientSecret };
        const t = await applyTransition(
          tx,
          current,
          { type: 'authentication_required', paymentIntentId: result.paymentIntentId, holdExpiresMs: current.holdExpiresMs ?? now },
          history('authentication_required', { paymentIntentId: result.paymentIntentId }),
        );
        return { booking: t.booking, changed: true, clientSecret: result.clientSecret };
      }
      case 'declined':
      case 'canceled': {
        const declineCode = result.outcome === 'declined' ? result.declineCode : 'canceled';
        const t = await applyTransition(tx, current, { type: 'payment_declined', paymentIntentId }, { ...history('payment_declined', { declineCode }), actor: 'system' });
        return { booking: t.booking, changed: true, declineCode };
      }
      case 'processing':
        return unchanged;
    }
  }

  // The slot was given back before the money came: refund it all, tell the customer.
  if (result.outcome === 'succeeded' && canApply(current, 'late_payment_succeeded')) {
    const t = await applyTransition(
      tx,
      current,
      { type: 'late_payment_succeeded', paymentIntentId: result.paymentIntentId, paymentStatus: result.paymentStatus },
      history('late_payment_refunded', { paymentStatus: result.paymentStatus, refundCents: current.depositCents }),
    );
    await tx.enqueue([
      { topic: TOPICS.settle, bookingId: t.booking.id },
      { topic: TOPICS.latePaymentRefunded, bookingId: t.booking.id },
    ]);
    return { booking: t.booking, changed: true };
  }

  // Also after the outcome is recorded: a no-show's authorised deposit is still captured.
  if (result.outcome === 'succeeded' && result.paymentStatus === 'captured' && canApply(current, 'deposit_captured')) {
    const t = await applyTransition(tx, current, { type: 'deposit_captured' }, history('deposit_captured', { depositCents: current.depositCents }));
    await tx.completePending(t.booking.id, [TOPICS.capture]);
    return { booking: t.booking, changed: true };
  }
  if (isBooked(current.status)) {
    if (result.outcome === 'canceled') {
      // An authorisation cancelled at the provider (expired, cancelled from the dashboard):
      // no deposit stands behind the booking, so it never stays confirmed.
      const t = await applyTransition(tx, current, { type: 'payment_voided' }, history('payment_voided', { paymentIntentId }));
      await tx.cancelPending(t.booking.id, [TOPICS.capture]);
      await recordCancelled(tx, t.booking, null);
      return { booking: t.booking, changed: true };
    }
  }
  return unchanged;
}

/** What the provider holds, when it differs from the booking's deposit (amount in cents, currency). */
function amountMismatch(
  booking: BookingRecord,
  result: Extract<DepositResult, { outcome: 'succeeded' }>,
): { expected: { cents: number; currency: string }; received: { cents: number; currency: string } } | undefined {
  if (!result.amount) return undefined;
  const expected = { cents: booking.depositCents, currency: DEPOSIT_CURRENCY };
  const same = result.amount.cents === expected.cents && result.amount.currency.toUpperCase() === expected.currency;
  return same ? undefined : { expected, received: result.amount };
}

/** An authorised-only deposit is captured when the appointment starts (outbox, survives restarts). */
export async function scheduleCapture(tx: BookingTx, booking: BookingRecord): Promise<void> {
  await tx.cancelPending(booking.id, [TOPICS.capture]);
  // Never after the authorisation lapses (about 7 days): a booking moved further out is captured before.
  const runAtMs = Math.min(booking.startMs, booking.createdMs + AUTHORIZATION_SAFE_MS);
  await tx.enqueue([{ topic: TOPICS.capture, bookingId: booking.id, runAtMs, payload: { startMs: booking.startMs } }]);
}

/** What the customer's request answers once the outcome is applied: the booking, or why not. */
export function bookingOrRefusal(applied: AppliedOutcome): AppliedOutcome {
  const { booking } = applied;
  if (isBooked(booking.status) || booking.status === 'awaiting_authentication') return applied;
  if (booking.status === 'payment_failed') throw paymentDeclined(applied.declineCode);
  if (booking.status === 'expired') throw paymentHoldExpired();
  throw new AppError('BOOKING_STATE_CHANGED', 'La réservation a changé entre-temps. Merci de réessayer.');
}

/**
 * Ends a hold whose time is up: cancels its PaymentIntent, then frees the slot. If the
 * intent turns out to have succeeded first, the booking is confirmed instead (its slot was
 * still held). With the provider unreachable the slot is freed all the same and the
 * cancellation retried from the outbox; a payment that still succeeds is refunded.
 */
export async function expireHold(
  deps: Deps & { payments: PaymentProvider; log?: ErrorLog },
  booking: BookingRecord,
): Promise<AppliedOutcome> {
  let final: DepositResult | undefined;
  if (booking.paymentIntentId) {
    try {
      final = await deps.payments.cancelDeposit(booking.paymentIntentId, `cancel-${booking.id}`, booking.artisanId);
    } catch (error) {
      if (!(error instanceof PaymentUnavailableError)) throw error;
      deps.log?.warn({ err: error, bookingId: booking.id }, 'hold expiry: could not cancel the PaymentIntent; retried from the outbox');
    }
  }
  if (final && (final.outcome === 'succeeded' || final.outcome === 'declined')) return applyPaymentOutcome(deps, booking, final);
  const now = deps.clock.now();
  return deps.store.transaction(booking.artisanId, async (tx) => {
    const current = await tx.lockBooking(booking.id);
    if (!current || !isHold(current.status)) return { booking: current ?? booking, changed: false };
    const t = await applyTransition(tx, current, { type: 'hold_expired' }, { nowMs: now, actor: 'system', type: 'hold_expired' });
    if (current.paymentIntentId && !final) await tx.enqueue([{ topic: TOPICS.voidPayment, bookingId: current.id }]);
    return { booking: t.booking, changed: true };
  });
}
