import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeWebhookSender } from '../src/adapters/webhooks/webhook-sender.ts';
import { adminHeaders } from './helpers/admin.ts';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';
import { addBusiness } from './helpers/tenants.ts';
import { TEST_RECEIVERS, startReceiver, verifies } from './helpers/webhook-receiver.ts';

/**
 * Outgoing webhooks (issue 21) against HTTP receivers the tests start on the loopback. The
 * service is allowed to reach them over plain HTTP through a test-only override of the SSRF
 * guard (127.0.0.1 only); everything else goes through the guard as in production. Signatures
 * are checked with the official `standardwebhooks` package. Clock: Monday 2027-03-01 08:00 Paris.
 */

const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'jean@example.com';

describe.each(ENGINES)('outgoing webhooks on %s', (engine) => {
  const t = serviceForSuite(engine, START, { webhookTestReceivers: TEST_RECEIVERS });
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver.close());
  beforeEach(async () => {
    receiver.received.length = 0;
    receiver.statuses.length = 0;
    await t.service.db.exec('TRUNCATE webhook_deliveries, webhook_events, webhook_endpoints');
  });

  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, headers = adminHeaders()) => t.request(method, `/api/admin${url}`, body, headers);
  const ALL = ['booking.created', 'booking.confirmed', 'booking.rescheduled', 'booking.cancelled', 'booking.reassigned', 'booking.completed', 'booking.no_show', 'payment.refunded'];

  async function endpoint(eventTypes = ALL, url = receiver.url()): Promise<{ id: string; secret: string }> {
    const res = await admin('POST', '/webhook-endpoints', { url, description: 'Zapier', eventTypes });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.endpoint.id, secret: res.body.secret };
  }
  /** Runs the webhook worker until nothing is due on the test clock. */
  async function drain(): Promise<void> {
    for (let i = 0; i < 30 && (await t.service.webhookWorker.runOnce()) > 0; i++);
  }
  async function book(date = '2027-03-10', time = '09:00', prefix = ''): Promise<string> {
    const res = await t.request('POST', `${prefix}/api/bookings`, bookingBody(date, time));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  }
  const types = () => receiver.received.map((r) => r.json.type as string);

  it('manages endpoints: the secret is shown once, the URL checked, the list, the change and the removal', async () => {
    const created = await admin('POST', '/webhook-endpoints', { url: receiver.url(), description: 'CRM', eventTypes: ['booking.created'] });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.body.endpoint).toMatchObject({ url: receiver.url(), description: 'CRM', eventTypes: ['booking.created'], enabled: true, disabledReason: null });
    const id = created.body.endpoint.id as string;
    const listed = await admin('GET', '/webhook-endpoints');
    expect(listed.body.endpoints).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect(JSON.stringify((await admin('GET', `/webhook-endpoints/${id}`)).body)).not.toContain('whsec_');

    const patched = await admin('PATCH', `/webhook-endpoints/${id}`, { enabled: false, eventTypes: ['booking.cancelled', 'booking.rescheduled'] });
    expect(patched.status).toBe(200);
    expect(patched.body.endpoint).toMatchObject({ enabled: false, eventTypes: ['booking.cancelled', 'booking.rescheduled'] });

    // Private addresses beyond the test's own receiver, unknown events: 400 with the field named.
    const refused = await admin('POST', '/webhook-endpoints', { url: 'https://192.168.1.10/hook', eventTypes: ['booking.created'] });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'url', message: expect.stringContaining('réseau privé ou local') }] });
    expect((await admin('POST', '/webhook-endpoints', { url: receiver.url(), eventTypes: ['booking.exploded'] })).status).toBe(400);
    expect((await admin('POST', '/webhook-endpoints', { url: 'pas une adresse', eventTypes: ['booking.created'] })).body.error.code).toBe('VALIDATION_ERROR');

    expect((await admin('DELETE', `/webhook-endpoints/${id}`)).status).toBe(204);
    expect((await admin('GET', `/webhook-endpoints/${id}`)).status).toBe(404);
  });

  it('sends one signed event per change, whatever the path, with the previous time and the canceller', async () => {
    const { secret } = await endpoint();
    const code = await book();
    await drain();
    expect(types()).toEqual(['booking.created']);
    const created = receiver.received[0]!;
    expect(verifies(secret, created)).toBe(true);
    expect(created.json).toMatchObject({ type: 'booking.created', version: 1, data: { booking: { publicCode: code, status: 'confirmed', channel: 'online', customer: { email: EMAIL } } } });
    expect(created.headers['webhook-id']).toBe(created.json.id);
    // The booking exactly as the admin API shows it.
    const shown = await admin('GET', `/bookings/${code}`);
    expect(created.json.data.booking).toEqual(shown.body.booking);

    // The customer, by code and e-mail.
    expect((await t.request('POST', `/api/bookings/${code}/reschedule`, { email: EMAIL, newDate: '2027-03-11', newTime: '10:00' })).status).toBe(200);
    // The back office (API token).
    expect((await admin('POST', `/bookings/${code}/reschedule`, { newDate: '2027-03-12', newTime: '14:00' })).status).toBe(200);
    await drain();
    expect(types()).toEqual(['booking.created', 'booking.rescheduled', 'booking.rescheduled']);
    const [, byCustomer, byBusiness] = receiver.received;
    expect(byCustomer!.json.data.previous).toMatchObject({ date: '2027-03-10', time: '09:00', startDateTime: '2027-03-10T09:00:00+01:00' });
    expect(byCustomer!.json.data.booking).toMatchObject({ date: '2027-03-11', time: '10:00', status: 'rescheduled' });
    expect(byBusiness!.json.data.previous).toMatchObject({ date: '2027-03-11', time: '10:00' });
    expect(byBusiness!.json.data.booking).toMatchObject({ date: '2027-03-12', time: '14:00' });
    // Each event its own id; every one signed.
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(3);
    expect(receiver.received.every((r) => verifies(secret, r))).toBe(true);

    // The manage link (the token the public lookup hands out): the customer cancels.
    const lookup = await t.request('GET', `/api/bookings/public?code=${code}&email=${EMAIL}`);
    const token = new URL(lookup.body.links.manage as string).searchParams.get('token')!;
    const cancelled = await t.request('POST', `/api/bookings/${code}/cancel`, { token });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await drain();
    const cancel = receiver.received.find((r) => r.json.type === 'booking.cancelled')!;
    expect(cancel.json.data.cancellation).toEqual({ actor: 'customer', reason: null });
    expect(cancel.json.data.refund).toMatchObject({ depositCents: 1200, decidedCents: cancelled.body.refund.refundCents });
    expect(cancel.json.data.booking.status).toBe('cancelled');
    // The deposit given back is its own event.
    // Nine days ahead: the whole deposit comes back (the demo's policy), given back at once.
    expect(cancelled.body.refund.refundCents).toBe(1200);
    const refunds = receiver.received.filter((r) => r.json.type === 'payment.refunded');
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.json.data.refund).toMatchObject({ amountCents: 1200, totalRefundedCents: 1200, outcome: 'refunded' });
    expect(types().filter((x) => x === 'booking.cancelled')).toHaveLength(1);
  });

  it('tells the outcome the business records after the appointment, once, with the booking closed', async () => {
    const { secret } = await endpoint(['booking.completed', 'booking.no_show']);
    const done = await book('2027-03-10', '09:00');
    const absent = await book('2027-03-10', '14:00');
    t.clock.set('2027-03-10T16:00:00Z'); // 17:00 in Paris: both have started
    const mark = (code: string, outcome: string) => admin('POST', `/bookings/${code}/outcome`, { outcome });
    expect((await mark(done, 'completed')).status).toBe(200);
    // The same outcome again (a double tap) is no change, so no second event.
    expect((await mark(done, 'completed')).status).toBe(200);
    expect((await mark(absent, 'no_show')).status).toBe(200);
    await drain();
    // Two bookings' deliveries run side by side: their arrival order is not promised.
    expect(types().sort()).toEqual(['booking.completed', 'booking.no_show']);
    expect(receiver.received.every((r) => verifies(secret, r))).toBe(true);
    const of = (type: string) => receiver.received.find((r) => r.json.type === type)!;
    expect(of('booking.completed').json.data.booking).toMatchObject({ publicCode: done, outcome: 'completed' });
    // A no-show keeps the deposit: nothing refunded, and the payload says so.
    expect(of('booking.no_show').json.data.booking).toMatchObject({ publicCode: absent, outcome: 'no_show', refundCents: 0 });
  });

  it('tells a booking handed to another technician, with who had it before, once per change', async () => {
    const db = t.service.db;
    const [{ id: artisanId, plan }] = (await db.query<{ id: string; plan: string }>('SELECT id, plan FROM artisans')) as [{ id: string; plan: string }];
    const paul = randomUUID();
    const lea = randomUUID();
    await db.query(`UPDATE artisans SET plan = 'business' WHERE id = $1`, [artisanId]);
    for (const [id, email, name] of [[paul, 'paul@plomberie.test', 'Paul'], [lea, 'lea@plomberie.test', 'Léa']] as const) {
      await db.query(
        `INSERT INTO admin_users (id, artisan_id, email, password_hash, password_changed_at, created_at, role, name) VALUES ($1, $2, $3, '', now(), now(), 'technician', $4)`,
        [id, artisanId, email, name],
      );
    }
    try {
      const { secret } = await endpoint(['booking.reassigned']);
      const code = await book('2027-03-12', '10:00');
      // Routed at creation to one of the two (issue 20): that is no reassignment.
      const first = (await admin('GET', `/bookings/${code}`)).body.booking.technicianId as string;
      expect([paul, lea]).toContain(first);
      const other = first === paul ? lea : paul;
      expect((await admin('PUT', `/bookings/${code}/assignment`, { technicianId: other, teamId: null })).status).toBe(204);
      // The same assignment again changes nothing: no second event.
      expect((await admin('PUT', `/bookings/${code}/assignment`, { technicianId: other, teamId: null })).status).toBe(204);
      await drain();
      expect(types()).toEqual(['booking.reassigned']);
      expect(verifies(secret, receiver.received[0]!)).toBe(true);
      expect(receiver.received[0]!.json.data).toMatchObject({ booking: { publicCode: code, technicianId: other }, previousAssignment: { technicianId: first, teamId: null } });
    } finally {
      // The suite's other tests run without technicians: routing leaves inactive members out.
      await db.query(`UPDATE admin_users SET active = false WHERE id IN ($1, $2)`, [paul, lea]);
      await db.query(`UPDATE artisans SET plan = $2 WHERE id = $1`, [artisanId, plan]);
    }
  });

  it('tells a cancellation by the business, with its reason and the full refund', async () => {
    await endpoint(['booking.cancelled']);
    const code = await book();
    const res = await admin('POST', `/bookings/${code}/cancel`, { reason: 'Intervention impossible' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await drain();
    expect(types()).toEqual(['booking.cancelled']);
    expect(receiver.received[0]!.json.data).toMatchObject({
      cancellation: { actor: 'business', reason: 'Intervention impossible' },
      refund: { depositCents: 1200, decidedCents: 1200 },
    });
    expect(['pending', 'refunded']).toContain(receiver.received[0]!.json.data.refund.outcome);
  });

  it('retries on the schedule with the same webhook-id: 500 three times, then 200', async () => {
    const { id, secret } = await endpoint(['booking.created']);
    receiver.statuses.push(500, 500, 500);
    await book();
    await drain();
    expect(receiver.received).toHaveLength(1);
    // Not before it is due.
    t.clock.ms += 4_000;
    await drain();
    expect(receiver.received).toHaveLength(1);
    t.clock.ms += 1_000;
    await drain();
    expect(receiver.received).toHaveLength(2);
    t.clock.ms += 299_000;
    await drain();
    expect(receiver.received).toHaveLength(2);
    t.clock.ms += 1_000;
    await drain();
    expect(receiver.received).toHaveLength(3);
    t.clock.ms += 1_800_000;
    await drain();
    expect(receiver.received).toHaveLength(4);

    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const times = receiver.received.map((r) => Number(r.headers['webhook-timestamp']));
    expect(times.slice(1).map((s, i) => s - times[i]!)).toEqual([5, 300, 1800]);
    expect(receiver.received.every((r) => verifies(secret, r))).toBe(true);
    const deliveries = (await admin('GET', `/webhook-endpoints/${id}/deliveries`)).body.deliveries;
    expect(deliveries).toEqual([expect.objectContaining({ status: 'delivered', attempts: 4, lastStatusCode: 200, nextAttemptAt: null, eventId: ids.values().next().value })]);
  });

  it('keeps one booking’s events in order for an endpoint that fails', async () => {
    await endpoint(['booking.created', 'booking.rescheduled']);
    receiver.statuses.push(503);
    const code = await book();
    await drain();
    expect((await t.request('POST', `/api/bookings/${code}/reschedule`, { email: EMAIL, newDate: '2027-03-11', newTime: '10:00' })).status).toBe(200);
    await drain();
    // The move waits for the creation, retried in 5 s.
    expect(types()).toEqual(['booking.created']);
    t.clock.ms += 5_000;
    await drain();
    expect(types()).toEqual(['booking.created', 'booking.created', 'booking.rescheduled']);
  });

  it('turns the endpoint off on 410 Gone and sends it nothing more', async () => {
    const { id } = await endpoint(['booking.created']);
    receiver.statuses.push(410);
    await book();
    await drain();
    const after = (await admin('GET', `/webhook-endpoints/${id}`)).body.endpoint;
    expect(after).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410') });
    await book('2027-03-10', '14:00');
    t.clock.ms += 60_000;
    await drain();
    expect(receiver.received).toHaveLength(1);
    const deliveries = (await admin('GET', `/webhook-endpoints/${id}/deliveries`)).body.deliveries;
    expect(deliveries).toEqual([expect.objectContaining({ status: 'failed', attempts: 1, lastStatusCode: 410 })]);
  });

  it('signs with both secrets for 24 h after a rotation, then with the new one only', async () => {
    const { id, secret: old } = await endpoint(['booking.created']);
    const rotated = await admin('POST', `/webhook-endpoints/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).not.toBe(old);
    expect(rotated.body.endpoint.previousSecretValidUntil).toBe(new Date(t.clock.ms + 24 * 3_600_000).toISOString());
    await book();
    await drain();
    const during = receiver.received[0]!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(old, during)).toBe(true);
    expect(verifies(fresh, during)).toBe(true);

    t.clock.ms += 24 * 3_600_000 + 1_000;
    await book('2027-03-10', '14:00');
    await drain();
    const later = receiver.received[1]!;
    expect(String(later.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifies(fresh, later)).toBe(true);
    expect(verifies(old, later)).toBe(false);
  });

  it('refuses private addresses outside tests (SSRF guard), and plain HTTP', async () => {
    const production = makeWebhookSender();
    for (const url of ['https://127.0.0.1/hook', 'https://10.0.0.8/hook', 'https://169.254.169.254/latest', 'https://[::1]/hook', 'https://192.168.0.2:8443/x']) {
      expect(await production.checkUrl(url), url).toMatch(/réseau privé ou local/);
    }
    expect(await production.checkUrl(receiver.url())).toMatch(/https:\/\//);
    // At sending time too (an address that changed since it was checked): nothing reaches the receiver.
    const sent = await production.send(receiver.url().replace('http:', 'https:'), { id: 'x', timestampSec: 1, body: '{}', secrets: ['whsec_' + Buffer.alloc(32).toString('base64')] });
    expect(sent).toEqual({ error: expect.stringContaining('réseau privé ou local') });
    expect(receiver.received).toHaveLength(0);
  });

  it('writes nothing for an event type no endpoint wants, and the event once if the fan-out runs twice', async () => {
    await endpoint(['booking.cancelled']);
    await book();
    await drain();
    expect(receiver.received).toHaveLength(0);
    const events = await t.service.db.query<{ type: string }>('SELECT type FROM webhook_events');
    expect(events.map((e) => e.type)).toEqual(['booking.created']);
    // A fan-out claimed again (its worker died before marking it done) adds no second event nor delivery.
    await t.service.db.exec(`UPDATE outbox SET status = 'pending' WHERE topic = 'webhook.event'`);
    await drain();
    expect(await t.service.db.query('SELECT 1 FROM webhook_events')).toHaveLength(1);
    expect(await t.service.db.query('SELECT 1 FROM webhook_deliveries')).toHaveLength(0);
  });
  it('lists the same events for catching up, page by page, without an endpoint', async () => {
    const code = await book();
    expect((await t.request('POST', `/api/bookings/${code}/reschedule`, { email: EMAIL, newDate: '2027-03-11', newTime: '10:00' })).status).toBe(200);
    expect((await t.request('POST', `/api/bookings/${code}/cancel`, { email: EMAIL })).status).toBe(200);
    await drain();
    const first = await admin('GET', '/events?limit=2');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.events.map((e: { type: string }) => e.type)).toEqual(['booking.created', 'booking.rescheduled']);
    expect(first.body.events[1].payload).toMatchObject({ type: 'booking.rescheduled', version: 1, data: { previous: { date: '2027-03-10', time: '09:00' } } });
    const second = await admin('GET', `/events?after=${first.body.next}&limit=2`);
    expect(second.body.events.map((e: { type: string }) => e.type)).toEqual(['booking.cancelled', 'payment.refunded']);
    const end = await admin('GET', `/events?after=${second.body.next}`);
    expect(end.body).toEqual({ events: [], next: second.body.next });
    // Each event once across the pages, under the id its deliveries carry.
    expect(new Set([...first.body.events, ...second.body.events].map((e: { id: string }) => e.id)).size).toBe(4);
    expect((await admin('GET', '/events?after=abc')).body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'after' }] });
  });

  it('erasing a customer deletes the events that showed their details; the outbox never held them', async () => {
    await endpoint(['booking.cancelled']);
    const code = await book();
    expect((await t.request('POST', `/api/bookings/${code}/cancel`, { email: EMAIL })).status).toBe(200);
    await drain();
    expect(receiver.received).toHaveLength(1);
    expect((await admin('POST', '/customers/erase', { email: EMAIL })).status).toBe(200);
    expect((await admin('GET', '/events')).body.events).toEqual([]);
    const stored = JSON.stringify([await t.service.db.query('SELECT * FROM webhook_events'), await t.service.db.query("SELECT * FROM outbox WHERE topic LIKE 'webhook.%'")]);
    expect(stored).not.toMatch(/Jean|Martin|jean@example|612345678/);
  });

  // Last: a second business on the instance makes the public API ask for the business's address.
  it("answers another business's endpoint ids exactly as missing ones", async () => {
    const mine = await endpoint();
    const demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans ORDER BY created_at LIMIT 1'))[0]!.id;
    // Two businesses from here on (the last test of the suite): the customer names the demo's page.
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demo]);
    const other = await addBusiness(t.service.db, demo, `autre-${Date.now()}`, 'Autre plombier');
    const theirs = { authorization: `Bearer ${other.token}` };
    const unknown = '0b6f8d8e-4d6c-4b55-9d3e-3f3b3c3d3e3f';
    for (const [method, path, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { enabled: false }],
      ['DELETE', '', undefined],
      ['POST', '/rotate-secret', undefined],
      ['GET', '/deliveries', undefined],
    ] as const) {
      const foreign = await admin(method, `/webhook-endpoints/${mine.id}${path}`, body, theirs);
      const missing = await admin(method, `/webhook-endpoints/${unknown}${path}`, body, theirs);
      expect(foreign.status, `${method} ${path}`).toBe(404);
      expect(foreign.body).toEqual(missing.body);
    }
    expect((await admin('GET', '/webhook-endpoints', undefined, theirs)).body.endpoints).toEqual([]);
    await book('2027-03-10', '09:00', '/plomberie-dupont');
    await drain();
    expect((await admin('GET', '/events')).body.events).toHaveLength(1);
    expect((await admin('GET', '/events', undefined, theirs)).body).toEqual({ events: [], next: '0' });
    // Still there, untouched, for its own business.
    expect((await admin('GET', `/webhook-endpoints/${mine.id}`)).body.endpoint.enabled).toBe(true);
  });
});
