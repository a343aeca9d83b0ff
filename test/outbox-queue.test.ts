import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { makeOutboxQueue, type OutboxQueue } from '../src/adapters/outbox/outbox-queue.ts';
import { makeWorker } from '../src/adapters/outbox/worker.ts';
import { ENGINES, createTestDatabase, type TestDatabase } from './helpers/db.ts';

// The outbox every booking change writes to: claimed safely by several workers, retried with
// exponential backoff, dead after max_attempts, and a late worker cannot overwrite a job
// another worker has since taken.
describe.each(ENGINES)('outbox queue on %s', (engine) => {
  let database: TestDatabase;
  let queue: OutboxQueue;
  // Every job belongs to a business (migration 0029).
  const ARTISAN = '00000000-0000-4000-8000-0000000000aa';
  const ref = (id: string) => ({ artisanId: ARTISAN, id });
  const add = async (topic: string, n = 1, maxAttempts = 3): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      await database.db.query(`INSERT INTO outbox (artisan_id, id, topic, max_attempts) VALUES ($4, $1, $2, $3)`, [id, topic, maxAttempts, ARTISAN]);
      ids.push(id);
    }
    return ids;
  };
  const row = async (id: string) =>
    (
      await database.db.query<{ status: string; attempts: number; locked_by: string | null; due_in_s: number; last_error: string | null }>(
        `SELECT status, attempts, locked_by, last_error, extract(epoch FROM run_at - now())::float8 AS due_in_s FROM outbox WHERE id = $1`,
        [id],
      )
    )[0]!;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    queue = makeOutboxQueue(database.db);
    await database.db.query(`INSERT INTO artisans (id, display_name, email, timezone, plan) VALUES ($1, 'Test', 'test@example.fr', 'Europe/Paris', 'pro')`, [ARTISAN]);
  });
  afterAll(async () => database?.destroy());
  beforeEach(async () => {
    await database.db.exec('DELETE FROM outbox');
  });

  it('gives each due job to one worker only, and only the topics asked for', async () => {
    await add('notify.booking_confirmed', 6);
    await add('calendar.booking_changed', 2);
    const [a, b] = await Promise.all([
      queue.claim('worker-a', ['notify.booking_confirmed'], 4),
      queue.claim('worker-b', ['notify.booking_confirmed'], 4),
    ]);
    const ids = [...a, ...b].map((j) => j.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    expect([...a, ...b].every((j) => j.topic === 'notify.booking_confirmed' && j.attempts === 1)).toBe(true);
    // Claimed jobs are not handed out again while their claim is fresh.
    expect(await queue.claim('worker-c', ['notify.booking_confirmed'], 10)).toHaveLength(0);
  });

  it('a running worker drains a backlog batch after batch, without waiting a poll interval between full batches', async () => {
    await add('notify.test', 35);
    const handled: string[] = [];
    const worker = makeWorker({
      queue,
      handlers: { 'notify.test': async (job) => void handled.push(job.id) },
      workerId: 'w-backlog',
      pollMs: 3_000,
      batchSize: 10,
      log: pino({ level: 'silent' }),
    });
    const started = Date.now();
    worker.start();
    try {
      // 4 batches: one poll interval before the first, none between full ones (12 s if each waited).
      await expect.poll(() => handled.length, { timeout: 20_000, interval: 100 }).toBe(35);
      expect(Date.now() - started).toBeLessThan(7_000);
    } finally {
      await worker.stop();
    }
    expect(new Set(handled).size).toBe(35);
  });

  it('takes turns between businesses: every business with due jobs gets a seat before anyone gets a second', async () => {
    const OTHER = '00000000-0000-4000-8000-0000000000bb';
    await database.db.query(`INSERT INTO artisans (id, display_name, email, timezone, plan) VALUES ($1, 'Autre', 'autre@example.fr', 'Europe/Paris', 'pro') ON CONFLICT DO NOTHING`, [OTHER]);
    const older = await add('notify.test', 6);
    // Distinct, increasing run_at (one server clock tick may cover several inserts).
    for (const [i, id] of older.entries()) await database.db.query(`UPDATE outbox SET run_at = now() - make_interval(secs => $2) WHERE id = $1`, [id, 60 - i]);
    const newer = randomUUID();
    await database.db.query(`INSERT INTO outbox (artisan_id, id, topic, run_at) VALUES ($1, $2, 'notify.test', now() + interval '1 second')`, [OTHER, newer]);
    const batch = await queue.claim('w', ['notify.test'], 3, Date.now() + 2_000);
    // The other business's only job, though the newest, is in the batch, and the batch hands it
    // out among the first turn; the rest are the first business's oldest, in order.
    expect(batch.map((j) => j.id).sort()).toEqual([newer, older[0], older[1]].sort());
    expect(batch.slice(0, 2).map((j) => j.id)).toContain(newer);
    expect(batch.filter((j) => j.artisanId === ARTISAN).map((j) => j.id)).toEqual([older[0], older[1]]);
    await database.db.query('DELETE FROM outbox WHERE artisan_id = $1', [OTHER]);
  });

  it('does not hand out a job before its run_at (reminders due later)', async () => {
    const id = randomUUID();
    await database.db.query(`INSERT INTO outbox (artisan_id, id, topic, run_at) VALUES ($2, $1, 'notify.reminder', now() + interval '1 day')`, [id, ARTISAN]);
    expect(await queue.claim('w', ['notify.reminder'], 10)).toHaveLength(0);
  });

  it('completes a job for its owner only', async () => {
    const [id] = await add('payment.settle');
    await queue.claim('owner', ['payment.settle'], 1);
    await queue.complete('intruder', ref(id!));
    expect((await row(id!)).status).toBe('pending');
    await queue.complete('owner', ref(id!));
    expect(await row(id!)).toMatchObject({ status: 'done', locked_by: null });
  });

  it('backs off exponentially and ends dead after max_attempts, keeping the last error', async () => {
    const [id] = await add('payment.settle', 1, 3);
    const dueAfterFailure: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await database.db.query(`UPDATE outbox SET run_at = now() WHERE id = $1`, [id]); // make it due now
      const [job] = await queue.claim('w', ['payment.settle'], 1);
      expect(job?.attempts).toBe(attempt);
      await queue.fail('w', ref(id!), `provider down (${attempt})`);
      dueAfterFailure.push((await row(id!)).due_in_s);
    }
    // 2^1 s, then 2^2 s after the first two failures; the third is the last try.
    expect(dueAfterFailure[0]).toBeGreaterThan(1);
    expect(dueAfterFailure[0]).toBeLessThanOrEqual(2.5);
    expect(dueAfterFailure[1]).toBeGreaterThan(3);
    expect(dueAfterFailure[1]).toBeLessThanOrEqual(4.5);
    expect(await row(id!)).toMatchObject({ status: 'dead', attempts: 3, last_error: 'provider down (3)', locked_by: null });
    await database.db.query(`UPDATE outbox SET run_at = now() WHERE id = $1`, [id]);
    expect(await queue.claim('w', ['payment.settle'], 1)).toHaveLength(0);
  });

  it('takes back a job whose worker died holding it, after the claim times out', async () => {
    const [id] = await add('calendar.booking_changed');
    await queue.claim('dead-worker', ['calendar.booking_changed'], 1);
    await database.db.query(`UPDATE outbox SET locked_at = now() - interval '6 minutes' WHERE id = $1`, [id]);
    const [job] = await queue.claim('new-worker', ['calendar.booking_changed'], 1);
    expect(job).toMatchObject({ id, attempts: 2 });
    // The dead worker waking up cannot mark it any more.
    await queue.complete('dead-worker', ref(id!));
    expect(await row(id!)).toMatchObject({ status: 'pending', locked_by: 'new-worker' });
  });
});
