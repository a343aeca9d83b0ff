import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * The embedded simulated provider (the default) runs the whole challenge path offline:
 * pm_card_threeDSecure2Required answers 202, the front's simulated bank page calls
 * POST /api/payments/simulated/authenticate, then POST …/payment/confirm.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const DAY = '2027-03-10';

describe.each(ENGINES)('simulated payments on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const confirm = (code: string) => t.request('POST', `/api/bookings/${code}/payment/confirm`, { email: 'jean@example.com' });

  it('is the default: config says simulated, no publishable key', async () => {
    expect((await t.request('GET', '/api/payments/config')).body).toEqual({ provider: 'simulated', publishableKey: null });
    expect((await t.request('POST', '/api/webhooks/stripe', {})).status).toBe(404);
  });

  it('pm_card_visa (and no payment method) confirm at once, deposit taken', async () => {
    const res = await t.request('POST', '/api/bookings', bookingBody(DAY, '09:00'));
    expect(res.status).toBe(201);
    expect(res.body.booking.deposit).toMatchObject({ paymentStatus: 'captured', paymentProvider: 'other' });
  });

  it('3-D Secure: 202, "Valider" on the simulated page, then confirm gives 200 confirmed', async () => {
    const res = await t.request('POST', '/api/bookings', bookingBody(DAY, '09:00', { paymentMethodId: 'pm_card_threeDSecure2Required' }));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({
      booking: { status: 'pending', deposit: { paymentStatus: 'pending' } },
      payment: { status: 'requires_action', provider: 'simulated', holdExpiresAt: new Date(START + 10 * 60_000).toISOString() },
    });
    const { clientSecret } = res.body.payment as { clientSecret: string };
    expect(clientSecret).toMatch(/^pi_.+_secret_.+/);
    const code = res.body.booking.publicCode as string;
    expect((await confirm(code)).status).toBe(202);
    const auth = await t.inject({ method: 'POST', url: '/api/payments/simulated/authenticate', payload: { clientSecret, outcome: 'succeeded' } });
    expect(auth.statusCode).toBe(204);
    const done = await confirm(code);
    expect(done.status).toBe(200);
    expect(done.body.booking).toMatchObject({ status: 'confirmed', deposit: { paymentStatus: 'captured' } });
    // The same secret cannot be answered twice, nor a made-up one.
    expect((await t.request('POST', '/api/payments/simulated/authenticate', { clientSecret, outcome: 'failed' })).status).toBe(404);
    expect((await t.request('POST', '/api/payments/simulated/authenticate', { clientSecret: `${clientSecret}x`, outcome: 'failed' })).status).toBe(404);
  });

  it('3-D Secure "Refuser": confirm gives 402 PAYMENT_DECLINED and the slot is free', async () => {
    const res = await t.request('POST', '/api/bookings', bookingBody(DAY, '09:00', { paymentMethodId: 'pm_card_threeDSecure2Required' }));
    await t.request('POST', '/api/payments/simulated/authenticate', { clientSecret: res.body.payment.clientSecret, outcome: 'failed' });
    const done = await confirm(res.body.booking.publicCode);
    expect(done.status).toBe(402);
    expect(done.body.error.code).toBe('PAYMENT_DECLINED');
    expect((await t.request('POST', '/api/bookings', bookingBody(DAY, '09:00'))).status).toBe(201);
  });

  it('bad authenticate body: 400 in French', async () => {
    const res = await t.request('POST', '/api/payments/simulated/authenticate', { clientSecret: 'x', outcome: 'maybe' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });
});
