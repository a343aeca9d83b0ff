import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, resetBookings } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';
import { TestSmtp } from './helpers/smtp.ts';

/**
 * Issue 23 item 8, the messages keeping the screen's promises:
 * - a cancellation the artisan records for the customer (a late call) applies the customer's
 *   refund policy, and the booking's history says so; the artisan's own refunds in full;
 * - a message that could not be sent is shown in French (never the mail server's words) for
 *   the booking and the agenda, and can be sent again;
 * - the artisan may be alerted by SMS too, on a plan with SMS.
 * Real SMTP server; SMS to the embedded mailbox (no Twilio). Clock: Monday 2027-03-01 08:00
 * Paris; booking: diag, Wednesday 2027-03-03 09:00, deposit 12,00 €; default policy: 48 h or
 * more full refund, 24–48 h half, under 24 h nothing.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const CUSTOMER = 'jean@example.com';

describe.each(ENGINES)('cancellations for the customer, failed messages and SMS alerts on %s', (engine) => {
  const smtp = new TestSmtp();
  let t: TestService;
  beforeAll(async () => {
    await smtp.start();
    t = await startTestService(engine, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'Marc Dupont <rdv@artisanconnect.test>', OUTBOX_MAX_ATTEMPTS: '2' } });
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });
  beforeEach(async () => {
    await smtp.start();
    t.clock.ms = START;
    await resetBookings(t.service.db);
    await t.service.db.query(`UPDATE artisans SET plan = 'pro', notify_artisan_sms = false, notify_artisan_email = true`);
    smtp.received = [];
  });

  const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  const drain = async () => {
    while ((await t.service.worker.runOnce()) > 0);
  };
  const book = async (time = '09:00') => {
    const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', time));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };

  describe('cancelling from the back office', () => {
    it('on the customer’s behalf: their policy applies (half refunded at 25 h), the history says it, the customer is told with the reason', async () => {
      const code = await book();
      await drain();
      smtp.received = [];
      t.clock.set('2027-03-02T07:00:00Z');
      const res = await admin('POST', `/bookings/${code}/cancel`, { onBehalfOfCustomer: true, reason: 'Le client a appelé : empêchement' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.refund).toMatchObject({ refundCents: 600, retainedCents: 600, refundRate: 0.5 });
      expect(res.body.booking).toMatchObject({ status: 'cancelled', cancelledBy: 'customer', refundCents: 600 });
      const { history } = (await admin('GET', `/bookings/${code}`)).body;
      expect(history.find((h: any) => h.type === 'cancelled')).toMatchObject({ type: 'cancelled', actor: 'token:ADMIN_API_TOKEN', data: { onBehalfOfCustomer: true, refundCents: 600, reason: 'Le client a appelé : empêchement' } });
      await drain();
      const [mail] = smtp.to(CUSTOMER);
      expect(mail!.mail.text).toContain('Le client a appelé : empêchement');
      expect(mail!.mail.text).toContain('6,00 €');
      // The artisan recorded it: no alert to them about it.
      expect(smtp.to('marc.dupont@artisanconnect.test')).toEqual([]);
    });

    it('the artisan’s own cancellation refunds in full, at the same moment, and is not marked as the customer’s', async () => {
      const code = await book();
      t.clock.set('2027-03-02T07:00:00Z');
      const res = await admin('POST', `/bookings/${code}/cancel`, { onBehalfOfCustomer: false });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.refund).toMatchObject({ refundCents: 1200, retainedCents: 0, refundRate: 1 });
      expect(res.body.booking).toMatchObject({ cancelledBy: 'artisan' });
      const { history } = (await admin('GET', `/bookings/${code}`)).body;
      expect(history.find((h: any) => h.type === 'cancelled').data).not.toHaveProperty('onBehalfOfCustomer');
    });

    it('without the field, the artisan cancels (full refund); a non-boolean is a 400', async () => {
      const code = await book();
      t.clock.set('2027-03-03T06:00:00Z'); // 2 h before: the customer would get nothing
      const bad = await admin('POST', `/bookings/${code}/cancel`, { onBehalfOfCustomer: 'peut-être' });
      expect(bad.status).toBe(400);
      const res = await admin('POST', `/bookings/${code}/cancel`, {});
      expect(res.body.refund.refundCents).toBe(1200);
    });
  });

  it('a confirmation that could not be sent: French text for the booking and the agenda, no server words; retried, it arrives', async () => {
    await smtp.stop();
    const code = await book();
    await t.service.worker.runOnce();
    const forBooking = await admin('GET', `/failed-messages?bookingCode=${code}`);
    expect(forBooking.status, JSON.stringify(forBooking.body)).toBe(200);
    expect(forBooking.body.failedMessages).toEqual([
      {
        id: expect.any(String),
        bookingCode: code,
        customerName: 'Jean Martin',
        bookingStartDateTime: '2027-03-03T08:00:00.000Z',
        kind: 'confirmed',
        texts: ["L'e-mail de confirmation n'a pas pu être envoyé à Jean Martin.", "L'e-mail de confirmation qui vous était adressé n'a pas pu être envoyé."],
        state: 'retrying',
        nextAttemptAt: expect.any(String),
      },
    ]);
    expect(JSON.stringify(forBooking.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|SMTP|Error/);
    // The agenda's list (every booking still to come) holds it too.
    const all = await admin('GET', '/failed-messages');
    expect(all.body.failedMessages.map((m: any) => m.bookingCode)).toEqual([code]);

    // Second failure: the tries are over (OUTBOX_MAX_ATTEMPTS=2), it stays shown as such.
    t.clock.advance(1);
    await t.service.worker.runOnce();
    const dead = (await admin('GET', `/failed-messages?bookingCode=${code}`)).body.failedMessages[0];
    expect(dead.state).toBe('dead');
    expect(dead.nextAttemptAt).toBeUndefined();

    await smtp.start();
    const retried = await admin('POST', `/failed-messages/${dead.id}/retry`);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    await drain();
    expect(smtp.to(CUSTOMER)).toHaveLength(1);
    expect(smtp.to(CUSTOMER)[0]!.mail.subject).toMatch(/confirmé/i);
    expect((await admin('GET', `/failed-messages?bookingCode=${code}`)).body.failedMessages).toEqual([]);
    // Sent: retrying it again is a 404 in French, as is an unknown id or one that is not an id.
    for (const id of [dead.id, '00000000-0000-4000-8000-000000000000', 'nope']) {
      const again = await admin('POST', `/failed-messages/${id}/retry`);
      expect(again.status).toBe(404);
      expect(again.body.error).toMatchObject({ code: 'FAILED_MESSAGE_NOT_FOUND', message: expect.stringMatching(/n'est pas en échec/) });
    }
  });

  it('a failed message is sent at once when retried while it waits for its next automatic try', async () => {
    await smtp.stop();
    const code = await book();
    await t.service.worker.runOnce();
    const [m] = (await admin('GET', `/failed-messages?bookingCode=${code}`)).body.failedMessages;
    await smtp.start();
    expect((await admin('POST', `/failed-messages/${m.id}/retry`)).status).toBe(200);
    await t.service.worker.runOnce(); // the clock has not moved: due only because of the retry
    expect(smtp.to(CUSTOMER)).toHaveLength(1);
  });

  it('a bad booking code is a 400 with a French message', async () => {
    const res = await admin('GET', '/failed-messages?bookingCode=nope');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ field: 'bookingCode', message: expect.stringMatching(/AC-XXXXXX/) });
  });

  it('SMS alerts: new, moved and cancelled bookings reach the artisan by SMS when chosen, not what they did themselves', async () => {
    const settings = await admin('PATCH', '/notification-settings', { notifyArtisanSms: true });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    expect(settings.body).toMatchObject({ notifyArtisanSms: true, smsInPlan: true });
    const code = await book();
    await drain();
    const moved = await t.request('POST', `/api/bookings/${code}/reschedule`, { email: CUSTOMER, newDate: '2027-03-04', newTime: '10:00' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await drain();
    await t.request('POST', `/api/bookings/${code}/cancel`, { email: CUSTOMER });
    await drain();
    const phoneBooking = await admin('POST', '/bookings', bookingBody('2027-03-05', '09:00', { customer: { name: 'Mme Roux', email: 'roux@example.fr', phone: '+33611223344' } }));
    expect(phoneBooking.status).toBe(201);
    await drain();
    const sms = (await t.service.db.query<{ body: string; to_address: string }>(
      `SELECT text_body AS body, recipient AS to_address FROM mailbox WHERE channel = 'sms' AND recipient_kind = 'artisan' ORDER BY created_at`,
    ));
    expect(sms.map((s) => s.body)).toEqual([
      expect.stringMatching(new RegExp(`^Nouvelle réservation ${code} : Jean Martin, le .*Tel 06 12 34 56 78`)),
      expect.stringMatching(new RegExp(`^Réservation ${code} déplacée du .* au .*Jean Martin`)),
      expect.stringMatching(new RegExp(`^Réservation ${code} annulée : Jean Martin`)),
    ]);
    const [artisan] = await t.service.db.query<{ phone: string }>('SELECT phone FROM artisans');
    expect(new Set(sms.map((s) => s.to_address))).toEqual(new Set([artisan!.phone]));
  });

  it('SMS alerts are off by default, and cannot be chosen on a plan without SMS (400, in French)', async () => {
    expect((await admin('GET', '/notification-settings')).body).toMatchObject({ notifyArtisanSms: false, smsInPlan: true });
    await book();
    await drain();
    expect(await t.service.db.query(`SELECT 1 FROM mailbox WHERE channel = 'sms' AND recipient_kind = 'artisan'`)).toEqual([]);
    await t.service.db.query(`UPDATE artisans SET plan = 'starter'`);
    const refused = await admin('PATCH', '/notification-settings', { notifyArtisanSms: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0]).toMatchObject({ field: 'notifyArtisanSms', message: expect.stringMatching(/pas compris dans votre formule/) });
    expect((await admin('GET', '/notification-settings')).body).toMatchObject({ notifyArtisanSms: false, smsInPlan: false });
  });
});
