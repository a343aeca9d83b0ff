import type { Database } from '../db/database.ts';

export interface OutboxJob {
  id: string;
  topic: string;
  bookingId: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
}

/** A claim older than this is considered abandoned by a dead worker and may be taken again. */
const LOCK_TIMEOUT = `interval '5 minutes'`;

/** One statement per operation; the lock owner is checked in the WHERE of each update. */
export function makeOutboxQueue(db: Database) {
  return {
    /** Claims due jobs of the given topics; safe with several workers (SKIP LOCKED). */
    async claim(workerId: string, topics: string[], limit: number): Promise<OutboxJob[]> {
      const rows = await db.query<{ id: string; topic: string; booking_id: string | null; payload: Record<string, unknown>; attempts: number; max_attempts: number }>(
        `UPDATE outbox SET locked_by = $1, locked_at = now(), attempts = attempts + 1
          WHERE id IN (
            SELECT id FROM outbox
             WHERE status = 'pending' AND run_at <= now() AND topic = ANY($2)
               AND (locked_at IS NULL OR locked_at < now() - ${LOCK_TIMEOUT})
             ORDER BY run_at LIMIT $3
             FOR UPDATE SKIP LOCKED)
          RETURNING id, topic, booking_id, payload, attempts, max_attempts`,
        [workerId, topics, limit],
      );
      return rows.map((r) => ({ id: r.id, topic: r.topic, bookingId: r.booking_id, payload: r.payload, attempts: r.attempts, maxAttempts: r.max_attempts }));
    },
    async complete(workerId: string, id: string): Promise<void> {
      await db.query(`UPDATE outbox SET status = 'done', done_at = now(), locked_by = NULL WHERE id = $1 AND locked_by = $2`, [id, workerId]);
    },
    /** Exponential backoff (2^attempts seconds, capped at one hour), then 'dead'. */
    async fail(workerId: string, id: string, message: string): Promise<void> {
      await db.query(
        `UPDATE outbox SET
            status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
            run_at = now() + least(interval '1 hour', interval '1 second' * power(2, attempts)),
            last_error = left($3, 2000), locked_by = NULL, locked_at = NULL
          WHERE id = $1 AND locked_by = $2`,
        [id, workerId, message],
      );
    },
  };
}

export type OutboxQueue = ReturnType<typeof makeOutboxQueue>;
