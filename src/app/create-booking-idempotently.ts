import { createHash } from 'node:crypto';
import { AppError, ValidationError } from '../domain/errors.ts';
import { IDEMPOTENCY_LEASE_MS, IDEMPOTENCY_TTL_MS, type IdempotencyStore } from './idempotency.ts';
import type { CreateBookingHooks, CreateBookingInput, CreateBookingResult } from './create-booking.ts';
import type { Clock } from './ports/clock.ts';
import type { ErrorLog } from './ports/error-log.ts';

/** The first answer to a key, replayed as it was (decisions §5): what the client was told. */
export interface RecordedAnswer {
  status: number;
  body: unknown;
}

/** How the caller words an outcome; the protocol below never looks inside. */
export interface AnswerWording {
  created(result: CreateBookingResult): RecordedAnswer;
  /** A refusal the client must see again on a retry (a 4xx), or undefined for a fault. */
  refusal(error: unknown): RecordedAnswer | undefined;
}

const KEY_RE = /^[\x21-\x7e]{1,255}$/;
const SCOPE = 'create-booking';

/**
 * Booking creation with an Idempotency-Key (decisions §5). The key is scoped to itself and the
 * request body, never to the client's address. The first outcome is kept: a booking, or a
 * refusal (slot taken, validation) that a retry must see again; a fault (database, provider)
 * forgets the key so that the retry is processed afresh. A request that died holding the key
 * is taken over once its lease has run out: the booking it made is resumed, never made twice.
 */
export function makeCreateBookingIdempotently(deps: {
  idempotency: IdempotencyStore;
  clock: Clock;
  createBooking(input: CreateBookingInput, byArtisan: undefined, hooks: CreateBookingHooks): Promise<CreateBookingResult>;
  resumeBooking(bookingId: string): Promise<CreateBookingResult | undefined>;
  log?: ErrorLog;
}) {
  return async function createBookingIdempotently(
    request: {
      key: string;
      /** The request body as the client sent it: a retry must send the same. */
      body: unknown;
      input: CreateBookingInput;
      consent?: CreateBookingHooks['consent'];
    },
    wording: AnswerWording,
  ): Promise<RecordedAnswer & { replayed: boolean }> {
    const { key } = request;
    if (!KEY_RE.test(key)) {
      throw new ValidationError([{ field: 'Idempotency-Key', message: "L'en-tête Idempotency-Key doit contenir de 1 à 255 caractères imprimables." }]);
    }
    const hash = createHash('sha256').update(JSON.stringify(request.body)).digest('hex');
    const now = deps.clock.now();
    const business = request.input.artisanId;
    const begun = await deps.idempotency.begin(business, SCOPE, key, hash, { nowMs: now, expiresAtMs: now + IDEMPOTENCY_TTL_MS, leaseUntilMs: now + IDEMPOTENCY_LEASE_MS });
    if (begun.state === 'mismatch') throw new AppError('IDEMPOTENCY_KEY_REUSED', 'Cette clé d’idempotence a déjà servi pour une autre demande.');
    if (begun.state === 'in_progress') {
      throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'Une demande identique est déjà en cours de traitement. Merci de patienter.');
    }
    if (begun.state === 'replay') return { status: begun.status, body: begun.body, replayed: true };

    let answer: RecordedAnswer;
    try {
      // Taken over from a request that died: its booking's real outcome, or a fresh attempt when it made none.
      const resumed = begun.state === 'taken_over' && begun.bookingId ? await deps.resumeBooking(begun.bookingId) : undefined;
      answer = wording.created(
        resumed ??
          (await deps.createBooking(request.input, undefined, {
            onHold: (bookingId) => deps.idempotency.attach(business, SCOPE, key, bookingId),
            idempotency: { scope: SCOPE, key },
            consent: request.consent,
          })),
      );
    } catch (error) {
      const refusal = wording.refusal(error);
      if (refusal) await deps.idempotency.finish(business, SCOPE, key, refusal.status, refusal.body);
      else await deps.idempotency.abandon(business, SCOPE, key).catch((err: unknown) => deps.log?.error({ err }, 'idempotency key could not be released'));
      throw error;
    }
    await deps.idempotency.finish(business, SCOPE, key, answer.status, answer.body);
    return { ...answer, replayed: false };
  };
}
