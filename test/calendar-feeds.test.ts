import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * The artisan's private feed and the customer's .ics, read back with ical.js, with hostile
 * names (RFC 6868: a `"` in a name must not create another attendee). Clock: Monday
 * 2027-03-01 08:00 Paris.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const HOSTILE = 'Eve":mailto:attacker@evil.example;X="';
const ARTISAN = 'Marc "Le Pro" ^ Dupont';

const parse = (text: string) => new ICAL.Component(ICAL.parse(text));

describe.each(ENGINES)('calendar feeds and .ics files on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  const book = async (date: string, time: string, customer: Record<string, unknown>) => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time, { customer }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };

  it('the private feed lists every booked appointment with contact, address and code; rotating ends the old address', async () => {
    const address = { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' };
    const hostile = await book('2027-03-03', '09:00', { name: HOSTILE, email: 'eve@example.com', phone: '+33612345678', address });
    const other = await book('2027-03-04', '14:00', { name: 'Paul Durand', email: 'paul@example.com' });
    const gone = await book('2027-03-05', '10:00', { name: 'Annulé', email: 'gone@example.com' });
    await t.request('POST', `/api/bookings/${gone}/cancel`, { email: 'gone@example.com' });

    const first = await admin('GET', '/calendar-feed');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ url: expect.stringMatching(/^http:\/\/localhost:3000\/api\/calendar\/[A-Za-z0-9_-]{43}\.ics$/), createdAt: '2027-03-01T08:00:00+01:00', rotatedAt: null, lastReadAt: null });
    expect((await admin('GET', '/calendar-feed')).body.url).toBe(first.body.url);
    const path = new URL(first.body.url).pathname;

    const res = await t.inject({ method: 'GET', url: path });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['cache-control']).toBe('private, no-store');
    const events = parse(res.body).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.summary)).toEqual([`Diagnostic et audit complet - ${HOSTILE}`, 'Diagnostic et audit complet - Paul Durand']);
    expect(events[0]!.startDate.toJSDate().toISOString()).toBe('2027-03-03T08:00:00.000Z');
    expect(events[0]!.location).toBe('12 rue des Lilas, 75011 Paris');
    expect(events[0]!.description).toBe(`Client : ${HOSTILE}\nTéléphone : +33612345678\nE-mail : eve@example.com\nAdresse : 12 rue des Lilas, 75011 Paris\nCode de réservation : ${hostile}`);
    expect(events[1]!.description).toContain(`Code de réservation : ${other}`);
    expect(JSON.stringify(events.map((e) => e.description))).not.toContain(gone);

    const [stored] = await t.service.db.query<Record<string, unknown>>(`SELECT * FROM calendar_feeds`);
    const token = path.split('/').pop()!.replace('.ics', '');
    expect(JSON.stringify(stored)).not.toContain(token);

    const rotated = await admin('POST', '/calendar-feed/rotate');
    expect(rotated.body).toMatchObject({ rotatedAt: '2027-03-01T08:00:00+01:00', lastReadAt: '2027-03-01T08:00:00+01:00' });
    expect(rotated.body.url).not.toBe(first.body.url);
    const old = await t.request('GET', path);
    expect(old.status).toBe(404);
    expect(old.body).toEqual({ error: { code: 'NOT_FOUND', message: "Cette adresse n'existe pas." } });
    expect((await t.inject({ method: 'GET', url: new URL(rotated.body.url).pathname })).statusCode).toBe(200);
    expect((await t.request('GET', '/api/calendar/not-a-token.ics')).status).toBe(404);
  });

  it("the customer's .ics: same identity check and 404 body as the lookup; a hostile name stays one attendee (RFC 6868)", async () => {
    expect((await admin('PATCH', '/artisan', { displayName: ARTISAN })).status).toBe(200);
    try {
      const code = await book('2027-03-03', '11:00', { name: HOSTILE, email: 'eve@example.com' });
      const res = await t.inject({ method: 'GET', url: `/api/bookings/${code}/ics?email=EVE@example.com` });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
      const calendar = parse(res.body);
      expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
      const vevent = calendar.getFirstSubcomponent('vevent')!;
      const attendees = vevent.getAllProperties('attendee');
      expect(attendees.map((a) => [String(a.getFirstValue()).toLowerCase(), a.getParameter('cn')])).toEqual([['mailto:eve@example.com', HOSTILE]]);
      const organizer = vevent.getFirstProperty('organizer')!;
      expect([String(organizer.getFirstValue()).toLowerCase(), organizer.getParameter('cn')]).toEqual(['mailto:marc.dupont@artisanconnect.test', ARTISAN]);
      expect(new ICAL.Event(vevent).startDate.toJSDate().toISOString()).toBe('2027-03-03T10:00:00.000Z');

      const wrong = await t.request('GET', `/api/bookings/${code}/ics?email=autre@example.com`);
      const lookup = await t.request('GET', `/api/bookings/public?code=${code}&email=autre@example.com`);
      expect(wrong.status).toBe(404);
      expect(wrong.body).toEqual(lookup.body);
      expect((await t.request('GET', `/api/bookings/AC-ZZZZZZ/ics?email=eve@example.com`)).body).toEqual(lookup.body);

      // The invitation e-mailed to the customer carries the same, parsed back.
      await t.service.worker.runOnce();
      const messages = await admin('GET', `/messages?channel=email&bookingCode=${code}`);
      const invite = messages.body.messages.find((m: any) => m.ics).ics as string;
      const inviteEvent = parse(invite).getFirstSubcomponent('vevent')!;
      expect(inviteEvent.getAllProperties('attendee').map((a) => [String(a.getFirstValue()).toLowerCase(), a.getParameter('cn')])).toEqual([['mailto:eve@example.com', HOSTILE]]);
      expect(inviteEvent.getFirstProperty('organizer')!.getParameter('cn')).toBe(ARTISAN);
    } finally {
      await admin('PATCH', '/artisan', { displayName: 'Marc Dupont - Plomberie' });
    }
  });
});

describe('the .ics download shares the lookup rate limit', () => {
  const t = serviceForSuite(ENGINES[0]!, START, { env: { RATE_LIMIT_MANAGE_PER_MINUTE: '3' } });
  it('lookup and .ics count together; the 4th gets 429', async () => {
    const statuses = [];
    statuses.push((await t.request('GET', '/api/bookings/public?code=AC-AAAAAA&email=a@example.com')).status);
    statuses.push((await t.request('GET', '/api/bookings/AC-AAAAAA/ics?email=a@example.com')).status);
    statuses.push((await t.request('GET', '/api/bookings/AC-AAAAAA/ics?email=a@example.com')).status);
    const limited = await t.request('GET', '/api/bookings/AC-AAAAAA/ics?email=a@example.com');
    statuses.push(limited.status);
    expect(statuses).toEqual([404, 404, 404, 429]);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
  });
});
