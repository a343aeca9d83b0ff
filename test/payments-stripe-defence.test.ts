import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingRow, bookingWith, deliver, drain, historyOf, stripeSuite, WEBHOOK_SECRET } from './helpers/stripe-service.ts';

/**
 * Defect 10 (issue 18): defence in depth on payments. A PaymentIntent's amount and currency
 * are checked against the booking's deposit before it confirms anything, and a webhook
 * signed too far in the future is refused like one signed too long ago.
 * Clock: Monday 2027-03-01 08:00 Paris. Deposit 1200 EUR (diag 4000 × 0.3).
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const DAY = '2027-03-10';
const EMAIL = 'jean@example.com';

describe.each(ENGINES)('defect 10, defence in depth on payments, on %s', (engine) => {
  const { t, fake } = stripeSuite(engine, START);
  /** A booking waiting for its 3-D Secure challenge, its intent open at the fake. */
  const challenge = async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    expect(res.status).toBe(202);
    const code = res.body.booking.publicCode as string;
    const row = await bookingRow(t, code);
    return { code, id: row.id, pi: fake.intentFor(row.id)! };
  };
  const slotTakenAgain = async () => (await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa', { customer: { name: 'Paul Durand', email: 'paul@example.com' } }))).status;

  it.each([
    ['an intent of 50 cents', { amount: 50 }],
    ['an intent in US dollars', { currency: 'usd' }],
  ])('a payment outcome ignoring the PaymentIntent amount and currency: %s never confirms a 1200-cent EUR deposit (webhook)', async (_label, change) => {
    const { code, id, pi } = await challenge();
    Object.assign(pi, change);
    fake.completeChallenge(pi.id, 'succeeded');
    expect((await deliver(t, fake, fake.lastEvent('payment_intent.succeeded', pi.id)!)).statusCode).toBe(200);
    await drain(t);
    const row = await bookingRow(t, code);
    expect(row.status).toBe('payment_failed');
    const history = await historyOf(t, id);
    expect(history).toContain('payment_amount_mismatch');
    expect(history).not.toContain('confirmed');
    // The existing failure path: the slot is free again, nobody is told of a confirmation.
    expect(await slotTakenAgain()).toBe(201);
    const told = await t.service.db.query(`SELECT 1 FROM mailbox WHERE booking_id = $1 AND kind = 'confirmed'`, [id]);
    expect(told).toHaveLength(0);
  });

  it('a payment outcome ignoring the PaymentIntent amount: the customer confirming after 3-D Secure is refused too', async () => {
    const { code, id, pi } = await challenge();
    pi.amount = 50;
    fake.completeChallenge(pi.id, 'succeeded');
    const res = await t.request('POST', `/api/bookings/${code}/payment/confirm`, { email: EMAIL });
    expect(res.status).toBe(402);
    expect(res.body.error.code).toBe('PAYMENT_DECLINED');
    expect((await bookingRow(t, code)).status).toBe('payment_failed');
    expect(await historyOf(t, id)).toContain('payment_amount_mismatch');
  });

  it('the right amount and currency still confirm', async () => {
    const { code, pi } = await challenge();
    fake.completeChallenge(pi.id, 'succeeded');
    await deliver(t, fake, fake.lastEvent('payment_intent.succeeded', pi.id)!);
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('confirmed');
  });

  it('webhook timestamps 400 s in the future are refused; a small skew is accepted', async () => {
    const { code, pi } = await challenge();
    fake.completeChallenge(pi.id, 'succeeded');
    const event = fake.lastEvent('payment_intent.succeeded', pi.id)!;
    const send = (offsetMs: number) => {
      const { payload, signature } = fake.signed(event, WEBHOOK_SECRET, t.clock.ms + offsetMs);
      return t.inject({ method: 'POST', url: '/api/webhooks/stripe', payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } });
    };
    const future = await send(400_000);
    expect(future.statusCode).toBe(400);
    expect(future.json()).toEqual({ error: { code: 'WEBHOOK_SIGNATURE_INVALID', message: expect.any(String) } });
    expect((await send(301_000)).statusCode).toBe(400);
    expect((await t.service.db.query(`SELECT 1 FROM payment_events`)).length).toBe(0);
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('awaiting_authentication');
    // A clock a little ahead of ours (within the 300 s tolerance) is still Stripe's.
    expect((await send(30_000)).statusCode).toBe(200);
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('confirmed');
  });
});
