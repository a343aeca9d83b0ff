import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/main.ts';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { STRIPE_ENV, bookingRow, bookingWith, deliver, drain, historyOf, stripeSuite } from './helpers/stripe-service.ts';

/**
 * Capture strategy, refunds by policy on captured and authorised-only deposits, artisan
 * cancellation, concurrent cancels, late success after expiry, reconciliation, reschedule.
 * Clock: Monday 2027-03-01 08:00 Paris (07:00Z). Default policy: ≥ 48 h full, 24–48 h half,
 * under 24 h kept. Deposit 1200 (diag 4000 × 0.3).
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'jean@example.com';

describe.each(ENGINES)('Stripe capture and refunds on %s', (engine) => {
  const { t, fake } = stripeSuite(engine, START);
  const book = async (date: string, time = '09:00', pm = 'pm_card_visa') => {
    const res = await t.request('POST', '/api/bookings', bookingWith(date, time, pm));
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    const code = res.body.booking.publicCode as string;
    const row = await bookingRow(t, code);
    return { code, id: row.id, pi: fake.intentFor(row.id)!, res };
  };
  const cancel = (code: string) => t.request('POST', `/api/bookings/${code}/cancel`, { email: EMAIL });
  const setStrategy = (captureStrategy: string) => t.request('PATCH', '/api/admin/payment-settings', { captureStrategy }, adminHeaders());
  const refundRequests = () => fake.requests.filter((r) => r.path === '/v1/refunds');

  it('GET/PATCH /api/admin/payment-settings: capture by default, authorize on request, bad value 400', async () => {
    expect((await t.request('GET', '/api/admin/payment-settings', undefined, adminHeaders())).body).toEqual({ captureStrategy: 'capture', provider: 'stripe' });
    expect((await setStrategy('authorize')).body.captureStrategy).toBe('authorize');
    expect((await t.request('GET', '/api/admin/payment-settings', undefined, adminHeaders())).body.captureStrategy).toBe('authorize');
    const bad = await setStrategy('later');
    expect(bad.status).toBe(400);
    expect((await t.request('GET', '/api/admin/payment-settings')).status).toBe(401);
  });

  describe('captured deposit: each refund band', () => {
    it.each([
      ['≥ 48 h before: full refund', '2027-03-10', 1200],
      ['24–48 h before: half refunded', '2027-03-02', 600], // Tue 09:00, cancelled 25 h before
      ['under 24 h: kept', '2027-03-01', 0], // today 17:00
    ])('%s', async (_label, date, expected) => {
      const { code, pi } = await book(date, date === '2027-03-01' ? '17:00' : '09:00');
      expect(pi.status).toBe('succeeded');
      const res = await cancel(code);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.refund.refundCents).toBe(expected);
      if (expected > 0) {
        expect(refundRequests().map((r) => r.form)).toEqual([{ payment_intent: pi.id, amount: String(expected) }]);
        expect(res.body.booking.deposit).toMatchObject({ paymentStatus: 'refunded', refundedCents: expected });
      } else {
        expect(refundRequests()).toEqual([]);
        expect(res.body.booking.deposit.paymentStatus).toBe('captured');
      }
      expect(fake.violations).toEqual([]);
    });
  });

  describe('authorised-only deposit (strategy authorize): each band', () => {
    it.each([
      ['≥ 48 h: the authorisation is released', '2027-03-05', 'canceled', 0],
      ['24–48 h: only the kept half is captured', '2027-03-02', 'succeeded', 600],
      ['under 24 h: all of it is captured', '2027-03-01', 'succeeded', 1200],
    ])('%s', async (_label, date, piStatus, captured) => {
      await setStrategy('authorize');
      const { code, pi, res } = await book(date, date === '2027-03-01' ? '17:00' : '09:00');
      expect(res.body.booking.deposit.paymentStatus).toBe('authorized');
      expect(pi.status).toBe('requires_capture');
      expect(fake.requests.find((r) => r.path === '/v1/payment_intents')!.form.capture_method).toBe('manual');
      expect((await cancel(code)).status).toBe(200);
      expect(pi.status).toBe(piStatus);
      expect(pi.amount_received).toBe(captured);
      expect(refundRequests()).toEqual([]);
      // No capture left scheduled for a cancelled booking.
      const jobs = await t.service.db.query<{ status: string }>(`SELECT status FROM outbox WHERE topic = 'payment.capture'`);
      expect(jobs.every((j) => j.status !== 'pending')).toBe(true);
    });
  });

  it('authorize: captured by the outbox when the appointment starts, even after a restart', async () => {
    await setStrategy('authorize');
    const { code, pi } = await book('2027-03-03');
    expect(pi.status).toBe('requires_capture');
    await drain(t);
    expect(pi.status).toBe('requires_capture'); // not before the start
    // "Restart": a second service on the same database; the first one's memory is gone.
    const config = loadConfig({ LOG_LEVEL: 'silent', ...STRIPE_ENV, STRIPE_API_URL: fake.url, SEED_DEMO: 'false' });
    const restarted = await compose(config, { db: t.service.db, clock: t.clock });
    try {
      t.clock.set('2027-03-03T08:00:00Z'); // Wednesday 09:00 Paris
      for (let i = 0; i < 5 && (await restarted.worker.runOnce()) > 0; i++);
      expect(pi.status).toBe('succeeded');
      expect(pi.amount_received).toBe(1200);
      expect((await bookingRow(t, code)).payment_status).toBe('captured');
      expect(fake.requests.find((r) => r.path === `/v1/payment_intents/${pi.id}/capture`)?.idempotencyKey).toMatch(/^capture-/);
    } finally {
      await restarted.worker.stop();
      await restarted.app.close();
    }
  });

  it('authorize, appointment more than 7 days out: captured at booking', async () => {
    await setStrategy('authorize');
    const { pi, res } = await book('2027-03-10');
    expect(pi.capture_method).toBe('automatic');
    expect(res.body.booking.deposit.paymentStatus).toBe('captured');
  });

  it('artisan cancellation refunds in full, even under 24 h', async () => {
    const { code, pi } = await book('2027-03-01', '17:00');
    const res = await t.request('POST', `/api/admin/bookings/${code}/cancel`, { reason: 'Malade' }, adminHeaders());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(refundRequests().map((r) => r.form)).toEqual([{ payment_intent: pi.id, amount: '1200' }]);
  });

  it('two cancels at once refund once', async () => {
    const { code, pi } = await book('2027-03-10');
    const answers = await Promise.all([cancel(code), cancel(code)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    await drain(t);
    t.clock.advance(5);
    await drain(t);
    expect(fake.refunds.filter((r) => r.payment_intent === pi.id)).toHaveLength(1);
  });

  it('a refund Stripe cannot take now is retried from the outbox, once', async () => {
    const { code, pi } = await book('2027-03-10');
    fake.outage = 'error500';
    const res = await cancel(code);
    expect(res.status).toBe(200);
    expect(res.body.booking.deposit.paymentStatus).toBe('captured'); // not yet
    fake.outage = undefined;
    t.clock.advance(1);
    await drain(t);
    expect(fake.refunds.filter((r) => r.payment_intent === pi.id).map((r) => r.amount)).toEqual([1200]);
    expect((await bookingRow(t, code)).payment_status).toBe('refunded');
  });

  it('reschedule never charges again: the deposit carries over', async () => {
    const { code, pi } = await book('2027-03-10');
    const before = fake.requests.length;
    const res = await t.request('POST', `/api/bookings/${code}/reschedule`, { email: EMAIL, newDate: '2027-03-11', newTime: '10:00' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.booking.deposit).toMatchObject({ paymentStatus: 'captured', paymentIntentId: pi.id });
    expect(fake.requests.length).toBe(before);
    expect(fake.intents.size).toBe(1);
  });

  it('a late success after the hold expired and the slot went to someone else: refunded in full, no double booking', async () => {
    const first = await book('2027-03-10', '09:00', 'pm_card_threeDSecure2Required');
    fake.outage = 'down'; // the cancellation at expiry cannot reach Stripe
    t.clock.advance(11);
    await drain(t);
    fake.outage = undefined;
    expect((await bookingRow(t, first.code)).status).toBe('expired');
    const second = await t.request('POST', '/api/bookings', bookingWith('2027-03-10', '09:00', 'pm_card_visa', { customer: { name: 'Paul Durand', email: 'paul@example.com' } }));
    expect(second.status).toBe(201);
    // The first customer finishes the challenge anyway, before the retried cancellation.
    fake.completeChallenge(first.pi.id, 'succeeded');
    await deliver(t, fake, fake.lastEvent('payment_intent.succeeded', first.pi.id)!);
    await drain(t);
    expect(fake.refunds.filter((r) => r.payment_intent === first.pi.id).map((r) => r.amount)).toEqual([1200]);
    const row = await bookingRow(t, first.code);
    expect(row).toMatchObject({ status: 'expired', payment_status: 'refunded', refund_cents: 1200 });
    expect(await historyOf(t, first.id)).toContain('late_payment_refunded');
    const active = await t.service.db.query(`SELECT 1 FROM bookings WHERE booking_holds_slot(status)`);
    expect(active).toHaveLength(1);
    // The customer is told, in French, that the money is returned in full.
    const told = await t.service.db.query<{ recipient: string; subject: string; text_body: string }>(
      `SELECT recipient, subject, text_body FROM mailbox WHERE booking_id = $1 AND kind = 'payment_refunded'`,
      [first.id],
    );
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ recipient: EMAIL, subject: expect.stringContaining('remboursé') });
    expect(told[0]!.text_body).toContain('intégralement remboursé');
    expect(told[0]!.text_body).toMatch(/12,00\s?€/);
  });

  it('reconciliation: a 3-D Secure success whose webhook was lost confirms the booking within a minute', async () => {
    // Later than any earlier test's clock: the job runs on the service's clock, once a minute.
    t.clock.set('2027-03-05T07:00:00Z');
    const { code, pi } = await book('2027-03-10', '09:00', 'pm_card_threeDSecure2Required');
    fake.completeChallenge(pi.id, 'succeeded'); // no webhook delivered, the front never calls confirm
    t.clock.advance(2);
    await drain(t);
    expect((await bookingRow(t, code)).status).toBe('confirmed');
  });

  it('reconciliation after a crash between the PaymentIntent and the database write: paid once, confirmed', async () => {
    fake.failNext('timeout', 2); // Stripe charges, the answer never reaches the database
    fake.timeoutDelayMs = 1_500;
    const res = await t.request('POST', '/api/bookings', bookingWith('2027-03-10', '09:00', 'pm_card_visa'));
    expect(res.status).toBe(503);
    const row = (await t.service.db.query<{ status: string; payment_intent_id: string | null }>(`SELECT status, payment_intent_id FROM bookings`))[0]!;
    expect(row).toEqual({ status: 'pending_payment', payment_intent_id: null });
    expect(fake.charged()).toHaveLength(1);
    t.clock.advance(11);
    await drain(t);
    const after = (await t.service.db.query<{ status: string; payment_status: string }>(`SELECT status, payment_status FROM bookings`))[0]!;
    expect(after).toEqual({ status: 'confirmed', payment_status: 'captured' });
    expect(fake.intents.size).toBe(1);
  });
});
