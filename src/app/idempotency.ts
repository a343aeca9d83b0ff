/** Idempotency-Key records: the first response to a key is replayed for 24 h. */
export type IdempotencyBegin =
  | { state: 'new' }
  | { state: 'replay'; status: number; body: unknown }
  | { state: 'mismatch' }
  | { state: 'in_progress' };

export interface IdempotencyStore {
  begin(scope: string, key: string, requestHash: string, expiresAtMs: number): Promise<IdempotencyBegin>;
  finish(scope: string, key: string, status: number, body: unknown): Promise<void>;
  /** Forgets a key whose request failed on a fault, so the client can retry it. */
  abandon(scope: string, key: string): Promise<void>;
}

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
