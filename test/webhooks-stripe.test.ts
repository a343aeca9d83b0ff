import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import { ENGINES } from './helpers/db.ts';
import { bookingRow, bookingWith, deliver, drain, stripeSuite } from './helpers/stripe-service.ts';
import { TEST_RECEIVERS, drainWebhooks, startReceiver, verifies, type Receiver } from './helpers/webhook-receiver.ts';

/**
 * Webhook events of the paths that go through Stripe (issue 21): a booking confirmed after
 * 3-D Secure by Stripe's webhook, a hold that expires (a job), a refund made in the Stripe
 * dashboard, and Stripe redelivering an event. One event per change, none for a change that
 * did not happen. Clock: Monday 2027-03-01 08:00 Paris; diag, deposit 1200.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const DAY = '2027-03-10';

describe.each(ENGINES)('webhook events of the Stripe paths on %s', (engine) => {
  const { t, fake } = stripeSuite(engine, START, {}, { webhookTestReceivers: TEST_RECEIVERS });
  let receiver: Receiver;
  let secret: string;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver.close());
  beforeEach(async () => {
    receiver.received.length = 0;
    await t.service.db.exec('TRUNCATE webhook_deliveries, webhook_events, webhook_endpoints');
    const res = await t.request(
      'POST',
      '/api/admin/webhook-endpoints',
      { url: receiver.url(), eventTypes: ['booking.created', 'booking.confirmed', 'booking.cancelled', 'payment.refunded', 'payment.disputed'] },
      adminHeaders(),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    secret = res.body.secret as string;
  });
  const types = () => receiver.received.map((r) => r.json.type as string);
  const settle = async () => {
    await drain(t);
    await drainWebhooks(t);
  };

  it('a booking confirmed after 3-D Secure by Stripe’s webhook is one booking.confirmed, whoever confirms it first', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    expect(res.status).toBe(202);
    const code = res.body.booking.publicCode as string;
    await settle();
    // Waiting for the customer's authentication: not a booking yet.
    expect(types()).toEqual([]);
    const row = await bookingRow(t, code);
    fake.completeChallenge(fake.intentFor(row.id)!.id, 'succeeded');
    const event = fake.lastEvent('payment_intent.succeeded')!;
    expect((await deliver(t, fake, event)).statusCode).toBe(200);
    await settle();
    // Stripe sends it again, and the customer's page confirms too: nothing changes, nothing is sent.
    expect((await deliver(t, fake, event)).statusCode).toBe(200);
    expect((await t.request('POST', `/api/bookings/${code}/payment/confirm`, { email: 'jean@example.com' })).status).toBe(200);
    await settle();
    expect(types()).toEqual(['booking.confirmed']);
    expect(receiver.received[0]!.json.data.booking).toMatchObject({ publicCode: code, status: 'confirmed', deposit: { paymentStatus: 'captured' } });
    expect(verifies(secret, receiver.received[0]!)).toBe(true);
  });

  it('a hold whose 3-D Secure never ends expires (a job) without any event', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    const code = res.body.booking.publicCode as string;
    t.clock.advance(11);
    await settle();
    expect((await bookingRow(t, code)).status).toBe('expired');
    expect(types()).toEqual([]);
  });

  it('a refund from the Stripe dashboard is one payment.refunded, however often Stripe sends it; the cancellation then refunds the rest', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa'));
    expect(res.status).toBe(201);
    const code = res.body.booking.publicCode as string;
    const pi = fake.intentFor((await bookingRow(t, code)).id)!;
    const refund = fake.refundFromDashboard(pi.id, 600);
    expect((await deliver(t, fake, refund)).statusCode).toBe(200);
    await settle();
    expect((await deliver(t, fake, refund)).statusCode).toBe(200);
    await settle();
    expect(types()).toEqual(['booking.created', 'payment.refunded']);
    expect(receiver.received[1]!.json.data.refund).toEqual({ depositCents: 1200, amountCents: 600, totalRefundedCents: 600, outcome: 'refunded' });

    const cancelled = await t.request('POST', `/api/bookings/${code}/cancel`, { email: 'jean@example.com' });
    expect(cancelled.status).toBe(200);
    await settle();
    expect(types()).toEqual(['booking.created', 'payment.refunded', 'booking.cancelled', 'payment.refunded']);
    expect(receiver.received[2]!.json.data).toMatchObject({ cancellation: { actor: 'customer' }, refund: { decidedCents: 1200, totalRefundedCents: 600, outcome: 'pending' } });
    expect(receiver.received[3]!.json.data.refund).toEqual({ depositCents: 1200, amountCents: 600, totalRefundedCents: 1200, outcome: 'refunded' });
  });

  it('a chargeback (charge.dispute.created) is one payment.disputed with the dispute in the booking, however often Stripe sends it', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa'));
    expect(res.status).toBe(201);
    const code = res.body.booking.publicCode as string;
    const pi = fake.intentFor((await bookingRow(t, code)).id)!;
    const dispute = fake.dispute(pi.id, 'fraudulent');
    expect((await deliver(t, fake, dispute)).statusCode).toBe(200);
    await settle();
    expect((await deliver(t, fake, dispute)).statusCode).toBe(200);
    // Another event for the same chargeback (Stripe retried with a new id): still the one dispute.
    expect((await deliver(t, fake, fake.dispute(pi.id, 'fraudulent'))).statusCode).toBe(200);
    await settle();
    expect(types()).toEqual(['booking.created', 'payment.disputed']);
    const disputed = receiver.received[1]!;
    expect(verifies(secret, disputed)).toBe(true);
    expect(disputed.json.data.booking).toMatchObject({ publicCode: code, status: 'confirmed', dispute: { reason: 'fraudulent', amountCents: 1200, status: 'needs_response' } });
    const shown = await t.request('GET', `/api/admin/bookings/${code}`, undefined, adminHeaders());
    expect(disputed.json.data.booking).toEqual(shown.body.booking);
  });
});
