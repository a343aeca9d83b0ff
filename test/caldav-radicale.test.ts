import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { startRadicale, type Radicale } from './helpers/radicale.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * CalDAV against a real Radicale started by the tests. Clock: Monday 2027-03-01 08:00 Paris;
 * demo artisan open Mon–Fri 08:30–18:00 (break 12–13), 30-minute slots.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const PARIS = `BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n`;
const vcal = (...events: string[][]) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Nextcloud calendar//EN\r\n${PARIS}${events
    .map((lines) => `BEGIN:VEVENT\r\nDTSTAMP:20261120T101010Z\r\n${lines.join('\r\n')}\r\nEND:VEVENT\r\n`)
    .join('')}END:VCALENDAR\r\n`;

describe.each(ENGINES)('CalDAV sync with Radicale on %s', (engine) => {
  // One Radicale per engine: discovery takes the user's calendars, so another engine's suite
  // must not leave its calendar (and exported bookings) in the same account.
  let radicale: Radicale;
  beforeAll(async () => {
    radicale = await startRadicale({ marc: 'mot-de-passe-caldav', eve: 'autre' });
  }, 30_000);
  afterAll(async () => radicale?.close());
  const t = serviceForSuite(engine, START, { env: { CALENDAR_ALLOW_PRIVATE_URLS: 'true' } });
  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  const day = async (date: string) => (await t.request('GET', `/api/availability?serviceId=diag&date=${date}`)).body.slots as any[];
  const taken = async (date: string) => (await day(date)).filter((s) => !s.available).map((s) => s.time);
  const drain = async () => {
    for (let i = 0; i < 20 && (await t.service.worker.runOnce()) > 0; i++);
  };
  let calendarUrl: string;
  let n = 0;

  beforeAll(async () => {
    calendarUrl = await radicale.makeCalendar('marc', `travail-${engine}`);
    await radicale.put(calendarUrl, 'single.ics', vcal(['UID:single-1', 'DTSTART;TZID=Europe/Paris:20270303T100000', 'DTEND;TZID=Europe/Paris:20270303T110000', 'SUMMARY:Chantier Dupuis']), 'marc');
    await radicale.put(
      calendarUrl,
      'weekly.ics',
      vcal(
        ['UID:weekly-1', 'DTSTART;TZID=Europe/Paris:20270302T140000', 'DTEND;TZID=Europe/Paris:20270302T150000', 'RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=8', 'EXDATE;TZID=Europe/Paris:20270316T140000', 'SUMMARY:Réunion hebdo'],
        ['UID:weekly-1', 'RECURRENCE-ID;TZID=Europe/Paris:20270323T140000', 'DTSTART;TZID=Europe/Paris:20270323T163000', 'DTEND;TZID=Europe/Paris:20270323T173000', 'SUMMARY:Réunion hebdo (décalée)'],
      ),
      'marc',
    );
    await radicale.put(calendarUrl, 'allday.ics', vcal(['UID:allday-1', 'DTSTART;VALUE=DATE:20270305', 'DTEND;VALUE=DATE:20270306', 'SUMMARY:Formation']), 'marc');
    await radicale.put(calendarUrl, 'multi.ics', vcal(['UID:multi-1', 'DTSTART;VALUE=DATE:20270308', 'DTEND;VALUE=DATE:20270310', 'SUMMARY:Congés']), 'marc');
    await radicale.put(calendarUrl, 'free.ics', vcal(['UID:free-1', 'DTSTART;TZID=Europe/Paris:20270304T090000', 'DTEND;TZID=Europe/Paris:20270304T100000', 'TRANSP:TRANSPARENT', 'SUMMARY:Libre']), 'marc');
    await radicale.put(calendarUrl, 'cancelled.ics', vcal(['UID:cancelled-1', 'DTSTART;TZID=Europe/Paris:20270304T140000', 'DTEND;TZID=Europe/Paris:20270304T150000', 'STATUS:CANCELLED', 'SUMMARY:Annulé']), 'marc');
  });

  const connect = async (extra: Record<string, unknown> = {}) => {
    const res = await admin('POST', '/calendars', {
      providerId: 'caldav',
      name: `Nextcloud ${++n}`,
      serverUrl: radicale.baseUrl,
      username: 'marc',
      password: 'mot-de-passe-caldav',
      writeBookings: true,
      ...extra,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  it('discovers the calendar and blocks exactly the right slots; the password never comes back', async () => {
    const created = await connect();
    expect(created.sync).toMatchObject({ ok: true, error: null, counts: { blocks: 10, ownEvents: 0 } });
    expect(created.calendar.settings).toEqual({ serverUrl: radicale.baseUrl, username: 'marc', calendarUrl: expect.stringMatching(new RegExp(`/marc/travail-${engine}/$`)) });
    expect(JSON.stringify(created)).not.toContain('mot-de-passe-caldav');
    expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']);
    expect(await taken('2027-03-02')).toEqual(['14:00', '14:30']);
    expect(await taken('2027-03-16')).toEqual([]);
    expect(await taken('2027-03-23')).toEqual(['16:30', '17:00']);
    expect(await taken('2027-03-30')).toEqual(['14:00', '14:30']);
    expect(await taken('2027-03-04')).toEqual([]);
    for (const date of ['2027-03-05', '2027-03-08', '2027-03-09']) expect((await day(date)).every((s) => !s.available), date).toBe(true);
    expect(await taken('2027-03-10')).toEqual([]);
    const slot = (await day('2027-03-03')).find((s) => s.time === '10:00');
    expect(slot.blockedBy).toEqual([{ type: 'calendar', providerId: 'caldav' }]);
  });

  it('a booking appears as an event, moves on reschedule, disappears on cancel; it is not imported back', async () => {
    const { calendar } = await connect();
    const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-11', '09:00', { customer: { name: 'Ève "Hostile" ^ Dupré', email: 'eve@example.com', phone: '+33612345678' } }));
    expect(created.status).toBe(201);
    const code = created.body.booking.publicCode;
    await drain();
    const files = await radicale.list(calendar.settings.calendarUrl, 'marc');
    const ours = files.filter((f) => !['single.ics', 'weekly.ics', 'allday.ics', 'multi.ics', 'free.ics', 'cancelled.ics'].includes(f));
    expect(ours).toHaveLength(1);
    const url = new URL(ours[0]!, calendar.settings.calendarUrl).toString();
    const read = async () => {
      const res = await radicale.get(url, 'marc');
      if (res.status !== 200) return undefined;
      const event = new ICAL.Event(new ICAL.Component(ICAL.parse(res.body)).getFirstSubcomponent('vevent')!);
      return { start: event.startDate.toJSDate().toISOString(), end: event.endDate.toJSDate().toISOString(), summary: event.summary, description: event.description, uid: event.uid };
    };
    expect(await read()).toMatchObject({
      start: '2027-03-11T08:00:00.000Z',
      end: '2027-03-11T08:30:00.000Z',
      summary: 'Diagnostic et audit complet - Ève "Hostile" ^ Dupré',
      description: expect.stringContaining(`Code de réservation : ${code}`),
      uid: expect.stringMatching(/@artisanconnect$/),
    });

    const sync = await admin('POST', `/calendars/${calendar.id}/sync`);
    expect(sync.body.sync).toMatchObject({ ok: true, counts: { blocks: 10, ownEvents: 1 } });
    const blocks = await t.service.db.query(`SELECT 1 FROM busy_blocks WHERE source = 'external' AND starts_at = '2027-03-11T08:00:00Z'`);
    expect(blocks).toEqual([]);

    const moved = await t.request('POST', `/api/bookings/${code}/reschedule`, { email: 'eve@example.com', newDate: '2027-03-12', newTime: '15:00' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await drain();
    expect(await read()).toMatchObject({ start: '2027-03-12T14:00:00.000Z', end: '2027-03-12T14:30:00.000Z' });

    const cancelled = await t.request('POST', `/api/bookings/${code}/cancel`, { email: 'eve@example.com' });
    expect(cancelled.status).toBe(200);
    await drain();
    expect(await read()).toBeUndefined();
    expect((await radicale.list(calendar.settings.calendarUrl, 'marc')).filter((f) => f === ours[0])).toEqual([]);
  });

  it('an exported event moved or deleted by hand is flagged to the artisan, never taken as a cancellation', async () => {
    const { calendar } = await connect();
    const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-11', '10:00'));
    const code = created.body.booking.publicCode;
    await drain();
    const [row] = await t.service.db.query<{ remote_ref: string }>(`SELECT remote_ref FROM calendar_exports WHERE connection_id = $1`, [calendar.id]);
    expect(row).toBeDefined();
    const original = (await radicale.get(row!.remote_ref, 'marc')).body;
    // The artisan edits it later (a sync listing from the very instant of the export checks nothing).
    t.clock.advance(1);
    await radicale.put(row!.remote_ref, '', original.replace('DTSTART:20270311T090000Z', 'DTSTART:20270311T130000Z').replace('DTEND:20270311T093000Z', 'DTEND:20270311T133000Z'), 'marc');
    await admin('POST', `/calendars/${calendar.id}/sync`);
    let detail = await admin('GET', `/bookings/${code}`);
    expect(detail.body.booking.status).toBe('confirmed');
    expect(detail.body.history.at(-1)).toMatchObject({ type: 'calendar_event_changed', actor: 'system', data: { change: 'moved', message: expect.stringContaining('déplacé à la main') } });

    await fetch(row!.remote_ref, { method: 'DELETE', headers: { authorization: `Basic ${Buffer.from('marc:mot-de-passe-caldav').toString('base64')}` } });
    await admin('POST', `/calendars/${calendar.id}/sync`);
    await admin('POST', `/calendars/${calendar.id}/sync`);
    detail = await admin('GET', `/bookings/${code}`);
    expect(detail.body.booking.status).toBe('confirmed');
    const flags = detail.body.history.filter((h: any) => h.type === 'calendar_event_changed').map((h: any) => h.data.change);
    expect(flags).toEqual(['moved', 'deleted']); // flagged once per change, not on every sync
  });

  it('the server going down keeps the last good blocks and shows the error; exports retry and converge', async () => {
    const { calendar } = await connect();
    await radicale.stop();
    try {
      const down = await admin('POST', `/calendars/${calendar.id}/sync`);
      expect(down.body.sync).toMatchObject({ ok: false, error: expect.stringMatching(/refuse la connexion|injoignable/) });
      expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']);
      const booking = await t.request('POST', '/api/bookings', bookingBody('2027-03-11', '11:00'));
      expect(booking.status).toBe(201);
      await drain();
      const [shown] = (await admin('GET', '/calendars')).body.calendars.filter((c: any) => c.id === calendar.id);
      expect(shown.sync.lastError).toMatch(/refuse la connexion|injoignable/);
      expect(shown.sync.lastExportError).toMatch(new RegExp(`^Rendez-vous ${booking.body.booking.publicCode} non reporté`));
    } finally {
      await radicale.start();
    }
    t.clock.advance(2);
    await drain();
    const [shown] = (await admin('GET', '/calendars')).body.calendars.filter((c: any) => c.id === calendar.id);
    expect(shown.sync.lastExportError).toBeNull();
    const [row] = await t.service.db.query<{ remote_ref: string }>(`SELECT remote_ref FROM calendar_exports WHERE connection_id = $1`, [calendar.id]);
    expect((await radicale.get(row!.remote_ref, 'marc')).status).toBe(200);
  });

  it('duplicated and reordered export jobs converge: one event, none after cancel', async () => {
    const { calendar } = await connect();
    const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-15', '09:30'));
    const publicCode = created.body.booking.publicCode as string;
    await t.request('POST', `/api/bookings/${publicCode}/cancel`, { email: 'jean@example.com' });
    const [booking] = await t.service.db.query<{ id: string }>(`SELECT id FROM bookings WHERE public_code = $1`, [publicCode]);
    // A stale duplicate of the creation job arrives after the cancellation.
    await t.service.db.query(`INSERT INTO outbox (artisan_id, id, topic, booking_id, payload)
       VALUES ((SELECT id FROM artisans), gen_random_uuid(), 'calendar.booking_changed', $1, '{"change":"created"}')`, [booking!.id]);
    await drain();
    const files = await radicale.list(calendar.settings.calendarUrl, 'marc');
    expect(files.filter((f) => f.startsWith(booking!.id))).toEqual([]);
    expect(await t.service.db.query(`SELECT 1 FROM calendar_exports WHERE booking_id = $1`, [booking!.id])).toEqual([]);
  });

  it('disconnecting removes the events this service wrote there', async () => {
    const { calendar } = await connect();
    const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-17', '09:00'));
    expect(created.status).toBe(201);
    await drain();
    const [booking] = await t.service.db.query<{ id: string }>(`SELECT id FROM bookings WHERE public_code = $1`, [created.body.booking.publicCode]);
    expect((await radicale.list(calendar.settings.calendarUrl, 'marc')).filter((f) => f.startsWith(booking!.id))).toHaveLength(1);
    const del = await admin('DELETE', `/calendars/${calendar.id}`);
    expect(del.body).toEqual({ removedEvents: 1, notRemoved: [] });
    expect((await radicale.list(calendar.settings.calendarUrl, 'marc')).filter((f) => f.startsWith(booking!.id))).toEqual([]);
    expect(await taken('2027-03-03')).toEqual([]);
  });

  it('wrong password: the connection shows the refusal in French', async () => {
    const res = await admin('POST', '/calendars', { providerId: 'caldav', name: 'Mauvais', serverUrl: radicale.baseUrl, username: 'marc', password: 'faux' });
    expect(res.status).toBe(201);
    expect(res.body.sync).toMatchObject({ ok: false, error: expect.stringMatching(/Accès refusé par le calendrier \(HTTP 401\)/) });
    await admin('DELETE', `/calendars/${res.body.calendar.id}`);
  });
});
