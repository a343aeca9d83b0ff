import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * Closing over bookings, one flow (issue 23 item 2): POST /api/admin/closures/preview lists the
 * bookings a closed day or days off fall on, with the next free times; POST /api/admin/closures
 * saves the closure and applies the artisan's choice for each: keep, move (the customer is told)
 * or cancel with a full refund (the customer is told). Clock: Monday 2027-03-01 08:00 Paris;
 * diag: 30 min, deposit 12,00 €; Friday 2027-03-05 is the day closed.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const FRIDAY = '2027-03-05';

describe.each(ENGINES)('closing a day or taking days off over bookings on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const admin = (method: 'GET' | 'POST', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  const book = async (date: string, time: string, name = 'Jean Martin', email = 'jean@example.com') => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time, { customer: { name, email, phone: '+33612345678' } }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };
  const detail = async (code: string) => (await admin('GET', `/bookings/${code}`)).body;
  const drain = async () => {
    while ((await t.service.worker.runOnce()) > 0);
  };
  const customerMails = async (code: string) =>
    (await admin('GET', `/messages?bookingCode=${code}&channel=email`)).body.messages.filter((m: any) => m.recipientKind === 'customer').map((m: any) => m.subject as string);

  it('the preview lists the bookings of the closed day, as links to their code, with the next free times off that day; nothing is saved', async () => {
    const early = await book(FRIDAY, '08:30');
    const later = await book(FRIDAY, '14:00', 'Anne Petit', 'anne@example.com');
    await book('2027-03-04', '09:00', 'Paul Roux', 'paul@example.com'); // Thursday: not concerned
    const res = await admin('POST', '/closures/preview', { date: FRIDAY, closed: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.bookings.map((b: any) => [b.publicCode, b.customerName, b.startDateTime])).toEqual([
      [early, 'Jean Martin', '2027-03-05T08:30:00+01:00'],
      [later, 'Anne Petit', '2027-03-05T14:00:00+01:00'],
    ]);
    const [first, second] = res.body.bookings;
    expect(first.proposals).toHaveLength(3);
    for (const p of [...first.proposals, ...second.proposals]) expect(p.date).not.toBe(FRIDAY);
    // The next free time after Friday is Monday 8:30 (the weekend is closed): offered to the first booking only.
    expect(first.proposals[0]).toEqual({ date: '2027-03-08', time: '08:30', startDateTime: '2027-03-08T08:30:00+01:00' });
    expect(second.proposals[0].startDateTime).not.toBe(first.proposals[0].startDateTime);
    expect((await admin('GET', '/exceptions')).body.exceptions).toEqual([]);
  });

  it('keep: the day is closed, the booking stays confirmed and no message goes out', async () => {
    const code = await book(FRIDAY, '08:30');
    await drain();
    const res = await admin('POST', '/closures', { closure: { date: FRIDAY, closed: true }, bookings: [{ publicCode: code, action: 'keep' }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.exception).toMatchObject({ date: FRIDAY, closed: true });
    expect(res.body.bookings).toEqual([{ publicCode: code, action: 'keep', done: true }]);
    expect((await detail(code)).booking.status).toBe('confirmed');
    expect((await t.request('GET', `/api/availability?serviceId=diag&date=${FRIDAY}`)).body.slots).toEqual([]);
    await drain();
    expect(await customerMails(code)).toHaveLength(1); // the confirmation only
  });

  it('move: the booking goes to the chosen free time and the customer gets the e-mail of the move', async () => {
    const code = await book(FRIDAY, '08:30');
    await drain();
    const [concerned] = (await admin('POST', '/closures/preview', { date: FRIDAY, closed: true })).body.bookings;
    const to = concerned.proposals[1];
    const res = await admin('POST', '/closures', { closure: { date: FRIDAY, closed: true }, bookings: [{ publicCode: code, action: 'move', newDate: to.date, newTime: to.time }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.bookings).toEqual([{ publicCode: code, action: 'move', done: true, startDateTime: to.startDateTime }]);
    const moved = await detail(code);
    expect(moved.booking).toMatchObject({ status: 'rescheduled', date: to.date, time: to.time });
    expect(moved.history.at(-1)).toMatchObject({ type: 'rescheduled', actor: 'token:ADMIN_API_TOKEN' });
    await drain();
    const subjects = await customerMails(code);
    expect(subjects).toHaveLength(2);
    expect(subjects[0]).toMatch(/déplacé/i);
  });

  it('cancel: the deposit is refunded in full and the customer is told, with the reason', async () => {
    const code = await book(FRIDAY, '08:30');
    t.clock.set('2027-03-04T12:00:00Z'); // 19 h before: the customer's own cancellation would refund nothing
    const res = await admin('POST', '/closures', { closure: { date: FRIDAY, closed: true }, bookings: [{ publicCode: code, action: 'cancel', reason: 'Fermeture exceptionnelle' }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.bookings).toEqual([{ publicCode: code, action: 'cancel', done: true, refundCents: 1200 }]);
    const cancelled = await detail(code);
    expect(cancelled.booking).toMatchObject({ status: 'cancelled', cancelledBy: 'artisan', refundCents: 1200 });
    await drain();
    const [mail] = (await admin('GET', `/messages?bookingCode=${code}&channel=email`)).body.messages.filter((m: any) => m.recipientKind === 'customer' && /annul/i.test(m.subject));
    expect(mail.text).toContain('Fermeture exceptionnelle');
    expect(mail.text).toContain('12,00');
  });

  it('days off (a period): the bookings inside are listed, and each choice is applied; one left out is kept', async () => {
    const a = await book('2027-03-03', '09:00');
    const b = await book('2027-03-04', '10:00', 'Anne Petit', 'anne@example.com');
    const c = await book('2027-03-04', '15:00', 'Paul Roux', 'paul@example.com');
    const closure = { startDateTime: '2027-03-03T00:00:00+01:00', endDateTime: '2027-03-05T00:00:00+01:00', summary: 'Congés' };
    const preview = await admin('POST', '/closures/preview', closure);
    expect(preview.body.bookings.map((x: any) => x.publicCode)).toEqual([a, b, c]);
    for (const x of preview.body.bookings) for (const p of x.proposals) expect(p.date >= '2027-03-05' || p.date < '2027-03-03').toBe(true);
    const to = preview.body.bookings[0].proposals[0];
    const res = await admin('POST', '/closures', { closure, bookings: [{ publicCode: a, action: 'move', newDate: to.date, newTime: to.time }, { publicCode: b, action: 'cancel' }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.busyBlock).toMatchObject({ providerId: 'manual', summary: 'Congés' });
    expect(res.body.bookings.map((o: any) => [o.publicCode, o.action, o.done])).toEqual([
      [a, 'move', true],
      [b, 'cancel', true],
      [c, 'keep', true],
    ]);
    expect((await detail(c)).booking.status).toBe('confirmed');
  });

  it('special hours keep the bookings that fit in them', async () => {
    const fits = await book(FRIDAY, '09:00');
    const outside = await book(FRIDAY, '15:00', 'Anne Petit', 'anne@example.com');
    const res = await admin('POST', '/closures/preview', { date: FRIDAY, ranges: [{ startMinutes: 480, endMinutes: 720 }] });
    expect(res.body.bookings.map((x: any) => x.publicCode)).toEqual([outside]);
    expect(res.body.bookings.map((x: any) => x.publicCode)).not.toContain(fits);
  });

  it('a move to a time already taken is reported in French, the closure and the other choices stand', async () => {
    const code = await book(FRIDAY, '08:30');
    await book('2027-03-08', '08:30', 'Anne Petit', 'anne@example.com');
    const res = await admin('POST', '/closures', { closure: { date: FRIDAY, closed: true }, bookings: [{ publicCode: code, action: 'move', newDate: '2027-03-08', newTime: '08:30' }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.bookings[0]).toMatchObject({ publicCode: code, action: 'move', done: false, error: { code: 'SLOT_UNAVAILABLE', message: expect.stringMatching(/[a-zé]/) } });
    expect((await detail(code)).booking.status).toBe('confirmed');
    expect((await admin('GET', '/exceptions')).body.exceptions).toHaveLength(1);
  });

  it.each([
    ['a booking the closure does not concern', (code: string) => [{ publicCode: 'AC-ZZZZZZ', action: 'keep' }, { publicCode: code, action: 'keep' }], 'bookings.0.publicCode'],
    ['a move without its time', (code: string) => [{ publicCode: code, action: 'move' }], 'bookings.0.newDate'],
    ['two choices for one booking', (code: string) => [{ publicCode: code, action: 'keep' }, { publicCode: code, action: 'cancel' }], 'bookings.1.publicCode'],
  ] as const)('refuses %s with 400 and saves nothing', async (_name, decisions, field) => {
    const code = await book(FRIDAY, '08:30');
    const res = await admin('POST', '/closures', { closure: { date: FRIDAY, closed: true }, bookings: decisions(code) });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    expect((await admin('GET', '/exceptions')).body.exceptions).toEqual([]);
    expect((await detail(code)).booking.status).toBe('confirmed');
  });

  it('a closure is a day or a period, not both nor neither', async () => {
    for (const closure of [{}, { date: FRIDAY, startDateTime: '2027-03-05T00:00:00+01:00', endDateTime: '2027-03-06T00:00:00+01:00' }]) {
      const res = await admin('POST', '/closures/preview', closure);
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].message).toMatch(/Indiquez soit un jour/);
    }
  });

  it('the agenda marks closures, days off and French public holidays with their names', async () => {
    await admin('POST', '/closures', { closure: { date: FRIDAY, closed: true } });
    await admin('POST', '/closures', { closure: { startDateTime: '2027-03-24T00:00:00+01:00', endDateTime: '2027-03-26T00:00:00+01:00', summary: 'Congés' } });
    await admin('POST', '/closures', { closure: { startDateTime: '2027-03-10T14:00:00+01:00', endDateTime: '2027-03-10T16:30:00+01:00', summary: 'Chantier' } });
    await admin('POST', '/exceptions', { date: '2027-03-11', ranges: [{ startMinutes: 540, endMinutes: 720 }] });
    const res = await admin('GET', '/agenda/closures?from=2027-03-01&to=2027-03-31');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.marks).toEqual([
      { date: FRIDAY, kind: 'closed' },
      { date: '2027-03-10', kind: 'time_off', label: 'Chantier', ranges: [{ start: '14:00', end: '16:30' }] },
      { date: '2027-03-11', kind: 'special_hours', ranges: [{ start: '09:00', end: '12:00' }] },
      { date: '2027-03-24', kind: 'time_off', label: 'Congés' },
      { date: '2027-03-25', kind: 'time_off', label: 'Congés' },
      { date: '2027-03-29', kind: 'holiday', label: 'Lundi de Pâques', closed: true },
    ]);
    const may = await admin('GET', '/agenda/closures?from=2027-05-01&to=2027-05-09');
    expect(may.body.marks.map((m: any) => [m.date, m.label])).toEqual([
      ['2027-05-01', 'Fête du Travail'],
      ['2027-05-06', 'Ascension'],
      ['2027-05-08', 'Victoire 1945'],
    ]);
    expect((await admin('GET', '/agenda/closures?from=2027-03-01&to=2027-06-01')).status).toBe(400);
  });
});
