import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, resetBookings } from './helpers/db.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';
import { DEMO_ARTISAN_EMAIL, adminHeaders } from './helpers/admin.ts';
import { TestSmtp, calendarOf, manageLinkIn } from './helpers/smtp.ts';

/**
 * E-mail through a real SMTP server started by the test (smtp-server), parsed with mailparser,
 * the .ics with ical.js. Clock: Monday 2027-03-01 08:00 Paris. Booking: diag, Wednesday
 * 2027-03-10 09:00+01:00 (08:00Z–08:30Z), price 40,00 €, deposit 12,00 €.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const CUSTOMER = 'jean@example.com';

describe.each(ENGINES)('notification e-mails over SMTP on %s', (engine) => {
  const smtp = new TestSmtp();
  let t: TestService;

  beforeAll(async () => {
    await smtp.start();
    t = await startTestService(engine, {
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'Marc Dupont <rdv@artisanconnect.test>', PUBLIC_BASE_URL: 'https://rdv.example.fr' },
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });
  beforeEach(async () => {
    t.clock.ms = START;
    await resetBookings(t.service.db);
    smtp.received = [];
  });

  const book = async (overrides: Record<string, unknown> = {}, date = '2027-03-10', time = '09:00') => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time, overrides));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking as { publicCode: string };
  };
  const drain = async () => {
    while ((await t.service.worker.runOnce()) > 0);
  };

  it('confirms to the customer in French, with the manage link and the .ics (REQUEST, right start, end and UID)', async () => {
    const { publicCode } = await book();
    await drain();
    const [customer] = smtp.to(CUSTOMER);
    expect(smtp.to(CUSTOMER)).toHaveLength(1);
    const mail = customer!.mail;
    expect(mail.from?.text).toContain('rdv@artisanconnect.test');
    expect(mail.subject).toBe('Rendez-vous confirmé : Diagnostic et audit complet, mercredi 10 mars 2027 à 9 h');
    expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}\.customer-email@artisanconnect\.test>$/);
    for (const part of [mail.text!, mail.html as string]) {
      expect(part).toContain('Bonjour Jean Martin');
      expect(part).toContain('mercredi 10 mars 2027 à 9 h');
      expect(part).toContain('12,00 €');
      expect(part).toContain('28,00 €');
      expect(part).toContain(publicCode);
      expect(part).toContain('Marc Dupont - Plomberie');
    }
    const link = manageLinkIn(mail.text!);
    expect(link.startsWith('https://rdv.example.fr/gerer?token=')).toBe(true);
    expect(link).not.toContain('example.com');
    expect(mail.html).toContain(link.replace(/&/g, '&amp;'));
    const opened = await t.request('GET', `/api/bookings/manage?token=${new URL(link).searchParams.get('token')}`);
    expect(opened.status).toBe(200);
    expect(opened.body.booking).toMatchObject({ publicCode, status: 'confirmed', startDateTime: '2027-03-10T09:00:00+01:00' });

    const ics = calendarOf(mail);
    expect(ics).toMatchObject({ method: 'REQUEST', sequence: 0, start: '2027-03-10T08:00:00.000Z', end: '2027-03-10T08:30:00.000Z', status: 'CONFIRMED' });
    const id = (await t.service.db.query<{ id: string }>('SELECT id FROM bookings WHERE public_code = $1', [publicCode]))[0]!.id;
    expect(ics.uid).toBe(`${id}@artisanconnect`);
  });

  it('gives both sides the intervention address, in the message and as the event location', async () => {
    const address = { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' };
    await book({ customer: { name: 'Jean Martin', email: CUSTOMER, address } });
    await drain();
    for (const { mail } of [...smtp.to(CUSTOMER), ...smtp.to(DEMO_ARTISAN_EMAIL)]) {
      expect(mail.text).toContain("Adresse d'intervention : 12 rue des Lilas, 75011 Paris");
      expect(mail.html).toContain('12 rue des Lilas, 75011 Paris');
      expect(calendarOf(mail).location).toBe('12 rue des Lilas, 75011 Paris');
    }
    expect(smtp.to(CUSTOMER)[0]!.mail.text).toContain('Marc Dupont - Plomberie interviendra chez vous le mercredi 10 mars 2027 à 9 h.');
    expect(smtp.to(CUSTOMER)).toHaveLength(1);
    expect(smtp.to(DEMO_ARTISAN_EMAIL)).toHaveLength(1);
  });

  it('tells the artisan about the new booking, with the customer contact', async () => {
    const { publicCode } = await book();
    await drain();
    const mails = smtp.to(DEMO_ARTISAN_EMAIL);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.mail.subject).toBe(`Nouvelle réservation ${publicCode} : Diagnostic et audit complet, mercredi 10 mars 2027 à 9 h`);
    expect(mails[0]!.mail.text).toContain('Jean Martin a réservé « Diagnostic et audit complet » le mercredi 10 mars 2027 à 9 h.');
    expect(mails[0]!.mail.text).toContain(CUSTOMER);
    expect(mails[0]!.mail.messageId).toMatch(/\.artisan-email@/);
  });

  it('updates the .ics on reschedule (same UID, higher SEQUENCE) and cancels it (METHOD:CANCEL) with the deposit outcome', async () => {
    const { publicCode } = await book();
    await drain();
    const first = calendarOf(smtp.to(CUSTOMER)[0]!.mail);
    const moved = await t.request('POST', `/api/bookings/${publicCode}/reschedule`, { email: CUSTOMER, newDate: '2027-03-11', newTime: '10:00' });
    expect(moved.status).toBe(200);
    await drain();
    const rescheduled = smtp.to(CUSTOMER)[1]!.mail;
    expect(rescheduled.subject).toBe('Rendez-vous déplacé au jeudi 11 mars 2027 à 10 h');
    expect(rescheduled.text).toContain('Votre rendez-vous du mercredi 10 mars 2027 à 9 h a lieu désormais le jeudi 11 mars 2027 à 10 h.');
    expect(manageLinkIn(rescheduled.text!)).toContain('/gerer?token=');
    const second = calendarOf(rescheduled);
    expect(second).toMatchObject({ method: 'REQUEST', uid: first.uid, start: '2027-03-11T09:00:00.000Z', end: '2027-03-11T09:30:00.000Z' });
    expect(second.sequence).toBeGreaterThan(first.sequence);

    expect((await t.request('POST', `/api/bookings/${publicCode}/cancel`, { email: CUSTOMER })).status).toBe(200);
    await drain();
    const cancelled = smtp.to(CUSTOMER)[2]!.mail;
    expect(cancelled.subject).toBe('Rendez-vous annulé : Diagnostic et audit complet, jeudi 11 mars 2027 à 10 h');
    expect(cancelled.text).toContain('Votre acompte de 12,00 € vous est intégralement remboursé.');
    const third = calendarOf(cancelled);
    expect(third).toMatchObject({ method: 'CANCEL', uid: first.uid, status: 'CANCELLED' });
    expect(third.sequence).toBeGreaterThan(second.sequence);
    expect(smtp.to(DEMO_ARTISAN_EMAIL).map((m) => m.mail.subject)).toEqual([
      expect.stringMatching(/^Nouvelle réservation/),
      expect.stringMatching(/^Réservation AC-\w+ déplacée au jeudi 11 mars 2027 à 10 h$/),
      expect.stringMatching(/^Réservation AC-\w+ annulée/),
    ]);
  });

  it('says the deposit is kept on a late cancellation', async () => {
    const { publicCode } = await book();
    t.clock.set('2027-03-09T10:00:00Z'); // 22 h before
    expect((await t.request('POST', `/api/bookings/${publicCode}/cancel`, { email: CUSTOMER })).status).toBe(200);
    await drain();
    const cancelled = smtp.to(CUSTOMER).find((m) => m.mail.subject?.startsWith('Rendez-vous annulé'))!;
    expect(cancelled.mail.text).toContain('Votre acompte de 12,00 € reste acquis à Marc Dupont - Plomberie');
  });

  it('the artisan cancels: the customer is told with a full refund, the artisan gets no e-mail about it', async () => {
    const { publicCode } = await book();
    await drain();
    smtp.received = [];
    const res = await t.request('POST', `/api/admin/bookings/${publicCode}/cancel`, { reason: 'Empêchement' }, adminHeaders());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await drain();
    expect(smtp.to(DEMO_ARTISAN_EMAIL)).toHaveLength(0);
    const [mail] = smtp.to(CUSTOMER);
    expect(mail!.mail.text).toContain('Marc Dupont - Plomberie a dû annuler votre rendez-vous du mercredi 10 mars 2027 à 9 h.');
    expect(mail!.mail.text).toContain('Votre acompte de 12,00 € vous est intégralement remboursé.');
  });

  it('the artisan cancels with a reason: the customer reads it in the e-mail (text and HTML, escaped)', async () => {
    const { publicCode } = await book();
    await drain();
    smtp.received = [];
    const reason = 'Chaudière en panne chez un client <urgent> : je reviens vers vous';
    const res = await t.request('POST', `/api/admin/bookings/${publicCode}/cancel`, { reason }, adminHeaders());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await drain();
    const [mail] = smtp.to(CUSTOMER);
    expect(mail!.mail.text).toContain(`Motif : ${reason}`);
    expect(mail!.mail.html).toContain('Chaudière en panne chez un client &lt;urgent&gt; : je reviens vers vous');
  });

  it('a cancellation without a reason says none', async () => {
    const { publicCode } = await book();
    await drain();
    smtp.received = [];
    expect((await t.request('POST', `/api/admin/bookings/${publicCode}/cancel`, {}, adminHeaders())).status).toBe(200);
    await drain();
    expect(smtp.to(CUSTOMER)[0]!.mail.text).not.toContain('Motif');
  });

  it('escapes what the customer typed in the HTML part', async () => {
    await book({ customer: { name: 'Jean <script>alert("x")</script> & Cie', email: CUSTOMER } });
    await drain();
    for (const { mail } of smtp.received) {
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).toContain('Jean &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie');
    }
    expect(smtp.to(CUSTOMER)[0]!.mail.text).toContain('Bonjour Jean <script>alert("x")</script> & Cie,');
  });

  it('sends no e-mail to a customer who declined e-mails, and none to the artisan who turned them off', async () => {
    await book({ notifications: { email: false, sms: false } });
    await drain();
    expect(smtp.to(CUSTOMER)).toHaveLength(0);
    expect(smtp.to(DEMO_ARTISAN_EMAIL)).toHaveLength(1);
    const patched = await t.request('PATCH', '/api/admin/notification-settings', { notifyArtisanEmail: false }, adminHeaders());
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    smtp.received = [];
    await book({}, '2027-03-11');
    await drain();
    expect(smtp.to(DEMO_ARTISAN_EMAIL)).toHaveLength(0);
    expect(smtp.to(CUSTOMER)).toHaveLength(1);
    await t.request('PATCH', '/api/admin/notification-settings', { notifyArtisanEmail: true }, adminHeaders());
  });
});
