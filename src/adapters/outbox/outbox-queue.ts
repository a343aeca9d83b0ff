import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Queryable } from '../db/database.ts';
import { first, qb, run } from '../db/kysely.ts';
import type { DB, Json } from '../db/schema.ts';

export interface OutboxJob {
  /** The business the job works for. */
  artisanId: string;
  id: string;
  topic: string;
  bookingId: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
}

/** Every job's payload is the JSON object its producer enqueued. */
const jobPayload = (payload: Json): Record<string, unknown> => payload as Record<string, unknown>;

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

/** A job as its row is keyed. */
export type JobRef = Pick<OutboxJob, 'artisanId' | 'id'>;

/** A claim older than this is considered abandoned by a dead worker and may be taken again. */
const LOCK_TIMEOUT = sql`interval '5 minutes'`;

/** How many of the instance's oldest, and of its newest, due jobs name the businesses a claim considers. */
const CLAIM_WINDOW = 50;

/**
 * "Now" is the caller's clock when given (reminders fall due on the service's clock, which
 * tests set), else the database's. Either way the comparison happens in SQL, in one statement.
 */
const nowOf = (nowMs: number | undefined) => sql<Date>`coalesce(${nowMs === undefined ? null : new Date(nowMs)}::timestamptz, now())`;

/** What `fail` sets the status to (the CASE below): nothing else. */
const retryOutcome = (status: string): 'dead' | 'pending' => (status === 'dead' ? 'dead' : 'pending');

/**
 * One statement per operation; the lock owner is checked in the WHERE of each update.
 * `maxAttempts` (OUTBOX_MAX_ATTEMPTS) overrides each row's own limit when given.
 */
/** A row to write when a job goes dead, in the same transaction (an outgoing webhook event). */
export interface DeadJobRow {
  id: string;
  topic: string;
  bookingId: string | null;
  payload: Record<string, unknown>;
}

export function makeOutboxQueue(
  db: Database,
  options: {
    maxAttempts?: number;
    /** What a job going dead writes to the outbox with it (message.failed), if anything. */
    onDead?: (job: { artisanId: string; id: string; topic: string; bookingId: string | null; attempts: number }, nowMs: number) => DeadJobRow | undefined;
  } = {},
) {
  const maxAttempts = options.maxAttempts ?? null;
  const attemptLimit = sql<number>`coalesce(${maxAttempts}::int, max_attempts)`;
  /** Exponential backoff (2^attempts seconds, capped at one hour), then 'dead'; the lock owner checked. */
  const failRow = (q: Queryable, workerId: string, job: JobRef, message: string, nowMs: number | undefined) =>
    first(
      q,
      qb
        .updateTable('outbox')
        .set({
          max_attempts: attemptLimit,
          status: sql<string>`CASE WHEN attempts >= ${attemptLimit} THEN 'dead' ELSE 'pending' END`,
          run_at: sql<Date>`${nowOf(nowMs)} + least(interval '1 hour', interval '1 second' * power(2, attempts))`,
          last_error: sql<string>`left(${message}, 2000)`,
          locked_by: null,
          locked_at: null,
        })
        .where('artisan_id', '=', job.artisanId)
        .where('id', '=', job.id)
        .where('locked_by', '=', workerId)
        .returning(['status', 'topic', 'booking_id', 'attempts']),
    );
  return {
    /**
     * Claims due jobs of the given topics; safe with several workers (SKIP LOCKED).
     *
     * Businesses take turns. The businesses considered are those of the instance's oldest and
     * newest due jobs (a window of each, read through outbox_due): the oldest so that no backlog
     * waits for ever, the newest so that a confirmation just queued is seen at once, however
     * long another business's backlog. Each of them offers its own oldest due jobs (through
     * outbox_due_by_business, so a business's messages keep their order), ranked 1, 2, 3…, and
     * the batch takes every business's first job before anyone's second. A business with
     * 10,000 queued messages holds one seat per turn. The cost is bounded by the windows, not by
     * the number of businesses nor the backlog.
     */
    async claim(workerId: string, topics: string[], limit: number, nowMs?: number): Promise<OutboxJob[]> {
      const now = nowOf(nowMs);
      const window = Math.max(CLAIM_WINDOW, limit * 5);
      const claimable = (eb: ExpressionBuilder<DB, 'outbox'>) =>
        eb.and([
          eb('status', '=', 'pending'),
          eb('run_at', '<=', now),
          sql<boolean>`topic = ANY(${topics})`,
          eb.or([eb('locked_at', 'is', null), eb('locked_at', '<', sql<Date>`${now} - ${LOCK_TIMEOUT}`)]),
        ]);
      const oldest = qb.selectFrom('outbox').select('artisan_id').where(claimable).orderBy('run_at').limit(window);
      const newest = qb.selectFrom('outbox').select('artisan_id').where(claimable).orderBy('run_at', 'desc').limit(window);
      const dueOfEach = qb
        .selectFrom(qb.selectFrom(oldest.as('o')).select('artisan_id').union(qb.selectFrom(newest.as('n')).select('artisan_id')).as('b'))
        .innerJoinLateral(
          (eb) => eb.selectFrom('outbox').select(['artisan_id', 'id', 'run_at']).whereRef('artisan_id', '=', 'b.artisan_id').where(claimable).orderBy('run_at').orderBy('id').limit(limit).as('due'),
          (join) => join.onTrue(),
        )
        .select(['due.artisan_id', 'due.id', 'due.run_at', sql<number>`row_number() OVER (PARTITION BY due.artisan_id ORDER BY due.run_at, due.id)`.as('turn')]);
      // Locked here, and checked again under the lock: a job another worker took meanwhile is skipped.
      const picked = qb
        .selectFrom('outbox')
        .select(['artisan_id', 'id'])
        .where((eb) =>
          eb(
            eb.refTuple('artisan_id', 'id'),
            'in',
            eb.selectFrom(dueOfEach.as('ranked')).select(['artisan_id', 'id']).orderBy('turn').orderBy('run_at').orderBy('id').limit(limit).$asTuple('artisan_id', 'id'),
          ),
        )
        .where(claimable)
        .forUpdate()
        .skipLocked();
      const rows = await run(
        db,
        qb
          .with('claimed', (db) =>
            db
              .updateTable('outbox')
              .set({ locked_by: workerId, locked_at: now, attempts: sql<number>`attempts + 1` })
              .where((eb) =>
                eb(
                  eb.refTuple('artisan_id', 'id'),
                  'in',
                  eb.selectFrom(picked.as('picked')).select(['artisan_id', 'id']).$asTuple('artisan_id', 'id'),
                ),
              )
              .returning(['artisan_id', 'id', 'topic', 'booking_id', 'payload', 'attempts', 'max_attempts', 'run_at', 'created_at']),
          )
          .selectFrom('claimed')
          .select(['artisan_id', 'id', 'topic', 'booking_id', 'payload', 'attempts', 'max_attempts'])
          // UPDATE … RETURNING gives no order: the batch is handed out in turns again, and within
          // one business oldest first, so a booking's confirmation goes out before its reschedule.
          .orderBy(sql`row_number() OVER (PARTITION BY artisan_id ORDER BY run_at, created_at, id)`)
          .orderBy('run_at')
          .orderBy('created_at')
          .orderBy('id'),
      );
      return rows.map((r) => ({ artisanId: r.artisan_id, id: r.id, topic: r.topic, bookingId: r.booking_id, payload: jobPayload(r.payload), attempts: r.attempts, maxAttempts: r.max_attempts }));
    },
    async complete(workerId: string, job: JobRef, nowMs?: number): Promise<void> {
      await run(
        db,
        qb
          .updateTable('outbox')
          .set({ status: 'done', done_at: nowOf(nowMs), locked_by: null })
          .where('artisan_id', '=', job.artisanId)
          .where('id', '=', job.id)
          .where('locked_by', '=', workerId),
      );
    },
    /** Exponential backoff (2^attempts seconds, capped at one hour), then 'dead'. */
    async fail(workerId: string, job: JobRef, message: string, nowMs?: number): Promise<'dead' | 'pending' | undefined> {
      const onDead = options.onDead;
      if (onDead) {
        return db.transaction(async (tx) => {
          const r = await failRow(tx, workerId, job, message, nowMs);
          const row = r?.status === 'dead' ? onDead({ artisanId: job.artisanId, id: job.id, topic: r.topic, bookingId: r.booking_id, attempts: r.attempts }, nowMs ?? Date.now()) : undefined;
          if (row) {
            await run(
              tx,
              qb.insertInto('outbox').values({ artisan_id: job.artisanId, id: row.id, topic: row.topic, booking_id: row.bookingId, payload: JSON.stringify(row.payload), run_at: nowOf(nowMs) }),
            );
          }
          return r && retryOutcome(r.status);
        });
      }
      const r = await failRow(db, workerId, job, message, nowMs);
      return r && retryOutcome(r.status);
    },
    /**
     * The queue's state per topic for monitoring: jobs due now and not done (the backlog), the
     * age of the oldest of them, and dead jobs. One statement.
     */
    async stats(nowMs?: number): Promise<{ topic: string; due: number; oldestDueSeconds: number; dead: number }[]> {
      const now = nowOf(nowMs);
      const rows = await run(
        db,
        qb
          .selectFrom('outbox')
          .select([
            'topic',
            sql<number>`(count(*) FILTER (WHERE status = 'pending' AND run_at <= ${now}))::int`.as('due'),
            sql<number | null>`extract(epoch FROM ${now} - min(run_at) FILTER (WHERE status = 'pending' AND run_at <= ${now}))::float8`.as('oldest'),
            sql<number>`(count(*) FILTER (WHERE status = 'dead'))::int`.as('dead'),
          ])
          .where('status', 'in', ['pending', 'dead'])
          .groupBy('topic')
          .orderBy('topic'),
      );
      return rows.map((r) => ({ topic: r.topic, due: r.due, oldestDueSeconds: Math.max(0, r.oldest ?? 0), dead: r.dead }));
    },
    /** One business's outbox rows for its back office, newest first (dead ones are what needs attention). */
    async list(artisanId: string, filter: { status?: string; limit: number; offset: number }): Promise<{ rows: OutboxRow[]; total: number }> {
      let query = qb
        .selectFrom('outbox as o')
        .leftJoin('bookings as b', (j) => j.onRef('b.artisan_id', '=', 'o.artisan_id').onRef('b.id', '=', 'o.booking_id'))
        .where('o.artisan_id', '=', artisanId)
        .select([
          'o.id',
          'o.topic',
          'o.booking_id',
          'b.public_code',
          'o.status',
          'o.attempts',
          sql<number>`coalesce(${maxAttempts}::int, o.max_attempts)`.as('max_attempts'),
          'o.last_error',
          'o.run_at',
          'o.created_at',
          sql<number>`count(*) OVER ()::int`.as('total'),
        ]);
      if (filter.status !== undefined) query = query.where('o.status', '=', filter.status);
      const rows = await run(db, query.orderBy('o.created_at', 'desc').orderBy('o.id', 'desc').limit(filter.limit).offset(filter.offset));
      return {
        total: rows[0]?.total ?? 0,
        rows: rows.map((r) => ({
          id: r.id,
          topic: r.topic,
          bookingId: r.booking_id,
          publicCode: r.public_code,
          status: r.status,
          attempts: r.attempts,
          maxAttempts: r.max_attempts,
          lastError: r.last_error,
          runAtMs: r.run_at.getTime(),
          createdMs: r.created_at.getTime(),
        })),
      };
    },
    /** Gives a dead job a fresh set of tries, due now. False when the job is not dead. */
    async retryDead(artisanId: string, id: string, nowMs?: number): Promise<boolean> {
      const rows = await run(
        db,
        qb
          .updateTable('outbox')
          .set({ status: 'pending', attempts: 0, run_at: nowOf(nowMs), locked_by: null, locked_at: null })
          .where('artisan_id', '=', artisanId)
          .where('id', '=', id)
          .where('status', '=', 'dead')
          .returning('id'),
      );
      return rows.length > 0;
    },
    async status(artisanId: string, id: string): Promise<string | undefined> {
      return (await first(db, qb.selectFrom('outbox').select('status').where('artisan_id', '=', artisanId).where('id', '=', id)))?.status;
    },
  };
}

export type OutboxQueue = ReturnType<typeof makeOutboxQueue>;
