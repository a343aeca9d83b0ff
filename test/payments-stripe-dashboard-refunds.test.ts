import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { bookingWith, deliver, drain, historyOf, stripeSuite } from './helpers/stripe-service.ts';
import type { TestService } from './helpers/service.ts';

/**
 * Defect 4 (issue 18): a cancellation after a partial refund made in the Stripe dashboard.
 * The artisan refunds part of a captured deposit from the dashboard; `charge.refunded` must
 * move the booking's refunded amount and payment status, a later cancellation refunds only
 * what the policy grants beyond it, the customer is told the real amounts, and a settlement
 * Stripe refuses (amount too large, already refunded) is reconciled against Stripe instead of
 * being retried until it is dead.
 * Clock: Monday 2027-03-01 08:00 Paris. Deposit 1200 (diag 4000 × 0.3); policy ≥ 48 h full,
 * 24–48 h half, under 24 h kept.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'jean@example.com';

async function cancelledMail(t: TestService, bookingId: string): Promise<string> {
  const rows = await t.service.db.query<{ text_body: string }>(
    `SELECT text_body FROM mailbox WHERE booking_id = $1 AND kind = 'cancelled' AND recipient = $2`,
    [bookingId, EMAIL],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.text_body.replace(/\s/g, ' ');
}

describe.each(ENGINES)('defect 4, a cancellation after a partial refund made in the Stripe dashboard, on %s', (engine) => {
  const { t, fake } = stripeSuite(engine, START);
  const book = async (date: string, status = 'succeeded') => {
    const res = await t.request('POST', '/api/bookings', bookingWith(date, '09:00', 'pm_card_visa'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const code = res.body.booking.publicCode as string;
    const pi = [...fake.intents.values()].find((i) => i.metadata.publicCode === code)!;
    expect(pi.status).toBe(status);
    return { code, id: pi.metadata.bookingId!, pi };
  };
  const lookup = async (code: string) => (await t.request('GET', `/api/bookings/public?code=${code}&email=${EMAIL}`)).body.booking;
  const cancel = (code: string) => t.request('POST', `/api/bookings/${code}/cancel`, { email: EMAIL });
  const refundsAsked = () => fake.requests.filter((r) => r.path === '/v1/refunds').map((r) => r.form.amount);
  const deadJobs = async () => (await t.service.db.query(`SELECT 1 FROM outbox WHERE status = 'dead'`)).length;

  it('charge.refunded from the dashboard sets the refunded amount and status; the cancellation then refunds only the rest', async () => {
    const { code, id, pi } = await book('2027-03-10'); // ≥ 48 h: the policy refunds everything
    expect((await deliver(t, fake, fake.refundFromDashboard(pi.id, 600))).statusCode).toBe(200);
    await drain(t);
    expect((await lookup(code)).deposit).toMatchObject({ paymentStatus: 'refunded', refundedCents: 600 });
    expect(await historyOf(t, id)).toContain('refund_confirmed');

    const res = await cancel(code);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.refund).toMatchObject({ refundCents: 600, alreadyRefundedCents: 600, retainedCents: 0 });
    expect(refundsAsked()).toEqual(['600']);
    expect(res.body.booking.deposit).toMatchObject({ paymentStatus: 'refunded', refundedCents: 1200 });
    await drain(t);
    t.clock.advance(60);
    await drain(t);
    expect(refundsAsked()).toEqual(['600']);
    expect(await deadJobs()).toBe(0);
    expect(fake.violations).toEqual([]);
    expect((await lookup(code)).deposit).toMatchObject({ paymentStatus: 'refunded', refundedCents: 1200 });
    const mail = await cancelledMail(t, id);
    expect(mail).toContain('Votre acompte de 12,00 € vous est intégralement remboursé');
    expect(mail).toContain('6,00 € vous ont déjà été remboursés');
    expect(mail).toContain('les 6,00 € restants vous sont remboursés');
  });

  it('refunded in full from the dashboard: the cancellation asks Stripe for nothing and says so', async () => {
    const { code, id, pi } = await book('2027-03-10');
    await deliver(t, fake, fake.refundFromDashboard(pi.id, 1200));
    await drain(t);
    expect((await lookup(code)).deposit).toMatchObject({ paymentStatus: 'refunded', refundedCents: 1200 });
    const res = await cancel(code);
    expect(res.status).toBe(200);
    expect(res.body.refund).toMatchObject({ refundCents: 0, alreadyRefundedCents: 1200, retainedCents: 0 });
    await drain(t);
    t.clock.advance(60);
    await drain(t);
    expect(refundsAsked()).toEqual([]);
    expect(await deadJobs()).toBe(0);
    expect(await cancelledMail(t, id)).toContain('Votre acompte de 12,00 € vous a déjà été intégralement remboursé.');
  });

  it('half-refund band after a dashboard refund of half: nothing more is refunded, the rest stays with the artisan', async () => {
    const { code, id, pi } = await book('2027-03-02'); // Tuesday 09:00, cancelled 25 h before: half
    await deliver(t, fake, fake.refundFromDashboard(pi.id, 600));
    await drain(t);
    const res = await cancel(code);
    expect(res.status).toBe(200);
    expect(res.body.refund).toMatchObject({ refundCents: 0, alreadyRefundedCents: 600, retainedCents: 600 });
    expect(res.body.booking.deposit).toMatchObject({ paymentStatus: 'refunded', refundedCents: 600 });
    await drain(t);
    expect(refundsAsked()).toEqual([]);
    const mail = await cancelledMail(t, id);
    expect(mail).toContain('Sur votre acompte de 12,00 €, 6,00 € vous ont déjà été remboursés');
    expect(mail).toContain('6,00 € restent acquis à');
    expect(mail).not.toContain('intégralement');
  });

  it('the dashboard refund webhook is lost: Stripe refuses the amount, the settlement reads Stripe and refunds only what is left', async () => {
    const { code, id, pi } = await book('2027-03-10');
    fake.refundFromDashboard(pi.id, 600); // its charge.refunded never arrives
    const res = await cancel(code);
    expect(res.status).toBe(200);
    await drain(t);
    t.clock.advance(60);
    await drain(t);
    // The first ask (all 1200) is refused; what Stripe says was refunded is recorded, the rest asked.
    expect(refundsAsked()).toEqual(['1200', '600']);
    expect(fake.refunds.filter((r) => r.payment_intent === pi.id).map((r) => r.amount)).toEqual([600, 600]);
    expect((await lookup(code)).deposit).toMatchObject({ paymentStatus: 'refunded', refundedCents: 1200 });
    expect(await deadJobs()).toBe(0);
    expect(await historyOf(t, id)).toEqual(expect.arrayContaining(['refund_reconciled', 'deposit_settled']));
  });

  it('refunded in full from the dashboard, webhook lost: charge_already_refunded is reconciled, not retried to dead', async () => {
    const { code, id, pi } = await book('2027-03-10');
    fake.refundFromDashboard(pi.id, 1200);
    expect((await cancel(code)).status).toBe(200);
    await drain(t);
    for (let i = 0; i < 6; i++) {
      t.clock.advance(60);
      await drain(t);
    }
    expect(refundsAsked()).toEqual(['1200']);
    expect((await lookup(code)).deposit).toMatchObject({ paymentStatus: 'refunded', refundedCents: 1200 });
    expect(await deadJobs()).toBe(0);
    const settleJobs = await t.service.db.query<{ status: string }>(`SELECT status FROM outbox WHERE topic = 'payment.settle'`);
    expect(settleJobs.map((j) => j.status)).toEqual(['done']);
    const history = await historyOf(t, id);
    expect(history).toContain('refund_reconciled');
    expect(history).not.toContain('refund_refused');
  });

  it('a settlement Stripe refuses with nothing to learn (authorisation captured from the dashboard): recorded for the artisan, never retried to dead', async () => {
    expect((await t.request('PATCH', '/api/admin/payment-settings', { captureStrategy: 'authorize' }, adminHeaders())).status).toBe(200);
    const { code, id, pi } = await book('2027-03-05', 'requires_capture'); // ≥ 48 h: the authorisation would be released
    // Captured from the dashboard: Stripe will refuse to cancel it.
    Object.assign(pi, { status: 'succeeded', amount_received: pi.amount, amount_capturable: 0 });
    expect((await cancel(code)).status).toBe(200);
    for (let i = 0; i < 6; i++) {
      t.clock.advance(60);
      await drain(t);
    }
    const cancels = fake.requests.filter((r) => r.path === `/v1/payment_intents/${pi.id}/cancel`);
    expect(cancels).toHaveLength(1);
    expect(await deadJobs()).toBe(0);
    expect(await historyOf(t, id)).toContain('refund_refused');
  });
});
