import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxQueue } from '../src/adapters/outbox/outbox-queue.ts';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/main.ts';
import { adminHeaders } from './helpers/admin.ts';
import { ENGINES, resetBookings } from './helpers/db.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';
import { TestSmtp, type ReceivedMail } from './helpers/smtp.ts';
import { addBusiness, type TestBusiness } from './helpers/tenants.ts';

/**
 * Maintenance invitations on a test clock (issue 22 items 5 and 7): a boiler service done on
 * Wednesday 2027-03-03 with the customer's « Me proposer le prochain entretien » falls due on
 * Friday 2028-03-03; the invitation goes 6 weeks before (Friday 2028-01-21, 9:00 in Paris =
 * 08:00Z), the reminder 2 weeks after it (2028-02-04 08:00Z) if nothing is booked. Messages
 * are read from the real SMTP server the test starts.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'mme.girard@example.com';
const ADDRESS = { street: '3 rue des Chaudières', postalCode: '69003', city: 'Lyon' };
const PUBLIC = '/plomberie-dupont/api';

describe.each(ENGINES)('maintenance invitations on %s', (engine) => {
  const smtp = new TestSmtp();
  let t: TestService;
  let other: TestBusiness;
  /** When set, the worker "dies" after handling a job: it never marks it done. */
  let dieBeforeMarking = false;
  const admin = adminHeaders();

  beforeAll(async () => {
    await smtp.start();
    t = await startTestService(engine, {
      env: { SMTP_URL: smtp.url },
      outbox: (queue: OutboxQueue): OutboxQueue => ({ ...queue, complete: async (...args) => (dieBeforeMarking ? undefined : queue.complete(...args)) }),
    });
    const demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demo]);
    other = await addBusiness(t.service.db, demo, 'chauffage-martin', 'Chauffage Martin');
    for (const id of ['diag', 'urgence']) {
      const set = await t.request('PATCH', `/api/admin/services/${id}`, { maintenanceIntervalMonths: 12 }, admin);
      expect(set.status, JSON.stringify(set.body)).toBe(200);
    }
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });
  beforeEach(async () => {
    t.clock.ms = START;
    dieBeforeMarking = false;
    await resetBookings(t.service.db);
    smtp.received = [];
  });

  const book = async (date: string, time: string, overrides: Record<string, unknown> = {}): Promise<string> => {
    const res = await t.request('POST', `${PUBLIC}/bookings`, bookingBody(date, time, overrides));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };
  const bookWithConsent = async (time: string, serviceId = 'diag', sms = false): Promise<string> => {
    const { version } = (await t.request('GET', `${PUBLIC}/artisan`)).body.artisan.terms;
    return book('2027-03-03', time, {
      serviceId,
      consent: { termsVersion: version, nextVisit: true },
      customer: { name: 'Mme Girard', email: EMAIL, phone: '+33698765432', address: ADDRESS },
      notifications: { email: true, sms },
    });
  };
  const mark = async (code: string, outcome: 'completed' | 'no_show') => {
    const res = await t.request('POST', `/api/admin/bookings/${code}/outcome`, { outcome }, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.booking;
  };
  const dueVisits = async (headers = admin, query = '') => (await t.request('GET', `/api/admin/due-visits${query}`, undefined, headers)).body.dueVisits as Record<string, any>[];
  const at = async (iso: string): Promise<void> => {
    t.clock.set(iso);
    await t.service.worker.runOnce();
  };
  /** What reached the customer about maintenance (their booking's own messages left aside). */
  const invitations = (): ReceivedMail[] => smtp.to(EMAIL).filter((m) => m.mail.headers.get('x-artisanconnect-kind')?.toString().startsWith('maintenance_'));
  const linkIn = (mail: ReceivedMail, pattern: RegExp): string => {
    const found = pattern.exec(mail.mail.text ?? '');
    expect(found, mail.mail.text).not.toBeNull();
    return found![0];
  };
  const tokenOf = (url: string): string => new URL(url).searchParams.get('entretien') ?? new URL(url).searchParams.get('jeton')!;
  /** A boiler service done on 3 March 2027, the customer having ticked the box. */
  const doneVisit = async (time = '09:00', serviceId = 'diag', sms = false): Promise<string> => {
    const code = await bookWithConsent(time, serviceId, sms);
    t.clock.set('2027-03-03T12:00:00Z');
    await mark(code, 'completed');
    // The booking's own messages go now, not in the same pass as the invitation.
    await t.service.worker.runOnce();
    return code;
  };

  it('completed → due at +12 months → invited at −6 weeks → reminded at −4 weeks → booked through the link: the item closes; cancelling that booking reopens it', async () => {
    await doneVisit();
    expect((await dueVisits()).map((v) => [v.dueOn, v.status])).toEqual([['2028-03-03', 'due']]);

    // Nothing before its time: the day before at 8:59 in Paris.
    await at('2028-01-21T07:59:00Z');
    expect(invitations()).toEqual([]);
    await at('2028-01-21T08:00:00Z');
    expect(invitations()).toHaveLength(1);
    const invitation = invitations()[0]!;
    expect(invitation.mail.subject).toBe('Il est temps de prévoir votre prochain entretien « Diagnostic et audit complet » avec Marc Dupont - Plomberie');
    expect(invitation.mail.text).toContain('Bonjour Mme Girard,');
    expect(invitation.mail.text).toContain('à prévoir vers le vendredi 3 mars 2028');
    expect(invitation.mail.text).toContain('3 rue des Chaudières, 69003 Lyon');
    const bookingLink = linkIn(invitation, /https?:\/\/\S+\/plomberie-dupont\?entretien=\S+/);
    const optOutLink = linkIn(invitation, /https?:\/\/\S+\/entretien\/stop\?jeton=\S+/);
    expect(tokenOf(bookingLink)).toBe(tokenOf(optOutLink));
    expect((await dueVisits())[0]).toMatchObject({ status: 'invited', invitedAt: '2028-01-21T08:00:00.000Z' });
    // Another pass sends nothing more.
    await at('2028-01-22T08:00:00Z');
    expect(invitations()).toHaveLength(1);

    // The reminder, two weeks later (4 weeks before the due date), when nothing is booked.
    await at('2028-02-04T07:59:00Z');
    expect(invitations()).toHaveLength(1);
    await at('2028-02-04T08:00:00Z');
    expect(invitations()).toHaveLength(2);
    const reminder = invitations()[1]!;
    expect(reminder.mail.subject).toBe('Rappel : votre prochain entretien « Diagnostic et audit complet » avec Marc Dupont - Plomberie');
    expect(linkIn(reminder, /https?:\/\/\S+\/plomberie-dupont\?entretien=\S+/)).toBe(bookingLink);

    // The link opens the booking page on the visit: service, address and contacts, the days around the due date.
    const opened = await t.request('GET', `${PUBLIC}/maintenance/visit?token=${tokenOf(bookingLink)}`);
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(opened.body.visit).toEqual({
      businessName: 'Marc Dupont - Plomberie',
      serviceId: 'diag',
      serviceName: 'Diagnostic et audit complet',
      dueOn: '2028-03-03',
      from: '2028-02-25',
      to: '2028-03-10',
      customer: { name: 'Mme Girard', email: EMAIL, phone: '+33698765432', address: ADDRESS },
    });
    const { version } = (await t.request('GET', `${PUBLIC}/artisan`)).body.artisan.terms;
    const v = opened.body.visit;
    const next = await book('2028-03-03', '10:00', { serviceId: v.serviceId, customer: v.customer, consent: { termsVersion: version, nextVisit: true } });
    expect((await dueVisits()).map((d) => [d.dueOn, d.status])).toEqual([['2028-03-03', 'booked']]);
    // Closed: no message goes any more.
    await at('2028-02-20T08:00:00Z');
    expect(invitations()).toHaveLength(2);

    // Cancelling that booking makes the visit due again (invited, its date not passed yet).
    expect((await t.request('POST', `${PUBLIC}/bookings/${next}/cancel`, { email: EMAIL })).status).toBe(200);
    expect((await dueVisits()).map((d) => [d.dueOn, d.status])).toEqual([['2028-03-03', 'invited']]);
    // …and overdue once its date has passed.
    t.clock.set('2028-03-04T10:00:00Z');
    expect((await dueVisits()).map((d) => d.status)).toEqual(['overdue']);
  });

  it('an SMS too when the customer accepted SMS and the plan includes them (the embedded mailbox without Twilio), none on a plan without', async () => {
    await doneVisit('09:00', 'diag', true);
    await at('2028-01-21T08:00:00Z');
    const sms = await t.service.db.query<{ text_body: string }>(`SELECT text_body FROM mailbox WHERE channel = 'sms' AND kind = 'maintenance_invitation' AND recipient = '+33698765432'`);
    expect(sms).toHaveLength(1);
    const text = sms[0]!.text_body;
    // The service's name goes when it would take a third segment: the two links must stay whole.
    expect(text).toMatch(
      /^Marc Dupont - Plomberie : (?:Votre entretien "Diagnostic et audit complet" est à prévoir vers le 03\/03\/2028\. Réservez|entretien à prévoir vers le 03\/03\/2028) : \S+\/plomberie-dupont\?entretien=\S+ STOP : \S+\/entretien\/stop\?jeton=\S+$/,
    );
    expect(text.length).toBeLessThanOrEqual(306); // two SMS segments (GSM-7, no extended character)

    await resetBookings(t.service.db);
    const demo = (await t.service.db.query<{ id: string }>(`SELECT id FROM artisans WHERE slug = 'plomberie-dupont'`))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET plan = 'starter' WHERE id = $1`, [demo]);
    try {
      t.clock.ms = START;
      await doneVisit('09:00', 'diag', true);
      await at('2028-01-21T08:00:00Z');
      expect(invitations()).toHaveLength(2); // the e-mail of the first visit, then this one's
      expect(await t.service.db.query(`SELECT 1 FROM mailbox WHERE channel = 'sms' AND kind = 'maintenance_invitation'`)).toEqual([]);
    } finally {
      await t.service.db.query(`UPDATE artisans SET plan = 'pro' WHERE id = $1`, [demo]);
    }
  });

  it('a booking by phone closes the item too, and still does once moved', async () => {
    await doneVisit();
    await at('2028-01-21T08:00:00Z');
    // No e-mail given: the customer is recognised by their phone number.
    const phone = await t.request('POST', '/api/admin/bookings', { ...bookingBody('2028-02-29', '14:00'), customer: { name: 'Mme Girard', phone: '06 98 76 54 32' }, notifications: { email: false, sms: false } }, admin);
    expect(phone.status, JSON.stringify(phone.body)).toBe(201);
    expect((await dueVisits()).map((d) => d.status)).toEqual(['booked']);
    // Moved to another day, it still takes the visit.
    const moved = await t.request('POST', `/api/admin/bookings/${phone.body.booking.publicCode}/reschedule`, { newDate: '2028-03-02', newTime: '10:00' }, admin);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect((await dueVisits()).map((d) => d.status)).toEqual(['booked']);
    await at('2028-02-04T08:00:00Z');
    expect(invitations()).toHaveLength(1); // no reminder
  });

  it('a no-show keeps the deposit and opens no visit: nothing is ever sent', async () => {
    const code = await bookWithConsent('09:00');
    t.clock.set('2027-03-03T08:20:00Z');
    const booking = await mark(code, 'no_show');
    expect(booking.deposit).toMatchObject({ amountCents: 1200, paymentStatus: 'captured', refundedCents: 0 });
    expect(await dueVisits()).toEqual([]);
    await at('2028-01-21T08:00:00Z');
    await at('2028-02-04T08:00:00Z');
    expect(invitations()).toEqual([]);
  });

  it('the opt-out link, with no sign-in, stops the reminder at once and says so in French', async () => {
    await doneVisit();
    await at('2028-01-21T08:00:00Z');
    const optOutLink = linkIn(invitations()[0]!, /https?:\/\/\S+\/entretien\/stop\?jeton=\S+/);
    const page = await t.inject({ method: 'GET', url: `/entretien/stop?jeton=${tokenOf(optOutLink)}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('lang="fr"');
    expect(page.body).toContain('Marc Dupont - Plomberie ne vous enverra plus d’invitation');
    expect((await dueVisits()).map((d) => d.status)).toEqual(['declined']);

    await at('2028-02-04T08:00:00Z');
    expect(invitations()).toHaveLength(1); // the invitation only: no reminder

    // A tampered token changes nothing and says the link is not valid.
    const token = tokenOf(optOutLink);
    const tampered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    const refused = await t.inject({ method: 'GET', url: `/entretien/stop?jeton=${tampered}` });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Ce lien n&#39;est pas valide');
    const visit = await t.request('GET', `/api/maintenance/visit?token=${tampered}`);
    expect(visit.status).toBe(400);
    expect(visit.body.error.code).toBe('INVITATION_LINK_INVALID');
  });

  it('two appliances, two instances and a worker dying after sending: one invitation listing both, never a second', async () => {
    const diag = await bookWithConsent('09:00', 'diag');
    const urgence = await bookWithConsent('11:00', 'urgence');
    t.clock.set('2027-03-03T12:00:00Z');
    await mark(diag, 'completed');
    await mark(urgence, 'completed');
    await t.service.worker.runOnce();
    expect((await dueVisits()).map((d) => d.serviceId).sort()).toEqual(['diag', 'urgence']);
    const second = await compose(loadConfig({ LOG_LEVEL: 'silent', SMTP_URL: smtp.url, SEED_DEMO: 'false' }), { db: t.service.db, clock: t.clock });
    try {
      t.clock.set('2028-01-21T08:00:00Z');
      // The first worker sends and dies before marking its job done; the second runs beside it.
      dieBeforeMarking = true;
      await Promise.all([t.service.worker.runOnce(), second.worker.runOnce()]);
      dieBeforeMarking = false;
      expect(invitations()).toHaveLength(1);
      const mail = invitations()[0]!;
      expect(mail.mail.subject).toBe('Il est temps de prévoir vos prochains entretiens avec Marc Dupont - Plomberie');
      expect(mail.mail.text).toContain('Diagnostic et audit complet : à prévoir vers le vendredi 3 mars 2028');
      expect(mail.mail.text).toContain('Intervention urgente : à prévoir vers le vendredi 3 mars 2028');

      // The abandoned claim is taken back after the lock timeout, by either instance: nothing new goes.
      t.clock.advance(6);
      await Promise.all([t.service.worker.runOnce(), second.worker.runOnce()]);
      t.clock.advance(6);
      await Promise.all([t.service.worker.runOnce(), second.worker.runOnce()]);
      expect(invitations()).toHaveLength(1);
      const jobs = await t.service.db.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM outbox WHERE topic = 'maintenance.invite' AND payload ->> 'step' = 'invitation' GROUP BY status`,
      );
      expect(jobs).toEqual([{ status: 'done', n: 2 }]);
      expect((await dueVisits()).map((d) => d.status)).toEqual(['invited', 'invited']);

      // One reminder too, listing both.
      t.clock.set('2028-02-04T08:00:00Z');
      await Promise.all([t.service.worker.runOnce(), second.worker.runOnce()]);
      expect(invitations()).toHaveLength(2);
      expect(invitations()[1]!.mail.subject).toBe('Rappel : vos prochains entretiens avec Marc Dupont - Plomberie');
    } finally {
      await second.close();
    }
  });

  it('the lead time is a setting of the business: invitations not sent yet follow it', async () => {
    await doneVisit();
    const set = await t.request('PATCH', '/api/admin/notification-settings', { maintenanceInviteWeeks: 8 }, admin);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.maintenanceInviteWeeks).toBe(8);
    expect((await t.request('PATCH', '/api/admin/notification-settings', { maintenanceInviteWeeks: 0 }, admin)).status).toBe(400);
    try {
      await at('2028-01-07T07:59:00Z'); // 8 weeks before: Friday 7 January 2028, 9:00 in Paris
      expect(invitations()).toEqual([]);
      await at('2028-01-07T08:00:00Z');
      expect(invitations()).toHaveLength(1);
    } finally {
      await t.request('PATCH', '/api/admin/notification-settings', { maintenanceInviteWeeks: 6 }, admin);
    }
  });

  it('a short interval is not proposed the day the visit is done: never before the middle of the interval', async () => {
    expect((await t.request('PATCH', '/api/admin/services/diag', { maintenanceIntervalMonths: 1 }, admin)).status).toBe(200);
    try {
      await doneVisit(); // 3 March 2027: due 3 April, half a month before is 19 March
      expect((await dueVisits()).map((v) => v.dueOn)).toEqual(['2027-04-03']);
      await at('2027-03-19T07:59:00Z');
      expect(invitations()).toEqual([]);
      await at('2027-03-19T08:00:00Z'); // 9:00 in Paris
      expect(invitations()).toHaveLength(1);
      expect(invitations()[0]!.mail.text).toContain('à prévoir vers le samedi 3 avril 2027');
    } finally {
      await t.request('PATCH', '/api/admin/services/diag', { maintenanceIntervalMonths: 12 }, admin);
    }
  });

  it("the office's list filters by month, status and zone; another business sees nothing and its token is refused", async () => {
    await doneVisit();
    expect(await dueVisits(admin, '?month=2028-03')).toHaveLength(1);
    expect(await dueVisits(admin, '?month=2028-04')).toEqual([]);
    expect(await dueVisits(admin, '?zone=69')).toHaveLength(1);
    expect(await dueVisits(admin, '?zone=75')).toEqual([]);
    expect(await dueVisits(admin, '?status=due')).toHaveLength(1);
    expect(await dueVisits(admin, '?status=invited')).toEqual([]);
    expect((await t.request('GET', '/api/admin/due-visits?month=2028-13', undefined, admin)).status).toBe(400);
    expect(await dueVisits({ authorization: `Bearer ${other.token}` })).toEqual([]);
  });

  it('the office invites by hand, moves a due date, closes an item and exports the list as CSV; another business\'s id answers as missing', async () => {
    await doneVisit();
    const [visit] = await dueVisits();
    const id = visit!.id as string;

    // Moved a month later: the invitation not sent yet follows (6 weeks before 2028-04-03: 2028-02-21).
    const moved = await t.request('PATCH', `/api/admin/due-visits/${id}`, { dueOn: '2028-04-03' }, admin);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.dueVisit).toMatchObject({ dueOn: '2028-04-03', status: 'due' });
    expect((await t.request('PATCH', `/api/admin/due-visits/${id}`, { dueOn: '2028-02-30' }, admin)).status).toBe(400);
    await at('2028-01-21T08:00:00Z');
    expect(invitations()).toEqual([]);

    // Invited by hand, at once.
    t.clock.set('2028-02-01T10:00:00Z');
    const invited = await t.request('POST', `/api/admin/due-visits/${id}/invite`, {}, admin);
    expect(invited.status, JSON.stringify(invited.body)).toBe(200);
    await t.service.worker.runOnce();
    expect(invitations()).toHaveLength(1);
    expect(invitations()[0]!.mail.text).toContain('à prévoir vers le lundi 3 avril 2028');
    expect((await dueVisits())[0]).toMatchObject({ status: 'invited', invitedAt: '2028-02-01T10:00:00.000Z' });

    // The CSV export, in French, with the list's filters.
    const csv = await t.inject({ method: 'GET', url: '/api/admin/due-visits/export?month=2028-04', headers: admin });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('entretiens-a-prevoir-2028-04.csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Échéance;État;Prestation;Client;E-mail;Téléphone;Adresse;Code postal;Ville;Technicien;Invitation envoyée;Relance envoyée;Motif de clôture;Réservation précédente');
    expect(lines[1]).toMatch(/^2028-04-03;Invité;Diagnostic et audit complet;Mme Girard;mme\.girard@example\.com;\+33698765432;3 rue des Chaudières;69003;Lyon;;2028-02-01T10:00:00\.000Z;;;AC-/);
    expect(lines).toHaveLength(2);
    const empty = await t.inject({ method: 'GET', url: '/api/admin/due-visits/export?month=2028-05', headers: admin });
    expect(empty.body.replace(/^\uFEFF/, '').trim().split('\r\n')).toHaveLength(1);

    // Closed: neither the reminder (15 February) nor the invitation first planned (21 February) goes, and it cannot be invited any more.
    const closed = await t.request('POST', `/api/admin/due-visits/${id}/close`, { reason: 'Client déménagé' }, admin);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.dueVisit).toMatchObject({ status: 'closed', closedReason: 'Client déménagé' });
    await at('2028-02-15T10:00:00Z');
    await at('2028-02-21T08:00:00Z');
    expect(invitations()).toHaveLength(1);
    const refused = await t.request('POST', `/api/admin/due-visits/${id}/invite`, {}, admin);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'DUE_VISIT_NOT_INVITABLE', message: 'Cet entretien est clôturé : il ne peut plus être invité.' });

    // Another business: exactly as a visit that does not exist.
    const theirs = { authorization: `Bearer ${other.token}` };
    const missing = await t.request('POST', '/api/admin/due-visits/00000000-0000-4000-8000-000000000000/invite', {}, theirs);
    expect(missing.status).toBe(404);
    for (const [method, url, body] of [
      ['POST', `/api/admin/due-visits/${id}/invite`, {}],
      ['POST', `/api/admin/due-visits/${id}/close`, {}],
      ['PATCH', `/api/admin/due-visits/${id}`, { dueOn: '2028-05-01' }],
    ] as const) {
      const res = await t.request(method, url, body, theirs);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(missing.body);
    }
    expect((await dueVisits())[0]).toMatchObject({ dueOn: '2028-04-03', status: 'closed' });
  });
});
