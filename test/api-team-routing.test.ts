import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders, artisanSessionHeaders, operatorSessionHeaders } from './helpers/admin.ts';
import { startCalendarServer, type CalendarServer } from './helpers/calendar-server.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';
import { addBusiness } from './helpers/tenants.ts';

/**
 * Routing on the Business plan (issue 20, items 3, 4, 6 and 7): a booking goes to a technician
 * who performs the service, covers the intervention's postcode and is free; availability is the
 * union of those technicians' own time lines; the tie-break is explained and stored; a postcode
 * nobody covers answers with the business's phone. Clock: Monday 2027-03-01 08:00 Paris; the
 * demo business is open Mon–Fri 08:30–18:00 (break 12–13), slot step 30 min, phone +33612345678.
 *
 * Three technicians:
 * - Alice: diag; the Seine-Saint-Denis (93) and the postcode 75011;
 * - Bruno: urgence; the postcode 75011;
 * - Chloé: diag; the commune of Paris (INSEE 75056: every Paris postcode, 75011 included).
 * So 93200 (Saint-Denis) is Alice's alone for diag, 75011 is Alice's and Chloé's for diag and
 * Bruno's for urgence, and 13001 (Marseille) nobody's.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const DAY = '2027-03-03'; // a Wednesday
const ADDRESS = {
  '93200': { street: '1 rue de la République', postalCode: '93200', city: 'Saint-Denis' },
  '75011': { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' },
} as const;

describe.each(ENGINES)('routing by skill and zone on %s', (engine) => {
  const t = serviceForSuite(engine, START, { env: { CALENDAR_ALLOW_PRIVATE_URLS: 'true' } });
  let server: CalendarServer;
  let owner: Record<string, string>;
  const ids = { alice: '', bruno: '', chloe: '' };

  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, headers = owner) => t.request(method, `/api/admin${url}`, body, headers);
  const day = async (serviceId: string, postcode?: string, date = DAY) =>
    t.request('GET', `/api/availability?serviceId=${serviceId}&date=${date}${postcode ? `&postcode=${postcode}` : ''}`);
  const slot = async (serviceId: string, postcode: string, time: string) => {
    const res = await day(serviceId, postcode);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.slots as { time: string; available: boolean; blockedBy: unknown[] }[]).find((s) => s.time === time)!;
  };
  const book = (time: string, postcode: keyof typeof ADDRESS, serviceId = 'diag', email = `client-${time.replace(':', '')}@example.fr`) =>
    t.request('POST', '/api/bookings', bookingBody(DAY, time, { serviceId, customer: { name: 'Client Test', email, phone: '+33612345678', address: ADDRESS[postcode] } }));
  /** Who a booking went to and why, as the admin API shows it. */
  const assignmentOf = async (code: string) => (await admin('GET', `/bookings/${code}`)).body.booking.assignment;
  const invite = async (name: string, email: string) => {
    const res = await admin('POST', '/members', { name, email, role: 'technician' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.member.id as string;
  };

  beforeAll(async () => {
    server = await startCalendarServer();
    owner = await artisanSessionHeaders(t);
    const artisanId = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    const operator = await operatorSessionHeaders(t.service);
    expect((await t.request('PUT', `/api/operator/businesses/${artisanId}/plan`, { plan: 'business' }, operator)).status).toBe(204);
    ids.alice = await invite('Alice Martin', 'alice@plomberie.test');
    ids.bruno = await invite('Bruno Petit', 'bruno@plomberie.test');
    ids.chloe = await invite('Chloé Durand', 'chloe@plomberie.test');
    const routing = {
      [ids.alice]: { skills: ['diag'], zones: [{ kind: 'departement', code: '93' }, { kind: 'postcode', code: '75011' }] },
      [ids.bruno]: { skills: ['urgence'], zones: [{ kind: 'postcode', code: '75 011' }] },
      [ids.chloe]: { skills: ['diag'], zones: [{ kind: 'commune', code: '75056' }] },
    };
    for (const [id, body] of Object.entries(routing)) {
      const res = await admin('PUT', `/members/${id}/routing`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  });
  afterAll(async () => server?.close());

  it('skills and zones are checked against the official list', async () => {
    const bruno = await admin('GET', `/members/${ids.bruno}/routing`);
    expect(bruno.body.routing).toEqual({ memberId: ids.bruno, skills: ['urgence'], zones: [{ kind: 'postcode', code: '75011' }] });
    const wrong = await admin('PUT', `/members/${ids.bruno}/routing`, {
      skills: ['urgence', 'pose-de-piscine'],
      zones: [
        { kind: 'departement', code: '2A' },
        { kind: 'departement', code: '974' },
        { kind: 'postcode', code: '75000' },
        { kind: 'commune', code: '99999' },
        { kind: 'departement', code: '20' },
      ],
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([
      { field: 'zones[2].code', message: "Ce code postal n'existe pas dans la liste officielle." },
      { field: 'zones[3].code', message: 'Ce code INSEE ne correspond à aucune commune de la liste officielle.' },
      { field: 'zones[4].code', message: "Ce département n'existe pas (01 à 95, 2A, 2B, 971 à 976…)." },
    ]);
    const unknownService = await admin('PUT', `/members/${ids.bruno}/routing`, { skills: ['pose-de-piscine'], zones: [] });
    expect(unknownService.body.error.details).toEqual([{ field: 'skills[0]', message: "Cette prestation n'existe pas dans votre catalogue." }]);
    // Nothing was written by the refused requests.
    expect((await admin('GET', `/members/${ids.bruno}/routing`)).body.routing).toEqual(bruno.body.routing);
  });

  it('a postcode is required, checked, and one nobody covers gets the business’s phone, not an empty calendar', async () => {
    const none = await day('diag');
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'postcode', message: expect.stringContaining('code postal') }] });
    const marseille = await day('diag', '13001');
    expect(marseille.status).toBe(422);
    expect(marseille.body.error.code).toBe('POSTCODE_NOT_COVERED');
    expect(marseille.body.error.message).toContain('13001');
    expect(marseille.body.error.message).toContain('06 12 34 56 78');
    const month = await t.request('GET', `/api/availability/days?serviceId=diag&from=${DAY}&to=${DAY}&postcode=13001`);
    expect(month.status).toBe(422);
    expect(month.body).toEqual(marseille.body);
    const nowhere = await day('diag', '00100');
    expect(nowhere.status).toBe(400);
    const notAPostcode = await day('diag', '99999');
    expect(notAPostcode.body.error.details).toEqual([{ field: 'postcode', message: "Ce code postal n'existe pas : vérifiez les 5 chiffres." }]);
    // Saint-Denis has urgence from nobody (Bruno covers 75011 only).
    expect((await day('urgence', '93200')).body.error.code).toBe('POSTCODE_NOT_COVERED');
    // Booking without an address, or at an address nobody covers.
    const noAddress = await t.request('POST', '/api/bookings', bookingBody(DAY, '09:00'));
    expect(noAddress.status).toBe(400);
    expect(noAddress.body.error.details).toEqual([{ field: 'customer.address.postalCode', message: expect.stringContaining('code postal') }]);
    const far = await t.request('POST', '/api/bookings', bookingBody(DAY, '09:00', { customer: { name: 'Loin', email: 'loin@example.fr', phone: '+33612345678', address: { street: '1 quai du Port', postalCode: '13002', city: 'Marseille' } } }));
    expect(far.status).toBe(422);
    expect(far.body.error.code).toBe('POSTCODE_NOT_COVERED');
  });

  it('routes by skill and zone: Saint-Denis diag goes to Alice, Paris urgence to Bruno; the day and the month say the same', async () => {
    const saintDenis = await book('09:00', '93200');
    expect(saintDenis.status, JSON.stringify(saintDenis.body)).toBe(201);
    expect(JSON.stringify(saintDenis.body)).not.toContain(ids.alice); // never on the customer's side
    expect(await assignmentOf(saintDenis.body.booking.publicCode)).toEqual({
      technicianId: ids.alice,
      teamId: null,
      reason: 'only_free',
      explanation: 'Attribué : seul technicien compétent, couvrant la zone et libre sur ce créneau.',
    });
    // Alice is taken at 09:00: Saint-Denis has nobody left then; Paris 11e still has Chloé.
    expect(await slot('diag', '93200', '09:00')).toEqual({ time: '09:00', available: false, blockedBy: [{ type: 'booking' }] });
    expect(await slot('diag', '75011', '09:00')).toEqual({ time: '09:00', available: true, blockedBy: [] });
    const month = await t.request('GET', `/api/availability/days?serviceId=diag&from=${DAY}&to=${DAY}&postcode=93200`);
    // 17 slots (08:30–11:30, 13:00–17:30) but 09:00.
    expect(month.body.days).toEqual([{ date: DAY, freeSlots: 16, firstFreeTime: '08:30' }]);
    expect((await t.request('GET', `/api/availability/days?serviceId=diag&from=${DAY}&to=${DAY}&postcode=75011`)).body.days).toEqual([
      { date: DAY, freeSlots: 17, firstFreeTime: '08:30' },
    ]);
    const taken = await book('09:00', '93200', 'diag', 'second@example.fr');
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('SLOT_UNAVAILABLE');

    const urgence = await book('09:00', '75011', 'urgence');
    expect(urgence.status, JSON.stringify(urgence.body)).toBe(201);
    expect(await assignmentOf(urgence.body.booking.publicCode)).toMatchObject({ technicianId: ids.bruno, reason: 'only_free' });
    // The office sees who has it (detail and week agenda).
    const detail = await admin('GET', `/bookings/${urgence.body.booking.publicCode}`);
    expect(detail.body.booking.technicianId).toBe(ids.bruno);
  });

  it('the union: a technician’s own calendar blocks only them while another is free', async () => {
    server.set('/alice.ics', {
      body: [
        'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Test//Routing//FR',
        'BEGIN:VEVENT', 'UID:alice-rdv@test', 'DTSTAMP:20270101T000000Z', 'DTSTART:20270303T090000Z', 'DTEND:20270303T100000Z', 'SUMMARY:Rendez-vous perso', 'END:VEVENT',
        'END:VCALENDAR',
      ].join('\r\n'),
    });
    const calendar = await admin('POST', '/calendars', { providerId: 'ics', name: 'Agenda d’Alice', url: server.url('/alice.ics') });
    expect(calendar.status, JSON.stringify(calendar.body)).toBe(201);
    // The business's calendar: it blocks everyone.
    expect(await slot('diag', '75011', '10:00')).toMatchObject({ available: false });
    expect((await admin('PUT', `/calendars/${calendar.body.calendar.id}/member`, { memberId: ids.alice })).status).toBe(204);
    // Alice's own: it blocks her alone (10:00–11:00 Paris).
    expect(await slot('diag', '93200', '10:00')).toEqual({ time: '10:00', available: false, blockedBy: [{ type: 'calendar', providerId: 'ics' }] });
    expect(await slot('diag', '75011', '10:00')).toEqual({ time: '10:00', available: true, blockedBy: [] });
    expect((await book('10:00', '93200')).status).toBe(409);
    const paris = await book('10:00', '75011');
    expect(paris.status, JSON.stringify(paris.body)).toBe(201);
    expect(await assignmentOf(paris.body.booking.publicCode)).toMatchObject({ technicianId: ids.chloe, reason: 'only_free' });
    // Now both are taken at 10:00, each for their own reason.
    const both = await slot('diag', '75011', '10:00');
    expect(both.available).toBe(false);
    expect(both.blockedBy).toHaveLength(2);
    expect(both.blockedBy).toEqual(expect.arrayContaining([{ type: 'calendar', providerId: 'ics' }, { type: 'booking' }]));
    // A sync keeps the blocks Alice's.
    expect((await admin('POST', `/calendars/${calendar.body.calendar.id}/sync`)).status).toBe(200);
    expect(await slot('diag', '75011', '10:30')).toEqual({ time: '10:30', available: true, blockedBy: [] });
    expect(await slot('diag', '93200', '10:30')).toMatchObject({ available: false });

    // Chloé's own time off (14:00–15:00) blocks only her: 14:00 in the 11e goes to Alice, then nobody is left.
    const off = await admin('POST', '/busy-blocks', { startDateTime: `${DAY}T14:00:00+01:00`, endDateTime: `${DAY}T15:00:00+01:00`, summary: 'Congé', memberId: ids.chloe });
    expect(off.status, JSON.stringify(off.body)).toBe(201);
    expect(off.body.busyBlock).toMatchObject({ providerId: 'manual', memberId: ids.chloe });
    expect(await slot('diag', '75011', '14:00')).toEqual({ time: '14:00', available: true, blockedBy: [] });
    const afternoon = await book('14:00', '75011');
    expect(await assignmentOf(afternoon.body.booking.publicCode)).toMatchObject({ technicianId: ids.alice, reason: 'only_free' });
    expect((await book('14:00', '75011', 'diag', 'tard@example.fr')).status).toBe(409);
    // Chloé's customer moving the 10:00 booking sees Chloé's time alone: 14:30 is her time off,
    // although Alice is free then (the public day of the 11e offers it).
    expect(await slot('diag', '75011', '14:30')).toEqual({ time: '14:30', available: true, blockedBy: [] });
    const code = paris.body.booking.publicCode as string;
    const email = 'client-1000@example.fr';
    const moving = await t.request('GET', `/api/bookings/${code}/availability?date=${DAY}&email=${email}`);
    expect(moving.status, JSON.stringify(moving.body)).toBe(200);
    const at = (time: string) => (moving.body.slots as { time: string; available: boolean }[]).find((x) => x.time === time)!;
    expect([at('14:30').available, at('15:00').available]).toEqual([false, true]);
    expect((await t.request('POST', `/api/bookings/${code}/reschedule`, { email, newDate: DAY, newTime: '14:30' })).status).toBe(409);
    const moved = await t.request('POST', `/api/bookings/${code}/reschedule`, { email, newDate: DAY, newTime: '15:00' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect((await admin('GET', `/bookings/${code}`)).body.booking).toMatchObject({ technicianId: ids.chloe, time: '15:00' });
    const unknownMember = await admin('POST', '/busy-blocks', { startDateTime: `${DAY}T16:00:00+01:00`, endDateTime: `${DAY}T17:00:00+01:00`, summary: 'Congé', memberId: randomUUID() });
    expect(unknownMember.status).toBe(404);
    expect(unknownMember.body.error.code).toBe('MEMBER_NOT_FOUND');
  });

  it('the tie-break: stable order, fewest minutes that week, longest since the last booking, priority; the same inputs give the same technician', async () => {
    // Alice and Chloé both do diag in 75011, with equal priority and an empty week.
    const [first, second] = [ids.alice, ids.chloe].sort();
    const a = await book('08:30', '75011');
    expect(await assignmentOf(a.body.booking.publicCode)).toMatchObject({ technicianId: first, reason: 'stable_order' });
    const b = await book('09:00', '75011');
    expect(await assignmentOf(b.body.booking.publicCode)).toMatchObject({ technicianId: second, reason: 'week_minutes' });
    // 30 minutes each this week: the one whose last booking is older (08:30) gets 14:00.
    const c = await book('14:00', '75011');
    expect(await assignmentOf(c.body.booking.publicCode)).toMatchObject({
      technicianId: first,
      reason: 'last_booking',
      explanation: 'Attribué parmi 2 techniciens libres : à priorité et charge égales, le plus long délai depuis son dernier rendez-vous.',
    });
    // A higher priority wins whatever the load.
    expect((await admin('PATCH', `/members/${first}`, { priority: 5 })).status).toBe(200);
    try {
      const d = await book('15:00', '75011');
      expect(await assignmentOf(d.body.booking.publicCode)).toMatchObject({ technicianId: first, reason: 'priority' });
    } finally {
      await admin('PATCH', `/members/${first}`, { priority: 0 });
    }
    // 08:30 again: the first is busy, so the second gets it; the office cannot hand it to the
    // first (busy then): the database refuses.
    const e = await book('08:30', '75011', 'diag', 'autre@example.fr');
    expect(await assignmentOf(e.body.booking.publicCode)).toMatchObject({ technicianId: second, reason: 'only_free' });
    const busy = await admin('PUT', `/bookings/${e.body.booking.publicCode}/assignment`, { technicianId: first, teamId: null });
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('TECHNICIAN_BUSY');
  });

  // Last: a second business on the instance puts the public pages behind their address.
  it('another business’s member and calendar ids answer as missing', async () => {
    const other = await addBusiness(t.service.db, (await t.service.db.query<{ id: string }>('SELECT id FROM artisans LIMIT 1'))[0]!.id, 'chauffage-martin', 'Chauffage Martin');
    const stranger = randomUUID();
    await t.service.db.query(
      `INSERT INTO admin_users (id, artisan_id, email, password_hash, password_changed_at, created_at, role) VALUES ($1, $2, 'tech@martin.test', 'x', now(), now(), 'technician')`,
      [stranger, other.id],
    );
    const unknown = randomUUID();
    for (const [method, body] of [['GET', undefined], ['PUT', { skills: [], zones: [] }]] as const) {
      const theirs = await admin(method, `/members/${stranger}/routing`, body);
      const none = await admin(method, `/members/${unknown}/routing`, body);
      expect(theirs.status).toBe(404);
      expect(theirs.body).toEqual(none.body);
    }
    // A calendar given to another business's member, or another business's calendar.
    const theirs = await admin('PUT', `/calendars/${unknown}/member`, { memberId: stranger });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual((await admin('PUT', `/calendars/${unknown}/member`, { memberId: randomUUID() })).body);
    expect((await admin('PUT', `/calendars/${unknown}/member`, { memberId: null })).body.error.code).toBe('CALENDAR_NOT_FOUND');
    // Time off for another business's member.
    const off = (memberId: string) => admin('POST', '/busy-blocks', { startDateTime: `${DAY}T16:00:00+01:00`, endDateTime: `${DAY}T17:00:00+01:00`, summary: 'Congé', memberId });
    const theirOff = await off(stranger);
    expect(theirOff.status).toBe(404);
    expect(theirOff.body).toEqual((await off(unknown)).body);
  });
});

describe.each(ENGINES)('a business without technicians on the Business plan on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  it('answers exactly as a one-member business: no postcode asked, nothing routed', async () => {
    const before = await t.request('GET', `/api/availability?serviceId=diag&date=${DAY}`);
    const artisanId = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    const operator = await operatorSessionHeaders(t.service);
    expect((await t.request('PUT', `/api/operator/businesses/${artisanId}/plan`, { plan: 'business' }, operator)).status).toBe(204);
    // An office member is not a technician: nothing routes.
    const owner = await artisanSessionHeaders(t);
    expect((await t.request('POST', '/api/admin/members', { name: 'Sophie Bureau', email: 'sophie@plomberie.test', role: 'office' }, owner)).status).toBe(201);
    const after = await t.request('GET', `/api/availability?serviceId=diag&date=${DAY}`);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before.body);
    const created = await t.request('POST', '/api/bookings', bookingBody(DAY, '09:00'));
    expect(created.status).toBe(201);
    const detail = await t.request('GET', `/api/admin/bookings/${created.body.booking.publicCode}`, undefined, adminHeaders());
    expect(detail.body.booking).not.toHaveProperty('technicianId');
    expect(detail.body.booking).not.toHaveProperty('assignment');
  });
});
