import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';
import { addBusiness } from './helpers/tenants.ts';
import { TEST_RECEIVERS, drainWebhooks, startReceiver, verifies, type Receiver } from './helpers/webhook-receiver.ts';

/**
 * The back office's view of an endpoint's deliveries (issue 21, item 6): the list with status,
 * response code and next retry, a replay, and a test event. Against an HTTP receiver the test
 * starts on the loopback; signatures checked with the official `standardwebhooks` package.
 * Clock: Monday 2027-03-01 08:00 Paris.
 */

const START = Date.parse('2027-03-01T07:00:00Z');

describe.each(ENGINES)('webhook deliveries, replay and test event on %s', (engine) => {
  const t = serviceForSuite(engine, START, { webhookTestReceivers: TEST_RECEIVERS });
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver.close());
  beforeEach(async () => {
    receiver.received.length = 0;
    receiver.statuses.length = 0;
    await t.service.db.exec('TRUNCATE webhook_deliveries, webhook_events, webhook_endpoints');
  });

  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers = adminHeaders()) => t.request(method, `/api/admin${url}`, body, headers);
  async function endpoint(eventTypes = ['booking.created']): Promise<{ id: string; secret: string }> {
    const res = await admin('POST', '/webhook-endpoints', { url: receiver.url(), description: 'Make', eventTypes });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.endpoint.id, secret: res.body.secret };
  }
  async function book(date = '2027-03-10', time = '09:00', prefix = ''): Promise<void> {
    const res = await t.request('POST', `${prefix}/api/bookings`, bookingBody(date, time));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const deliveries = async (id: string) => (await admin('GET', `/webhook-endpoints/${id}/deliveries`)).body.deliveries as Record<string, unknown>[];

  it('sends a signed test event to that endpoint only, shows its delivery, and keeps it out of the catch-up feed', async () => {
    const { id, secret } = await endpoint(['booking.cancelled']);
    const other = await endpoint(['booking.created']);
    const sent = await admin('POST', `/webhook-endpoints/${id}/test`);
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(sent.body.delivery).toMatchObject({ eventType: 'webhook.test', status: 'pending', attempts: 0, nextAttemptAt: new Date(START).toISOString(), lastStatusCode: null });
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(verifies(secret, got)).toBe(true);
    expect(got.json).toMatchObject({ type: 'webhook.test', version: 1, data: { endpointId: id } });
    expect(got.headers['webhook-id']).toBe(sent.body.delivery.eventId);
    expect(await deliveries(id)).toEqual([expect.objectContaining({ id: sent.body.delivery.id, status: 'delivered', attempts: 1, lastStatusCode: 200, nextAttemptAt: null })]);
    expect(await deliveries(other.id)).toEqual([]);
    expect((await admin('GET', '/events')).body.events).toEqual([]);
  });

  it('shows a failing delivery with its code and next retry, and replays it now with the same webhook-id', async () => {
    const { id, secret } = await endpoint();
    receiver.statuses.push(500);
    await book();
    await drainWebhooks(t);
    const [failing] = await deliveries(id);
    expect(failing).toMatchObject({ eventType: 'booking.created', status: 'pending', attempts: 1, lastStatusCode: 500, nextAttemptAt: new Date(START + 5_000).toISOString() });
    expect(failing!.lastError).toMatch(/500/);

    // Replayed before its retry is due: sent at once, and the planned retry does not send it again.
    const replayed = await admin('POST', `/webhook-endpoints/${id}/deliveries/${failing!.id}/replay`);
    expect(replayed.status, JSON.stringify(replayed.body)).toBe(202);
    expect(replayed.body.delivery).toMatchObject({ id: failing!.id, status: 'pending', attempts: 0, nextAttemptAt: new Date(START).toISOString() });
    await drainWebhooks(t);
    t.clock.ms += 60_000;
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    expect(verifies(secret, receiver.received[1]!)).toBe(true);
    expect(await deliveries(id)).toEqual([expect.objectContaining({ id: failing!.id, status: 'delivered', attempts: 1, lastStatusCode: 200, nextAttemptAt: null })]);

    // A delivered one can be sent again too (a receiver that lost it).
    expect((await admin('POST', `/webhook-endpoints/${id}/deliveries/${failing!.id}/replay`)).status).toBe(202);
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(3);
    expect(receiver.received[2]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);
  });

  it('refuses a test event or a replay for a disabled endpoint, with the reason', async () => {
    const { id } = await endpoint();
    await book();
    await drainWebhooks(t);
    const [delivery] = await deliveries(id);
    expect((await admin('PATCH', `/webhook-endpoints/${id}`, { enabled: false })).status).toBe(200);
    for (const path of ['/test', `/deliveries/${delivery!.id}/replay`]) {
      const res = await admin('POST', `/webhook-endpoints/${id}${path}`);
      expect(res.status, path).toBe(409);
      expect(res.body.error).toEqual({ code: 'WEBHOOK_ENDPOINT_DISABLED', message: expect.stringContaining('désactivé') });
    }
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(1);
  });

  it('documents the routes in the OpenAPI document, under the webhooks:manage scope', async () => {
    const doc = (await t.request('GET', '/api/openapi.json')).body;
    for (const [path, status] of [
      ['/api/admin/webhook-endpoints/{id}/deliveries', '200'],
      ['/api/admin/webhook-endpoints/{id}/test', '202'],
      ['/api/admin/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', '202'],
    ] as const) {
      const op = doc.paths[path]?.[status === '200' ? 'get' : 'post'];
      expect(op, path).toBeDefined();
      expect(op.tags).toContain('Webhooks');
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining([status, '401', '404']));
    }
  });

  // Last: a second business on the instance makes the public API ask for the business's address.
  it("answers another business's endpoint and delivery ids exactly as missing ones", async () => {
    const mine = await endpoint();
    const sibling = await endpoint(['booking.cancelled']);
    await book();
    await drainWebhooks(t);
    const [delivery] = await deliveries(mine.id);
    const demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans ORDER BY created_at LIMIT 1'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demo]);
    const other = await addBusiness(t.service.db, demo, `autre-${Date.now()}`, 'Autre plombier');
    const theirs = { authorization: `Bearer ${other.token}` };
    const unknown = '0b6f8d8e-4d6c-4b55-9d3e-3f3b3c3d3e3f';
    for (const path of ['/test', `/deliveries/${delivery!.id}/replay`, '/deliveries']) {
      const method = path === '/deliveries' ? 'GET' : 'POST';
      const foreign = await admin(method, `/webhook-endpoints/${mine.id}${path}`, undefined, theirs);
      const missing = await admin(method, `/webhook-endpoints/${unknown}${path}`, undefined, theirs);
      expect(foreign.status, path).toBe(404);
      expect(foreign.body).toEqual(missing.body);
    }
    // Their own endpoint with my delivery's id: as missing as an unknown delivery.
    const theirEndpoint = await admin('POST', '/webhook-endpoints', { url: receiver.url(), eventTypes: ['booking.created'] }, theirs);
    expect(theirEndpoint.status).toBe(201);
    const foreignDelivery = await admin('POST', `/webhook-endpoints/${theirEndpoint.body.endpoint.id}/deliveries/${delivery!.id}/replay`, undefined, theirs);
    const missingDelivery = await admin('POST', `/webhook-endpoints/${theirEndpoint.body.endpoint.id}/deliveries/${unknown}/replay`, undefined, theirs);
    expect(foreignDelivery.status).toBe(404);
    expect(foreignDelivery.body).toEqual(missingDelivery.body);
    expect(foreignDelivery.body.error.code).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
    // My other endpoint with this endpoint's delivery: missing too.
    expect((await admin('POST', `/webhook-endpoints/${sibling.id}/deliveries/${delivery!.id}/replay`)).status).toBe(404);
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(1);
  });
});
