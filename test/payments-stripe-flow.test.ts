import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingRow, bookingWith, deliver, drain, historyOf, stripeSuite } from './helpers/stripe-service.ts';

/**
 * The booking flow with PAYMENT_PROVIDER=stripe: the official SDK against a local
 * Stripe-compatible server. Clock: Monday 2027-03-01 08:00 Paris; bookings on Wednesday
 * 2027-03-10 (diag, 4000 cents, deposit 1200).
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const DAY = '2027-03-10';
const FRENCH = /[àâçéèêëîïôûùœ]/;

describe.each(ENGINES)('Stripe booking flow on %s', (engine) => {
  const { t, fake } = stripeSuite(engine, START);
  const slotFree = async (time: string) => {
    const res = await t.request('GET', `/api/availability?serviceId=diag&date=${DAY}`);
    return (res.body.slots as { time: string; available: boolean }[]).find((s) => s.time === time)!.available;
  };
  const confirm = (code: string, body: Record<string, string> = { email: 'jean@example.com' }) =>
    t.request('POST', `/api/bookings/${code}/payment/confirm`, body);

  it('GET /api/payments/config gives the provider and the publishable key, never a secret', async () => {
    const res = await t.request('GET', '/api/payments/config');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ provider: 'stripe', publishableKey: 'pk_test_artisanconnect123' });
    expect(JSON.stringify(res.body)).not.toMatch(/sk_test|whsec/);
    // The simulated bank page does not exist with Stripe.
    expect((await t.request('POST', '/api/payments/simulated/authenticate', { clientSecret: 'x', outcome: 'succeeded' })).status).toBe(404);
  });

  it('success: 201 confirmed, the deposit captured by a PaymentIntent sent as Stripe expects it', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.booking).toMatchObject({ status: 'confirmed', deposit: { amountCents: 1200, paymentStatus: 'captured', paymentProvider: 'stripe' } });
    const row = await bookingRow(t, res.body.booking.publicCode);
    const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/payment_intents')!;
    expect(create.form).toMatchObject({
      amount: '1200',
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: 'true',
      capture_method: 'automatic',
      'metadata[bookingId]': row.id,
      'metadata[publicCode]': res.body.booking.publicCode,
    });
    expect(create.idempotencyKey).toBe(`deposit-${row.id}`);
    expect(create.authorization).toBe('Bearer sk_test_artisanconnect123');
    expect(fake.violations).toEqual([]);
    expect(res.body.booking.deposit.paymentIntentId).toBe(fake.intentFor(row.id)!.id);
    expect(await slotFree('09:00')).toBe(false);
  });

  it('decline: 402 PAYMENT_DECLINED naming the reason in French, the hold released, nothing charged', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_chargeDeclinedInsufficientFunds'));
    expect(res.status).toBe(402);
    expect(res.body.error.code).toBe('PAYMENT_DECLINED');
    expect(res.body.error.message).toContain('provision insuffisante');
    expect(res.body.error.message).toMatch(FRENCH);
    expect(fake.charged()).toHaveLength(0);
    expect(await slotFree('09:00')).toBe(true);
    // Another card, same slot: it works.
    expect((await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa'))).status).toBe(201);
  });

  it('3-D Secure then confirm: 202 with the client secret and the slot held, then 200 confirmed', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const code = res.body.booking.publicCode as string;
    const pi = fake.intentFor((await bookingRow(t, code)).id)!;
    expect(res.body).toMatchObject({
      booking: { status: 'pending', deposit: { paymentStatus: 'pending' } },
      payment: { status: 'requires_action', clientSecret: pi.client_secret, provider: 'stripe', holdExpiresAt: new Date(START + 10 * 60_000).toISOString() },
    });
    expect(res.body.payment.clientSecret).toMatch(/^pi_.+_secret_.+/);
    expect(await slotFree('09:00')).toBe(false);
    // Before the customer finishes: still 202.
    expect((await confirm(code)).status).toBe(202);
    fake.completeChallenge(pi.id, 'succeeded');
    t.clock.advance(3); // fetching the SMS code
    const done = await confirm(code);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.booking).toMatchObject({ publicCode: code, status: 'confirmed', deposit: { paymentStatus: 'captured' } });
    // Asking again (or after the webhook) is the same answer.
    expect((await confirm(code)).body.booking.status).toBe('confirmed');
    expect(fake.charged()).toHaveLength(1);
  });

  it('3-D Secure failed: confirm answers 402 and the slot is free again', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    const code = res.body.booking.publicCode as string;
    fake.completeChallenge(fake.intentFor((await bookingRow(t, code)).id)!.id, 'failed');
    const done = await confirm(code);
    expect(done.status).toBe(402);
    expect(done.body.error.message).toContain('3-D Secure');
    expect(await slotFree('09:00')).toBe(true);
  });

  it('3-D Secure then webhook: the webhook confirms it first, the front then reads 200', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    const code = res.body.booking.publicCode as string;
    const row = await bookingRow(t, code);
    fake.completeChallenge(fake.intentFor(row.id)!.id, 'succeeded');
    const hook = await deliver(t, fake, fake.lastEvent('payment_intent.succeeded')!);
    expect(hook.statusCode).toBe(200);
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('confirmed');
    expect(await historyOf(t, row.id)).toEqual(['hold_taken', 'authentication_required', 'confirmed']);
    const done = await confirm(code);
    expect(done.status).toBe(200);
    expect(done.body.booking.status).toBe('confirmed');
  });

  it('3-D Secure then hold expiry: the slot is released, the PaymentIntent cancelled, confirm says 409', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    const code = res.body.booking.publicCode as string;
    const row = await bookingRow(t, code);
    const pi = fake.intentFor(row.id)!;
    // The recovery runs during the challenge: it leaves it alone.
    t.clock.advance(9);
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('awaiting_authentication');
    expect(pi.status).toBe('requires_action');
    t.clock.advance(2);
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('expired');
    expect(pi.status).toBe('canceled');
    expect(fake.requests.find((r) => r.path === `/v1/payment_intents/${pi.id}/cancel`)?.idempotencyKey).toBe(`cancel-${row.id}`);
    expect(await slotFree('09:00')).toBe(true);
    const late = await confirm(code);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('PAYMENT_HOLD_EXPIRED');
    expect(fake.charged()).toHaveLength(0);
  });

  it('confirm after expiry, before the recovery ran: 409 and the intent cancelled right then', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    const code = res.body.booking.publicCode as string;
    t.clock.advance(11);
    expect((await confirm(code)).status).toBe(409);
    expect(fake.intentFor((await bookingRow(t, code)).id)!.status).toBe('canceled');
  });

  it('confirm follows the lookup identity rules: wrong e-mail or unknown code is 404', async () => {
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_threeDSecure2Required'));
    const code = res.body.booking.publicCode as string;
    expect((await confirm(code, { email: 'autre@example.com' })).status).toBe(404);
    expect((await confirm('AC-ZZZZZZ')).status).toBe(404);
    expect((await confirm(code, {})).status).toBe(400);
  });

  it('Stripe timing out: 503 PAYMENT_UNAVAILABLE; the retry with the same Idempotency-Key charges once', async () => {
    fake.failNext('timeout', 2); // the SDK's own retry times out too
    fake.timeoutDelayMs = 1_500;
    const body = bookingWith(DAY, '09:00', 'pm_card_visa');
    const first = await t.request('POST', '/api/bookings', body, { 'idempotency-key': 'retry-1' });
    expect(first.status, JSON.stringify(first.body)).toBe(503);
    expect(first.body.error.code).toBe('PAYMENT_UNAVAILABLE');
    expect(fake.charged()).toHaveLength(1); // Stripe did charge before answering too late
    const retry = await t.request('POST', '/api/bookings', body, { 'idempotency-key': 'retry-1' });
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(retry.body.booking.status).toBe('confirmed');
    expect(fake.charged()).toHaveLength(1);
    expect(fake.intents.size).toBe(1);
    const creates = fake.requests.filter((r) => r.path === '/v1/payment_intents');
    expect(new Set(creates.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(creates.some((r) => r.replayed)).toBe(true);
  });

  it('Stripe down: 503, the hold kept for the recovery, which confirms it once Stripe is back', async () => {
    fake.outage = 'down';
    const res = await t.request('POST', '/api/bookings', bookingWith(DAY, '09:00', 'pm_card_visa'));
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).not.toMatch(/ECONN|stripe\.com|127\.0\.0\.1/);
    fake.outage = undefined;
    t.clock.advance(11);
    await drain(t);
    const rows = await t.service.db.query<{ status: string }>(`SELECT status FROM bookings`);
    expect(rows.map((r) => r.status)).toEqual(['confirmed']);
    expect(fake.charged()).toHaveLength(1);
  });
});
