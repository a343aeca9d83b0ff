import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOutboxQueue } from '../src/adapters/outbox/outbox-queue.ts';
import { makeWorker } from '../src/adapters/outbox/worker.ts';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';

/**
 * WORKER_CONCURRENCY: a worker handles the jobs of different bookings at the same time (their
 * messages are latency-bound), but one booking's jobs one after the other, in order.
 */
describe.each(ENGINES)('outbox worker concurrency on %s', (engine) => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(engine);
  });
  afterAll(async () => t?.close());

  it('runs jobs of different bookings side by side, never two of one booking at once', async () => {
    const bookings: string[] = [];
    for (const time of ['09:00', '10:00', '11:00']) {
      const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', time));
      expect(res.status).toBe(201);
      bookings.push((await t.service.db.query<{ id: string }>(`SELECT id FROM bookings WHERE public_code = $1`, [res.body.booking.publicCode]))[0]!.id);
    }
    const order: string[] = [];
    for (const [i, bookingId] of [bookings[0], bookings[0], bookings[0], bookings[1], bookings[2], null, null].entries()) {
      const id = randomUUID();
      order.push(id);
      await t.service.db.query(`INSERT INTO outbox (artisan_id, id, topic, booking_id, run_at)
         VALUES ((SELECT id FROM artisans), $1, 'test.concurrency', $2, now() - make_interval(secs => $3))`,
        [id, bookingId, 100 - i],
      );
    }
    let running = 0;
    let peak = 0;
    const busyBookings = new Set<string>();
    const overlaps: string[] = [];
    const finished: string[] = [];
    const worker = makeWorker({
      queue: makeOutboxQueue(t.service.db),
      workerId: 'w-concurrency',
      pollMs: 60_000,
      batchSize: 10,
      concurrency: 4,
      log: pino({ level: 'silent' }),
      handlers: {
        'test.concurrency': async (job) => {
          running++;
          peak = Math.max(peak, running);
          if (job.bookingId) {
            if (busyBookings.has(job.bookingId)) overlaps.push(job.bookingId);
            busyBookings.add(job.bookingId);
          }
          await new Promise((r) => setTimeout(r, 60));
          if (job.bookingId) busyBookings.delete(job.bookingId);
          running--;
          finished.push(job.id);
        },
      },
    });
    expect(await worker.runOnce()).toBe(7);
    expect(overlaps).toEqual([]);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);
    // The first booking's three jobs finished in the order they were due.
    expect(finished.filter((id) => order.slice(0, 3).includes(id))).toEqual(order.slice(0, 3));
    const rows = await t.service.db.query<{ status: string }>(`SELECT status FROM outbox WHERE topic = 'test.concurrency'`);
    expect(rows.map((r) => r.status)).toEqual(Array(7).fill('done'));
  });
});
