/**
 * Idempotency-Key records: the first response to a key is replayed for 24 h. A key is scoped
 * to itself and the request body (as Stripe scopes it per account), never to the client's
 * address: a phone that moves from Wi-Fi to 4G between a request and its retry gets its own
 * answer. A key whose request is still running holds for a short lease only; past it (the
 * process died mid-request), the retry takes the key over and resumes what was made.
 */
export type IdempotencyBegin =
  | { state: 'new' }
  | { state: 'replay'; status: number; body: unknown }
  | { state: 'mismatch' }
  | { state: 'in_progress' }
  /** The request holding the key died: the booking it made (if any) is resumed. */
  | { state: 'taken_over'; bookingId: string | null };

export interface IdempotencyStore {
  /** `artisanId`: keys are the business's own (two businesses' clients may send the same key). */
  begin(artisanId: string, scope: string, key: string, requestHash: string, times: { nowMs: number; expiresAtMs: number; leaseUntilMs: number }): Promise<IdempotencyBegin>;
  /** Remembers the booking the key's request made (its hold), for a retry after a crash. */
  attach(artisanId: string, scope: string, key: string, bookingId: string): Promise<void>;
  finish(artisanId: string, scope: string, key: string, status: number, body: unknown): Promise<void>;
  /** Forgets a key whose request failed on a fault, so the client can retry it. */
  abandon(artisanId: string, scope: string, key: string): Promise<void>;
  /** Deletes the records past their 24 h; returns how many. */
  purgeExpired(nowMs: number): Promise<number>;
}

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Longer than any booking request (Stripe's timeout included), short enough for a retry after a crash. */
export const IDEMPOTENCY_LEASE_MS = 60_000;
