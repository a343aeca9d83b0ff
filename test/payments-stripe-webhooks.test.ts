import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { bookingRow, bookingWith, deliver, drain, historyOf, stripeSuite, WEBHOOK_SECRET } from './helpers/stripe-service.ts';

/**
 * POST /api/webhooks/stripe: signature on the raw body (constructEvent, 300 s), each event
 * stored once, processed through the outbox, the booking following the PaymentIntent's
 * status whatever the order of events; disputes flagged for the artisan.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const DAY = '2027-03-10';

describe.each(ENGINES)('Stripe webhooks on %s', (engine) => {
  const { t, fake } = stripeSuite(engine, START);
  const challenge = async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    expect(res.status).toBe(202);
    const code = res.body.booking.publicCode as string;
    const row = await bookingRow(t, code);
    return { code, id: row.id, pi: fake.intentFor(row.id)! };
  };
  const storedEvents = async () => (await t.service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM payment_events`))[0]!.n;

  it('a bad signature, a wrong secret or a stale timestamp: 400, nothing stored, nothing changes', async () => {
    const { code, pi } = await challenge();
    fake.completeChallenge(pi.id, 'succeeded');
    const event = fake.lastEvent('payment_intent.succeeded')!;
    const { payload, signature } = fake.signed(event, WEBHOOK_SECRET, t.clock.ms);
    const tampered = await t.inject({
      method: 'POST',
      url: '/api/webhooks/stripe',
      payload: payload.replace('"succeeded"', '"succeeded" '),
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json()).toEqual({ error: { code: 'WEBHOOK_SIGNATURE_INVALID', message: expect.any(String) } });
    expect((await deliver(t, fake, event, 'whsec_otherSecret')).statusCode).toBe(400);
    const unsigned = await t.inject({ method: 'POST', url: '/api/webhooks/stripe', payload, headers: { 'content-type': 'application/json' } });
    expect(unsigned.statusCode).toBe(400);
    // Signed 301 s before the service's now: outside the 300 s tolerance.
    const old = fake.signed(event, WEBHOOK_SECRET, t.clock.ms - 301_000);
    const stale = await t.inject({ method: 'POST', url: '/api/webhooks/stripe', payload: old.payload, headers: { 'content-type': 'application/json', 'stripe-signature': old.signature } });
    expect(stale.statusCode).toBe(400);
    expect(await storedEvents()).toBe(0);
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('awaiting_authentication');
  });

  it('the raw body is kept for this route only: other routes still parse JSON', async () => {
    expect((await t.request('POST', '/api/bookings', bookingWith(DAY, '10:00', 'pm_card_visa'))).status).toBe(201);
  });

  it('a replayed event is stored once and processed once', async () => {
    const { code, id, pi } = await challenge();
    fake.completeChallenge(pi.id, 'succeeded');
    const event = fake.lastEvent('payment_intent.succeeded')!;
    expect((await deliver(t, fake, event)).statusCode).toBe(200);
    expect((await deliver(t, fake, event)).statusCode).toBe(200);
    expect(await storedEvents()).toBe(1);
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('confirmed');
    expect((await deliver(t, fake, event)).statusCode).toBe(200);
    await drain(t);
    expect((await historyOf(t, id)).filter((h) => h === 'confirmed')).toHaveLength(1);
    const webhookJobs = await t.service.db.query<{ status: string }>(`SELECT status FROM outbox WHERE topic = 'payment.webhook'`);
    expect(webhookJobs.map((j) => j.status)).toEqual(['done']);
  });

  it('out of order: an old requires_action or payment_failed after the success never undoes it', async () => {
    const { code, pi } = await challenge();
    const early = fake.lastEvent('payment_intent.requires_action')!;
    fake.completeChallenge(pi.id, 'succeeded');
    const success = fake.lastEvent('payment_intent.succeeded')!;
    await deliver(t, fake, success);
    await deliver(t, fake, early);
    // A forged-looking but validly signed stale failure: the intent itself says succeeded.
    await deliver(t, fake, { ...success, id: 'evt_stale_failure', type: 'payment_intent.payment_failed', data: { object: { ...early.data.object, status: 'requires_payment_method' } } });
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('confirmed');
  });

  it('out of order: the failure arrives first, then an older requires_action: the slot is freed once', async () => {
    const { code, pi } = await challenge();
    const early = fake.lastEvent('payment_intent.requires_action')!;
    fake.completeChallenge(pi.id, 'failed');
    await deliver(t, fake, fake.lastEvent('payment_intent.payment_failed')!);
    await deliver(t, fake, early);
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('payment_failed');
    expect((await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa'))).status).toBe(201);
  });

  it('a crash mid-event loses nothing: the stored event is processed by the next worker pass', async () => {
    const { code, pi } = await challenge();
    fake.completeChallenge(pi.id, 'succeeded');
    fake.outage = 'error500'; // the worker cannot re-read the intent: the job fails and is retried
    await deliver(t, fake, fake.lastEvent('payment_intent.succeeded')!);
    await t.service.worker.runOnce();
    expect((await bookingRow(t, code)).status).toBe('awaiting_authentication');
    fake.outage = undefined;
    t.clock.advance(1); // past the retry backoff
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('confirmed');
  });

  it('charge.dispute.created flags the booking in the admin detail and its history', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa'));
    const code = res.body.booking.publicCode as string;
    const pi = fake.intentFor((await bookingRow(t, code)).id)!;
    expect((await deliver(t, fake, fake.dispute(pi.id, 'fraudulent'))).statusCode).toBe(200);
    await drain(t);
    const detail = await t.request('GET', `/api/admin/bookings/${code}`, undefined, adminHeaders());
    expect(detail.status).toBe(200);
    expect(detail.body.booking.dispute).toMatchObject({ reason: 'fraudulent', amountCents: 1200, status: 'needs_response' });
    expect(detail.body.history.map((h: { type: string }) => h.type)).toContain('dispute_opened');
    expect(detail.body.booking.status).toBe('confirmed');
  });
});
