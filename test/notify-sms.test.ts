import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, resetBookings } from './helpers/db.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';
import { FakeTwilio } from './helpers/fake-twilio.ts';
import { adminHeaders } from './helpers/admin.ts';
import { isGsm7, smsSegments } from '../src/adapters/notify/french-format.ts';

/**
 * SMS through the official Twilio SDK, pointed at a local server in the Twilio API's shape
 * (TWILIO_API_BASE_URL). Rules: the customer opted in and gave a phone, and the artisan's plan
 * is pro or business (decisions §8: starter is e-mail only). Texts: GSM-7, at most 2 segments.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'twilio-test-auth-token';
const FROM = '+33757000000';

describe.each(ENGINES)('notification SMS through Twilio on %s', (engine) => {
  const twilio = new FakeTwilio();
  let t: TestService;

  beforeAll(async () => {
    await twilio.start();
    t = await startTestService(engine, {
      env: { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: FROM, TWILIO_API_BASE_URL: twilio.url, PUBLIC_BASE_URL: 'https://rdv.example.fr' },
    });
  });
  afterAll(async () => {
    await t?.close();
    await twilio.stop();
  });
  beforeEach(async () => {
    t.clock.ms = START;
    await resetBookings(t.service.db);
    await t.service.db.query(`UPDATE artisans SET plan = 'pro'`);
    twilio.requests = [];
    twilio.failNext = 0;
  });

  const book = async (customer: Record<string, unknown>, sms: boolean, date = '2027-03-10') => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, '09:00', { customer: { name: 'Jean Martin', email: 'jean@example.com', ...customer }, notifications: { email: true, sms } }));
    return res;
  };
  const drain = async () => {
    while ((await t.service.worker.runOnce()) > 0);
  };

  it('sends the confirmation with the SDK: E.164 number, From, Basic auth, short French text with the manage link', async () => {
    const res = await book({ phone: '06 12 34 56 78' }, true);
    expect(res.status).toBe(201);
    expect(res.body.booking.notifications).toEqual({ email: true, sms: true });
    await drain();
    expect(twilio.requests).toHaveLength(1);
    const [sent] = twilio.requests;
    expect(sent).toMatchObject({ method: 'POST', path: `/2010-04-01/Accounts/${SID}/Messages.json`, accountSid: SID, username: SID, password: TOKEN });
    expect(sent!.contentType).toContain('application/x-www-form-urlencoded');
    expect(sent!.form.To).toBe('+33612345678');
    expect(sent!.form.From).toBe(FROM);
    const body = sent!.form.Body!;
    expect(body).toContain('RDV confirmé le mer. 10/03 à 9 h');
    expect(body).toContain(res.body.booking.publicCode);
    expect(body).toMatch(/https:\/\/rdv\.example\.fr\/gerer\?token=[\w.-]+/);
    expect(isGsm7(body)).toBe(true);
    expect(smsSegments(body)).toBeLessThanOrEqual(2);
    const delivery = await t.service.db.query<{ provider_ref: string }>(`SELECT provider_ref FROM notification_deliveries WHERE channel = 'sms'`);
    expect(delivery[0]!.provider_ref).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('sends cancellation and reschedule SMS too', async () => {
    const res = await book({ phone: '+33612345678' }, true);
    const code = res.body.booking.publicCode as string;
    await drain();
    await t.request('POST', `/api/bookings/${code}/reschedule`, { email: 'jean@example.com', newDate: '2027-03-11', newTime: '10:00' });
    await drain();
    await t.request('POST', `/api/bookings/${code}/cancel`, { email: 'jean@example.com' });
    await drain();
    const bodies = twilio.requests.map((r) => r.form.Body!);
    expect(bodies).toHaveLength(3);
    expect(bodies[1]).toContain('RDV déplacé au jeu. 11/03 à 10 h');
    expect(bodies[2]).toContain('RDV du jeu. 11/03 à 10 h (Diagnostic et audit complet) annulé. Acompte remboursé : 12,00 €.');
    for (const b of bodies) expect(smsSegments(b)).toBeLessThanOrEqual(2);
  });

  it('the artisan cancels with a reason: the SMS carries it, within two segments', async () => {
    const res = await book({ phone: '+33612345678' }, true);
    const code = res.body.booking.publicCode as string;
    await drain();
    twilio.requests = [];
    const cancel = await t.request('POST', `/api/admin/bookings/${code}/cancel`, { reason: 'Véhicule en panne' }, adminHeaders());
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    await drain();
    const [body] = twilio.requests.map((r) => r.form.Body!);
    expect(body).toContain('Motif : Véhicule en panne.');
    expect(smsSegments(body!)).toBeLessThanOrEqual(2);
  });

  it('sends no SMS to a customer who did not opt in', async () => {
    expect((await book({ phone: '+33612345678' }, false)).status).toBe(201);
    await drain();
    expect(twilio.requests).toHaveLength(0);
  });

  it('starter plan: the booking is accepted, the response says no SMS, and none is sent', async () => {
    await t.service.db.query(`UPDATE artisans SET plan = 'starter'`);
    const res = await book({ phone: '+33612345678' }, true);
    expect(res.status).toBe(201);
    expect(res.body.booking.notifications).toEqual({ email: true, sms: false });
    await drain();
    expect(twilio.requests).toHaveLength(0);
  });

  it('a plan downgraded after the booking: no SMS goes out', async () => {
    expect((await book({ phone: '+33612345678' }, true)).status).toBe(201);
    await t.service.db.query(`UPDATE artisans SET plan = 'starter'`);
    await drain();
    expect(twilio.requests).toHaveLength(0);
  });

  it('SMS asked for without a phone: 400 on customer.phone', async () => {
    const res = await book({}, true);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'customer.phone' })]);
  });

  it('Twilio failing: retried later, sent once, and the e-mail already kept is not sent again', async () => {
    twilio.failNext = 1;
    await book({ phone: '+33612345678' }, true);
    await t.service.worker.runOnce();
    expect(twilio.requests).toHaveLength(1);
    const mails = async () => (await t.service.db.query(`SELECT 1 FROM mailbox WHERE channel = 'email' AND recipient_kind = 'customer'`)).length;
    expect(await mails()).toBe(1);
    t.clock.advance(1);
    await drain();
    expect(twilio.requests).toHaveLength(2);
    expect(await mails()).toBe(1);
    const job = await t.service.db.query<{ status: string; last_error: string }>(`SELECT status, last_error FROM outbox WHERE topic = 'notify.booking_confirmed'`);
    expect(job[0]!.status).toBe('done');
    expect(job[0]!.last_error).not.toContain('+33612345678');
  });
});
