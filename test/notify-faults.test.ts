import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxQueue } from '../src/adapters/outbox/outbox-queue.ts';
import { ENGINES, resetBookings } from './helpers/db.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';
import { adminHeaders } from './helpers/admin.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/main.ts';

/**
 * Faults on the way out (decisions §10): a mail server that is down delays messages, never
 * loses them and never fails the booking; a worker that dies between "sent" and "marked done"
 * never makes the customer receive a second, different message; a dead message can be retried.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const CUSTOMER = 'jean@example.com';

describe.each(ENGINES)('notification faults on %s', (engine) => {
  const smtp = new TestSmtp();
  let t: TestService;
  /** When set, the worker "dies" after handling a job: it never marks it done (nor failed). */
  let dieBeforeMarking = false;

  beforeAll(async () => {
    await smtp.start();
    t = await startTestService(engine, {
      env: { SMTP_URL: smtp.url, OUTBOX_MAX_ATTEMPTS: '3' },
      outbox: (queue: OutboxQueue): OutboxQueue => ({
        ...queue,
        complete: async (...args) => (dieBeforeMarking ? undefined : queue.complete(...args)),
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });
  beforeEach(async () => {
    t.clock.ms = START;
    dieBeforeMarking = false;
    await resetBookings(t.service.db);
    smtp.received = [];
  });
  afterEach(async () => {
    await smtp.start(); // after a test that stopped it
  });

  const book = async () => {
    const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };
  const confirmationJob = async (code: string) =>
    (
      await t.service.db.query<{ id: string; status: string; attempts: number; last_error: string | null; due_in_s: number }>(
        `SELECT o.id, o.status, o.attempts, o.last_error, extract(epoch FROM o.run_at - $2::timestamptz)::float8 AS due_in_s
           FROM outbox o JOIN bookings b ON b.id = o.booking_id WHERE b.public_code = $1 AND o.topic = 'notify.booking_confirmed'`,
        [code, new Date(t.clock.ms).toISOString()],
      )
    )[0]!;

  it('SMTP down: the booking still answers 201, the message is retried with backoff and arrives once the server is back', async () => {
    await smtp.stop();
    const code = await book();
    await t.service.worker.runOnce();
    let job = await confirmationJob(code);
    expect(job).toMatchObject({ status: 'pending', attempts: 1 });
    expect(job.last_error).toMatch(/SMTP/);
    expect(job.last_error).not.toContain(CUSTOMER);
    expect(job.due_in_s).toBeCloseTo(2, 0);
    // Not due yet: nothing is attempted.
    await t.service.worker.runOnce();
    expect((await confirmationJob(code)).attempts).toBe(1);

    await smtp.start();
    t.clock.advance(1);
    await t.service.worker.runOnce();
    job = await confirmationJob(code);
    expect(job.status).toBe('done');
    expect(smtp.to(CUSTOMER)).toHaveLength(1);
    expect(smtp.to(CUSTOMER)[0]!.mail.subject).toMatch(/^Rendez-vous confirmé/);
  });

  it('a worker dying after sending and before marking: the retried job sends nothing new to the customer', async () => {
    const code = await book();
    dieBeforeMarking = true;
    await t.service.worker.runOnce();
    expect(smtp.to(CUSTOMER)).toHaveLength(1);
    expect((await confirmationJob(code)).status).toBe('pending'); // never marked
    const firstId = smtp.to(CUSTOMER)[0]!.mail.messageId;

    // Another worker takes the abandoned claim back after the lock timeout.
    dieBeforeMarking = false;
    t.clock.advance(6);
    await t.service.worker.runOnce();
    const job = await confirmationJob(code);
    expect(job).toMatchObject({ status: 'done', attempts: 2 });
    expect(smtp.to(CUSTOMER)).toHaveLength(1);
    expect(smtp.to(CUSTOMER)[0]!.mail.messageId).toBe(firstId);
  });

  it('a crash between the SMTP acceptance and the delivery record: the resend carries the same Message-ID', async () => {
    const code = await book();
    dieBeforeMarking = true;
    await t.service.worker.runOnce();
    // As if the process died before recording the delivery too.
    await t.service.db.query(`DELETE FROM notification_deliveries`);
    dieBeforeMarking = false;
    t.clock.advance(6);
    await t.service.worker.runOnce();
    expect((await confirmationJob(code)).status).toBe('done');
    const ids = smtp.to(CUSTOMER).map((m) => m.mail.messageId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1); // the same message, recognisable as a duplicate
  });

  it('two service instances on one database: every message goes out exactly once', async () => {
    const other = await compose(loadConfig({ LOG_LEVEL: 'silent', SMTP_URL: smtp.url, SEED_DEMO: 'false' }), { db: t.service.db, clock: t.clock });
    try {
      for (const time of ['09:00', '10:00', '11:00', '14:00', '15:00']) {
        const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', time));
        expect(res.status).toBe(201);
      }
      for (let pass = 0; pass < 5; pass++) await Promise.all([t.service.worker.runOnce(), other.worker.runOnce()]);
      const ids = smtp.received.map((m) => m.mail.messageId);
      expect(ids).toHaveLength(10); // 5 customers + 5 artisan copies
      expect(new Set(ids).size).toBe(10);
    } finally {
      await other.close();
    }
  });

  it('a message failing OUTBOX_MAX_ATTEMPTS times is dead, listed for the artisan, and can be retried', async () => {
    await smtp.stop();
    const code = await book();
    for (let i = 0; i < 3; i++) {
      await t.service.worker.runOnce();
      t.clock.advance(60);
    }
    const job = await confirmationJob(code);
    expect(job).toMatchObject({ status: 'dead', attempts: 3 });

    const dead = await t.request('GET', '/api/admin/outbox?status=dead', undefined, adminHeaders());
    expect(dead.status).toBe(200);
    expect(dead.body.jobs).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: job.id, topic: 'notify.booking_confirmed', bookingCode: code, status: 'dead', attempts: 3, maxAttempts: 3 })]),
    );
    expect(JSON.stringify(dead.body)).not.toContain(CUSTOMER);
    expect((await t.request('GET', '/api/admin/outbox?status=dead')).status).toBe(401);

    await smtp.start();
    const retried = await t.request('POST', `/api/admin/outbox/${job.id}/retry`, undefined, adminHeaders());
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body).toEqual({ id: job.id, status: 'pending' });
    await t.service.worker.runOnce();
    expect((await confirmationJob(code)).status).toBe('done');
    expect(smtp.to(CUSTOMER)).toHaveLength(1);

    const again = await t.request('POST', `/api/admin/outbox/${job.id}/retry`, undefined, adminHeaders());
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'OUTBOX_JOB_NOT_DEAD', message: expect.stringMatching(/échec définitif/) });
    const unknown = await t.request('POST', '/api/admin/outbox/00000000-0000-4000-8000-000000000000/retry', undefined, adminHeaders());
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('OUTBOX_JOB_NOT_FOUND');
  });
});
