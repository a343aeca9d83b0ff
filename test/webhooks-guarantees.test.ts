import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose, type Service } from '../src/main.ts';
import { makeOutboxQueue } from '../src/adapters/outbox/outbox-queue.ts';
import { TEST_ADMIN_TOKEN, adminHeaders } from './helpers/admin.ts';
import { addBusiness } from './helpers/tenants.ts';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';
import { TEST_RECEIVERS, drainWebhooks, startReceiver, verifies, type Receiver } from './helpers/webhook-receiver.ts';

/**
 * What outgoing webhooks promise when things go wrong (issue 21): a worker that dies between
 * the change and the delivery loses nothing (its claims are taken again once they are stale),
 * two instances of the service on one database deliver each event once, and a receiver that
 * hangs delays no other business's events. Against an HTTP
 * receiver on the loopback; signatures checked with `standardwebhooks`.
 */

const START = Date.parse('2027-03-01T07:00:00Z');
/** The outbox's stale-claim bound (outbox-queue.ts LOCK_TIMEOUT), and a second more. */
const PAST_STALE_CLAIM_MS = 5 * 60_000 + 1_000;

describe.each(ENGINES)('webhook delivery guarantees on %s', (engine) => {
  const t = serviceForSuite(engine, START, { webhookTestReceivers: TEST_RECEIVERS });
  let receiver: Receiver;
  let second: Service;

  beforeAll(async () => {
    receiver = await startReceiver();
    // A second instance of the service on the same database and clock (its own worker ids).
    const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_CREATE_PER_MINUTE: '100000', RATE_LIMIT_BUSINESS_CREATE_PER_MINUTE: '100000', ADMIN_API_TOKEN: TEST_ADMIN_TOKEN });
    second = await compose(config, { db: t.service.db, clock: t.clock, random: { uuid: () => randomUUID(), bytes: (n) => randomBytes(n) }, webhookTestReceivers: TEST_RECEIVERS });
  });
  afterAll(async () => {
    await second.close();
    await receiver.close();
  });
  beforeEach(async () => {
    receiver.received.length = 0;
    receiver.statuses.length = 0;
    await t.service.db.exec('TRUNCATE webhook_deliveries, webhook_events, webhook_endpoints');
  });

  async function endpoint(): Promise<string> {
    const res = await t.request('POST', '/api/admin/webhook-endpoints', { url: receiver.url(), eventTypes: ['booking.created'] }, adminHeaders());
    expect(res.status).toBe(201);
    return res.body.secret as string;
  }
  async function book(time: string, date = '2027-03-10'): Promise<string> {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  }
  /** A worker that claims the due webhook jobs and dies before handling them. */
  const crashedWorkerClaims = async (topic: string): Promise<number> =>
    (await makeOutboxQueue(t.service.db).claim('worker-that-died', [topic], 10, t.clock.ms)).length;

  it('a worker dying after claiming the event, then after claiming its delivery, loses nothing: each is taken again once stale, and sent once', async () => {
    const secret = await endpoint();
    const code = await book('09:00');
    // The change is committed with its event: the worker dies holding the event.
    expect(await crashedWorkerClaims('webhook.event')).toBe(1);
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(0);
    t.clock.ms += PAST_STALE_CLAIM_MS;
    // Fan-out only (one pass claims the event; its delivery is due after it).
    await t.service.webhookWorker.runOnce();
    expect(await t.service.db.query('SELECT 1 FROM webhook_deliveries')).toHaveLength(1);
    // Another worker dies holding the delivery.
    expect(await crashedWorkerClaims('webhook.deliver')).toBe(1);
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(0);
    t.clock.ms += PAST_STALE_CLAIM_MS;
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.json.data.booking.publicCode).toBe(code);
    expect(verifies(secret, receiver.received[0]!)).toBe(true);
    // The dead workers' claims, taken again, send nothing more.
    t.clock.ms += PAST_STALE_CLAIM_MS;
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(1);
  });

  it('two instances running their webhook workers side by side deliver each event once', async () => {
    const secret = await endpoint();
    const times = ['09:00', '10:00', '11:00', '14:00', '15:00', '16:00'];
    const codes: string[] = [];
    for (const date of ['2027-03-10', '2027-03-11']) for (const time of times) codes.push(await book(time, date));
    const bothWorkers = async () => {
      for (let i = 0; i < 50; i++) {
        const [a, b] = await Promise.all([t.service.webhookWorker.runOnce(), second.webhookWorker.runOnce()]);
        if (a + b === 0) return;
      }
    };
    await bothWorkers();
    expect(receiver.received.map((r) => r.json.data.booking.publicCode).sort()).toEqual([...codes].sort());
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(codes.length);
    expect(receiver.received.every((r) => verifies(secret, r))).toBe(true);
  });

  // Last: a second business on the instance makes the public API ask for the business's address.
  it("a receiver that hangs (30 s, past the 15 s timeout) does not delay another business's events", async () => {
    // Takes the request and answers in 30 s (or when the test ends).
    const arrived: string[] = [];
    const hanging = http.createServer((req, res) => {
      arrived.push(String(req.headers['webhook-id']));
      setTimeout(() => res.end('ok'), 30_000).unref();
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const slowUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook`;
    const demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans ORDER BY created_at LIMIT 1'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demo]);
    const other = await addBusiness(t.service.db, demo, `autre-${Date.now()}`, 'Autre plombier');
    expect((await t.request('POST', '/api/admin/webhook-endpoints', { url: slowUrl, eventTypes: ['booking.created'] }, adminHeaders())).status).toBe(201);
    const theirs = await t.request('POST', '/api/admin/webhook-endpoints', { url: receiver.url(), eventTypes: ['booking.created'] }, { authorization: `Bearer ${other.token}` });
    expect(theirs.status).toBe(201);
    const until = async (done: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
    };
    t.service.webhookWorker.start();
    try {
      expect((await t.request('POST', '/plomberie-dupont/api/bookings', bookingBody('2027-03-10', '09:00'))).status).toBe(201);
      await until(() => arrived.length > 0, 10_000);
      expect(arrived).toHaveLength(1);
      // The demo's delivery hangs; the other business's booking is told all the same, at once.
      const started = Date.now();
      const booked = await t.request('POST', `/${other.slug}/api/bookings`, bookingBody('2027-03-10', '09:00'));
      expect(booked.status, JSON.stringify(booked.body)).toBe(201);
      await until(() => receiver.received.length > 0, 10_000);
      expect(receiver.received.map((r) => r.json.data.booking.publicCode)).toEqual([booked.body.booking.publicCode]);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(verifies(theirs.body.secret as string, receiver.received[0]!)).toBe(true);
      expect(arrived).toHaveLength(1);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
      await t.service.webhookWorker.stop();
    }
  }, 30_000);
});
