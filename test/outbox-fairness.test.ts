import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxQueue } from '../src/adapters/outbox/outbox-queue.ts';
import { makeWorker } from '../src/adapters/outbox/worker.ts';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { addBusiness, type TestBusiness } from './helpers/tenants.ts';

/**
 * Fair at scale (issue 19 item 7): business A has 10,000 messages queued (a mailing gone wrong,
 * an outage's backlog); business B then takes a booking. The outbox is claimed round-robin
 * across businesses, so B's confirmation leaves in the worker's very next batch, and A's
 * backlog is still worked off to the last message.
 */
const BACKLOG = 10_000;

describe.each(ENGINES)('outbox fairness between businesses on %s', (engine) => {
  const smtp = new TestSmtp();
  let t: TestService;
  let queue: OutboxQueue | undefined;
  let a: string;
  let b: TestBusiness;

  beforeAll(async () => {
    await smtp.start();
    t = await startTestService(engine, {
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'ArtisanConnect <rdv@artisanconnect.test>' },
      outbox: (q) => (queue = q),
    });
    a = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [a]);
    b = await addBusiness(t.service.db, a, 'chauffage-martin', 'Chauffage Martin');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  it("sends B's confirmation in the first batch while A has 10,000 messages queued, then works off all of A's", async () => {
    const day = parisDate(t.clock, 2);
    const booked = await t.request('POST', '/plomberie-dupont/api/bookings', bookingBody(day, '09:00', { customer: { name: 'Client A', email: 'client.a@example.fr' } }));
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    // A's backlog: 10,000 copies of its confirmation, all queued before B's booking (older run_at).
    await t.service.db.query(
      `INSERT INTO outbox (artisan_id, id, topic, booking_id, payload, run_at)
       SELECT o.artisan_id, gen_random_uuid(), o.topic, o.booking_id, o.payload, now() - interval '1 hour' + g * interval '1 ms'
         FROM outbox o CROSS JOIN generate_series(1, $2::int) g
        WHERE o.artisan_id = $1 AND o.topic = 'notify.booking_confirmed'`,
      [a, BACKLOG],
    );
    await t.service.db.exec('ANALYZE outbox');

    const forB = await t.request('POST', `/${b.slug}/api/bookings`, bookingBody(day, '09:00', { customer: { name: 'Client B', email: 'client.b@example.fr' } }));
    expect(forB.status, JSON.stringify(forB.body)).toBe(201);

    const handled = await t.service.worker.runOnce();
    expect(handled).toBe(10);
    expect(smtp.to('client.b@example.fr')).toHaveLength(1);
    expect(smtp.to('client.b@example.fr')[0]!.mail.subject).toMatch(/^Rendez-vous confirmé/);

    // The rest of A's backlog, claimed through the same queue by a worker that only counts.
    const seen = new Map<string, number>();
    const drain = makeWorker({
      queue: queue!,
      handlers: { 'notify.booking_confirmed': async (job) => void seen.set(job.id, (seen.get(job.id) ?? 0) + 1) },
      workerId: 'drain',
      pollMs: 1_000,
      batchSize: 500,
      log: pino({ level: 'silent' }),
      now: t.clock.now,
    });
    while ((await drain.runOnce()) > 0);
    const left = await t.service.db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM outbox WHERE artisan_id = $1 AND topic = 'notify.booking_confirmed' GROUP BY status`,
      [a],
    );
    expect(left).toEqual([{ status: 'done', n: BACKLOG + 1 }]);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  }, 180_000);
});
