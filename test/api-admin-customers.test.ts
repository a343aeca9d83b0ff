import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, resetBookings } from './helpers/db.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';
import { FakeTwilio } from './helpers/fake-twilio.ts';
import { adminHeaders } from './helpers/admin.ts';

/**
 * Phone-only customers and finding a customer (issue 23 items 3 and 4): a phone booking
 * without e-mail (SMS or nothing as confirmation), the phone searched in any common format,
 * the customer lookup and file, private notes that never reach the customer, and a time the
 * artisan forces outside the offered slots, never over another booking.
 * Clock: Monday 2027-03-01 08:00 in Paris.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const MARKER = 'NOTE-PRIVEE-digicode-4821';

type Res = Awaited<ReturnType<TestService['request']>>;
function expectError(res: Res, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toMatch(/[àâçéèêëîïôûùœ]|\b(le|la|les|de|des|du|pas)\b/i);
}

describe.each(ENGINES)('phone-only customers, search, customer file and notes on %s', (engine) => {
  const twilio = new FakeTwilio();
  let t: TestService;
  const admin = adminHeaders();
  const slot = (date: string, time: string) => ({ serviceId: 'diag', date, time });
  /** The artisan's booking: without e-mail unless given, no message unless asked. */
  const phoneBooking = (body: Record<string, unknown>) => t.request('POST', '/api/admin/bookings', { notifications: { email: false, sms: false }, ...body }, admin);
  const drain = async () => {
    while ((await t.service.worker.runOnce()) > 0);
  };
  const leroy = { name: 'Mme Leroy', phone: '06 11 22 33 44', address: { street: '3 rue des Ormes', postalCode: '75012', city: 'Paris' } };

  beforeAll(async () => {
    await twilio.start();
    t = await startTestService(engine, {
      env: { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'twilio-test-auth-token', TWILIO_FROM: '+33757000000', TWILIO_API_BASE_URL: twilio.url, PUBLIC_BASE_URL: 'https://rdv.example.fr' },
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
  });

  it('takes a phone booking without e-mail, confirmed by SMS only; its manage link works, code + e-mail never finds it', async () => {
    const res = await phoneBooking({ ...slot('2027-03-10', '09:00'), customer: leroy, notifications: { sms: true } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.booking.customer).toEqual({ name: 'Mme Leroy', phone: '+33611223344', address: leroy.address });
    expect(res.body.booking.notifications).toEqual({ email: false, sms: true });
    await drain();
    expect(twilio.requests).toHaveLength(1);
    expect(twilio.requests[0]!.form.To).toBe('+33611223344');
    const mails = await t.service.db.query<{ recipient_kind: string }>(`SELECT recipient_kind FROM mailbox`);
    expect(mails.filter((m) => m.recipient_kind === 'customer')).toEqual([]);

    const code = res.body.booking.publicCode as string;
    expectError(await t.request('GET', `/api/bookings/public?code=${code}&email=${encodeURIComponent('leroy@example.com')}`), 404, 'BOOKING_NOT_FOUND');
    const token = /gerer\?token=([\w.-]+)/.exec(twilio.requests[0]!.form.Body!)![1]!;
    const managed = await t.request('GET', `/api/bookings/manage?token=${token}`);
    expect(managed.status).toBe(200);
    expect(managed.body.booking.customer.email).toBeUndefined();
    const moved = await t.request('POST', `/api/bookings/${code}/reschedule`, { token, newDate: '2027-03-11', newTime: '10:00' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const cancelled = await t.request('POST', `/api/bookings/${code}/cancel`, { token });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);

    // Without SMS asked: no message at all.
    await drain();
    twilio.requests = [];
    const silent = await phoneBooking({ ...slot('2027-03-12', '09:00'), customer: leroy, notifications: { sms: false } });
    expect(silent.status).toBe(201);
    expect(silent.body.booking.notifications).toEqual({ email: false, sms: false });
    await drain();
    expect(twilio.requests).toEqual([]);
  });

  it('refuses a booking without e-mail and without phone, an e-mail confirmation without e-mail, and an online booking without e-mail', async () => {
    const none = await phoneBooking({ ...slot('2027-03-10', '09:00'), customer: { name: 'Sans contact' } });
    expectError(none, 400, 'VALIDATION_ERROR');
    expect(none.body.error.details).toContainEqual({ field: 'customer.phone', message: expect.stringContaining('téléphone est obligatoire') });
    const mail = await phoneBooking({ ...slot('2027-03-10', '09:00'), customer: leroy, notifications: { email: true, sms: false } });
    expect(mail.body.error.details).toContainEqual({ field: 'customer.email', message: expect.stringContaining('e-mail est nécessaire') });
    expectError(await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00', { customer: { name: 'Jean', phone: '0611223344' } })), 400, 'VALIDATION_ERROR');
  });

  it('finds a customer by phone in every common format, and by part of it', async () => {
    const own = await phoneBooking({ ...slot('2027-03-10', '09:00'), customer: leroy });
    await phoneBooking({ ...slot('2027-03-10', '11:00'), customer: { name: 'M. Autre', phone: '06 99 88 77 66' } });
    for (const typed of ['06 11 22 33 44', '0611223344', '06.11.22.33.44', '+33 6 11 22 33 44', '+33611223344', '0033 6 11 22 33 44', '22 33 44']) {
      const found = await t.request('GET', `/api/admin/bookings?q=${encodeURIComponent(typed)}`, undefined, admin);
      expect(found.status).toBe(200);
      expect(found.body.bookings.map((b: { publicCode: string }) => b.publicCode), typed).toEqual([own.body.booking.publicCode]);
      const lookup = await t.request('GET', `/api/admin/customers?q=${encodeURIComponent(typed)}`, undefined, admin);
      expect(lookup.body.customers, typed).toEqual([{ name: 'Mme Leroy', email: null, phone: '+33611223344', address: leroy.address, lastVisitDate: '2027-03-10', visits: 1 }]);
    }
    const byName = await t.request('GET', `/api/admin/customers?q=leroy`, undefined, admin);
    expect(byName.body.customers.map((c: { name: string }) => c.name)).toEqual(['Mme Leroy']);
    expect((await t.request('GET', `/api/admin/customers?q=L`, undefined, admin)).body.customers).toEqual([]);
    const nobody = await t.request('GET', `/api/admin/bookings?q=${encodeURIComponent('07 11 22 33 45')}`, undefined, admin);
    expect(nobody.body.total).toBe(0);
  });

  it('gathers a customer file: visits to come and past, amounts and outcomes', async () => {
    const jean = { name: 'Jean Martin', email: 'jean@example.com', phone: '06 12 34 56 78' };
    const first = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '09:00', { customer: jean }));
    expect(first.status).toBe(201);
    const second = await t.request('POST', '/api/bookings', bookingBody('2027-03-17', '09:00', { customer: jean }));
    const byPhoneOnly = await phoneBooking({ ...slot('2027-03-24', '09:00'), customer: { name: 'Jean Martin', phone: '0612345678' } });
    expect(byPhoneOnly.status).toBe(201);
    await t.request('POST', `/api/admin/bookings/${second.body.booking.publicCode}/cancel`, {}, admin);
    t.clock.set('2027-03-05T08:00:00Z');

    const file = await t.request('GET', `/api/admin/customers/file?email=jean@example.com&phone=${encodeURIComponent('06 12 34 56 78')}`, undefined, admin);
    expect(file.status, JSON.stringify(file.body)).toBe(200);
    expect(file.body.customer).toMatchObject({ name: 'Jean Martin', email: 'jean@example.com', phone: '+33612345678' });
    expect(file.body.past.map((b: { publicCode: string }) => b.publicCode)).toEqual([first.body.booking.publicCode]);
    expect(file.body.upcoming.map((b: { publicCode: string; status: string }) => [b.publicCode, b.status])).toEqual([
      [second.body.booking.publicCode, 'cancelled'],
      [byPhoneOnly.body.booking.publicCode, 'confirmed'],
    ]);
    expect(file.body.totals).toEqual({ visits: 2, cancelled: 1, billedCents: 8000, depositsCents: 2400, refundedCents: 1200 });
    expectError(await t.request('GET', `/api/admin/customers/file?phone=${encodeURIComponent('06 55 44 33 22')}`, undefined, admin), 404, 'CUSTOMER_NOT_FOUND');
    expectError(await t.request('GET', `/api/admin/customers/file?phone=abc`, undefined, admin), 400, 'VALIDATION_ERROR');
    expectError(await t.request('GET', `/api/admin/customers/file`, undefined, admin), 400, 'VALIDATION_ERROR');
  });

  it('keeps private notes away from everything the customer sees', async () => {
    const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'));
    const code = created.body.booking.publicCode as string;
    const note = await t.request('PUT', `/api/admin/bookings/${code}/note`, { note: `Booking ${MARKER}` }, admin);
    expect(note.body).toEqual({ note: `Booking ${MARKER}` });
    expect((await t.request('PUT', '/api/admin/customers/note', { email: 'JEAN@example.com ', note: `Client ${MARKER}` }, admin)).body).toEqual({ note: `Client ${MARKER}` });
    expect((await t.request('GET', `/api/admin/bookings/${code}/note`, undefined, admin)).body.note).toBe(`Booking ${MARKER}`);
    expect((await t.request('GET', '/api/admin/customers/file?email=jean@example.com', undefined, admin)).body.note).toBe(`Client ${MARKER}`);
    // A move and a cancellation write messages after the notes exist.
    await t.request('POST', `/api/admin/bookings/${code}/reschedule`, { newDate: '2027-03-11', newTime: '09:00' }, admin);
    await drain();

    const seenByCustomer: string[] = [];
    const lookup = await t.request('GET', `/api/bookings/public?code=${code}&email=jean@example.com`);
    expect(lookup.status).toBe(200);
    seenByCustomer.push(JSON.stringify(lookup.body));
    const token = /gerer\?token=([\w.-]+)/.exec(JSON.stringify(lookup.body))![1]!;
    seenByCustomer.push(JSON.stringify((await t.request('GET', `/api/bookings/manage?token=${token}`)).body));
    seenByCustomer.push((await t.inject({ method: 'GET', url: `/api/bookings/${code}/ics?email=jean@example.com` })).body);
    seenByCustomer.push((await t.inject({ method: 'GET', url: `/gerer?token=${token}` })).body);
    seenByCustomer.push(JSON.stringify((await t.request('GET', '/api/admin/customers/export?email=jean@example.com', undefined, admin)).body));
    const mails = await t.service.db.query<{ subject: string | null; text_body: string; html_body: string | null; ics: string | null }>(`SELECT subject, text_body, html_body, ics FROM mailbox`);
    expect(mails.length).toBeGreaterThan(0);
    seenByCustomer.push(JSON.stringify(mails), JSON.stringify(twilio.requests));
    for (const text of seenByCustomer) expect(text).not.toContain(MARKER);

    // An empty note deletes it; a note too long is a French 400.
    expect((await t.request('PUT', `/api/admin/bookings/${code}/note`, { note: '  ' }, admin)).body).toEqual({ note: null });
    expectError(await t.request('PUT', `/api/admin/bookings/${code}/note`, { note: 'x'.repeat(4001) }, admin), 400, 'VALIDATION_ERROR');
    expectError(await t.request('PUT', `/api/admin/bookings/AC-ZZZZZZ/note`, { note: 'x' }, admin), 404, 'BOOKING_NOT_FOUND');
    expectError(await t.request('PUT', '/api/admin/customers/note', { email: 'inconnu@example.com', note: 'x' }, admin), 404, 'CUSTOMER_NOT_FOUND');
  });

  it('places a booking at a time the page does not offer once forced, with the reason first; never over another booking', async () => {
    const early = await phoneBooking({ ...slot('2027-03-10', '07:30'), customer: leroy });
    expectError(early, 400, 'SLOT_NOT_OFFERED');
    expect(early.body.error.details).toEqual([{ field: 'time', message: expect.stringContaining('en dehors de vos horaires d’ouverture') }]);
    const lunch = await phoneBooking({ ...slot('2027-03-10', '12:15'), customer: leroy });
    expect(lunch.body.error.details[0].message).toContain('pause');

    const forced = await phoneBooking({ ...slot('2027-03-10', '07:30'), customer: leroy, force: true });
    expect(forced.status, JSON.stringify(forced.body)).toBe(201);
    expect(forced.body.booking).toMatchObject({ startDateTime: '2027-03-10T07:30:00+01:00', status: 'confirmed', channel: 'phone' });

    // Over the forced booking (diag lasts 30 min: 07:30–08:00), forced again: the database refuses.
    const over = await phoneBooking({ ...slot('2027-03-10', '07:45'), customer: { name: 'M. Autre', phone: '0699887766' }, force: true });
    expectError(over, 409, 'SLOT_UNAVAILABLE');
    expect(over.body.error.message).toContain(forced.body.booking.publicCode);
    const online = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'));
    expect(online.status).toBe(201);
    expectError(await phoneBooking({ ...slot('2027-03-10', '09:15'), customer: leroy, force: true }), 409, 'SLOT_UNAVAILABLE');
    const rows = await t.service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE status IN ('confirmed', 'rescheduled', 'pending_payment')`);
    expect(rows[0]!.n).toBe(2);
    // In the past: never, forced or not.
    expectError(await phoneBooking({ ...slot('2027-03-01', '07:30'), customer: leroy, force: true }), 400, 'VALIDATION_ERROR');
  });
});
