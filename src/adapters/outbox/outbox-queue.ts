import type { Database } from '../db/database.ts';

export interface OutboxJob {
  id: string;
  topic: string;
  bookingId: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
}

export interface OutboxRow {
  id: string;
  topic: string;
  bookingId: string | null;
  publicCode: string | null;
  status: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAtMs: number;
  createdMs: number;
}

/** A claim older than this is considered abandoned by a dead worker and may be taken again. */
const LOCK_TIMEOUT = `interval '5 minutes'`;

/**
 * "Now" is the caller's clock when given (reminders fall due on the service's clock, which
 * tests set), else the database's. Either way the comparison happens in SQL, in one statement.
 */
const NOW = (param: number) => `coalesce($${param}::timestamptz, now())`;
const at = (nowMs: number | undefined): string | null => (nowMs === undefined ? null : new Date(nowMs).toISOString());

/**
 * One statement per operation; the lock owner is checked in the WHERE of each update.
 * `maxAttempts` (OUTBOX_MAX_ATTEMPTS) overrides each row's own limit when given.
 */
export function makeOutboxQueue(db: Database, options: { maxAttempts?: number } = {}) {
  const maxAttempts = options.maxAttempts ?? null;
  return {
    /** Claims due jobs of the given topics; safe with several workers (SKIP LOCKED). */
    async claim(workerId: string, topics: string[], limit: number, nowMs?: number): Promise<OutboxJob[]> {
      const rows = await db.query<{ id: string; topic: string; booking_id: string | null; payload: Record<string, unknown>; attempts: number; max_attempts: number }>(
        // UPDATE … RETURNING gives no order: the outer SELECT hands jobs out oldest first, so a
        // booking's confirmation goes out before its reschedule.
        `WITH claimed AS (
           UPDATE outbox SET locked_by = $1, locked_at = ${NOW(4)}, attempts = attempts + 1
            WHERE id IN (
              SELECT id FROM outbox
               WHERE status = 'pending' AND run_at <= ${NOW(4)} AND topic = ANY($2)
                 AND (locked_at IS NULL OR locked_at < ${NOW(4)} - ${LOCK_TIMEOUT})
               ORDER BY run_at LIMIT $3
               FOR UPDATE SKIP LOCKED)
            RETURNING id, topic, booking_id, payload, attempts, max_attempts, run_at, created_at)
         SELECT id, topic, booking_id, payload, attempts, max_attempts FROM claimed ORDER BY run_at, created_at, id`,
        [workerId, topics, limit, at(nowMs)],
      );
      return rows.map((r) => ({ id: r.id, topic: r.topic, bookingId: r.booking_id, payload: r.payload, attempts: r.attempts, maxAttempts: r.max_attempts }));
    },
    async complete(workerId: string, id: string, nowMs?: number): Promise<void> {
      await db.query(`UPDATE outbox SET status = 'done', done_at = ${NOW(3)}, locked_by = NULL WHERE id = $1 AND locked_by = $2`, [
        id,
        workerId,
        at(nowMs),
      ]);
    },
    /** Exponential backoff (2^attempts seconds, capped at one hour), then 'dead'. */
    async fail(workerId: string, id: string, message: string, nowMs?: number): Promise<'dead' | 'pending' | undefined> {
      const rows = await db.query<{ status: 'dead' | 'pending' }>(
        `UPDATE outbox SET
            max_attempts = coalesce($5::int, max_attempts),
            status = CASE WHEN attempts >= coalesce($5::int, max_attempts) THEN 'dead' ELSE 'pending' END,
            run_at = ${NOW(4)} + least(interval '1 hour', interval '1 second' * power(2, attempts)),
            last_error = left($3, 2000), locked_by = NULL, locked_at = NULL
          WHERE id = $1 AND locked_by = $2 RETURNING status`,
        [id, workerId, message, at(nowMs), maxAttempts],
      );
      return rows[0]?.status;
    },
    /**
     * The queue's state per topic for monitoring: jobs due now and not done (the backlog), the
     * age of the oldest of them, and dead jobs. One statement.
     */
    async stats(nowMs?: number): Promise<{ topic: string; due: number; oldestDueSeconds: number; dead: number }[]> {
      const rows = await db.query<{ topic: string; due: number; oldest: number | null; dead: number }>(
        `SELECT topic,
                (count(*) FILTER (WHERE status = 'pending' AND run_at <= ${NOW(1)}))::int AS due,
                extract(epoch FROM ${NOW(1)} - min(run_at) FILTER (WHERE status = 'pending' AND run_at <= ${NOW(1)}))::float8 AS oldest,
                (count(*) FILTER (WHERE status = 'dead'))::int AS dead
           FROM outbox WHERE status IN ('pending', 'dead') GROUP BY topic ORDER BY topic`,
        [at(nowMs)],
      );
      return rows.map((r) => ({ topic: r.topic, due: Number(r.due), oldestDueSeconds: Math.max(0, Number(r.oldest ?? 0)), dead: Number(r.dead) }));
    },
    /** Outbox rows for the artisan's view, newest first (dead ones are what needs attention). */
    async list(filter: { status?: string; limit: number; offset: number }): Promise<{ rows: OutboxRow[]; total: number }> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT o.id, o.topic, o.booking_id, b.public_code, o.status, o.attempts, coalesce($4::int, o.max_attempts) AS max_attempts, o.last_error,
                (extract(epoch FROM o.run_at) * 1000)::float8 AS run_at_ms, (extract(epoch FROM o.created_at) * 1000)::float8 AS created_ms,
                count(*) OVER ()::int AS total
           FROM outbox o LEFT JOIN bookings b ON b.id = o.booking_id
          WHERE ($1::text IS NULL OR o.status = $1)
          ORDER BY o.created_at DESC, o.id DESC LIMIT $2 OFFSET $3`,
        [filter.status ?? null, filter.limit, filter.offset, maxAttempts],
      );
      return {
        total: (rows[0]?.total as number | undefined) ?? 0,
        rows: rows.map((r) => ({
          id: r.id as string,
          topic: r.topic as string,
          bookingId: (r.booking_id as string | null) ?? null,
          publicCode: (r.public_code as string | null) ?? null,
          status: r.status as string,
          attempts: r.attempts as number,
          maxAttempts: r.max_attempts as number,
          lastError: (r.last_error as string | null) ?? null,
          runAtMs: Number(r.run_at_ms),
          createdMs: Number(r.created_ms),
        })),
      };
    },
    /** Gives a dead job a fresh set of tries, due now. False when the job is not dead. */
    async retryDead(id: string, nowMs?: number): Promise<boolean> {
      const rows = await db.query(
        `UPDATE outbox SET status = 'pending', attempts = 0, run_at = ${NOW(2)}, locked_by = NULL, locked_at = NULL
          WHERE id = $1 AND status = 'dead' RETURNING id`,
        [id, at(nowMs)],
      );
      return rows.length > 0;
    },
    async status(id: string): Promise<string | undefined> {
      const rows = await db.query<{ status: string }>(`SELECT status FROM outbox WHERE id = $1`, [id]);
      return rows[0]?.status;
    },
  };
}

export type OutboxQueue = ReturnType<typeof makeOutboxQueue>;
