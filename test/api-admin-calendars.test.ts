import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { startCalendarServer, type CalendarServer } from './helpers/calendar-server.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * ICS subscriptions end to end: a local server answers like Google's, Outlook's and iCloud's
 * secret addresses; the slots of the public availability show what blocks. Clock: Monday
 * 2027-03-01 08:00 Paris; demo artisan open Mon–Fri 08:30–18:00 (break 12–13), plan pro.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const fixture = (name: string) => readFileSync(new URL(`./fixtures/calendars/${name}`, import.meta.url), 'utf8');

describe.each(ENGINES)('calendar connections (ICS) on %s', (engine) => {
  const t = serviceForSuite(engine, START, { env: { CALENDAR_ALLOW_PRIVATE_URLS: 'true' } });
  let server: CalendarServer;
  beforeAll(async () => {
    server = await startCalendarServer();
  });
  afterAll(async () => server.close());

  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  const day = async (date: string) => (await t.request('GET', `/api/availability?serviceId=diag&date=${date}`)).body.slots as any[];
  const taken = async (date: string) => (await day(date)).filter((s) => !s.available).map((s) => s.time);
  const connect = async (path: string, name = 'Agenda perso') => {
    const res = await admin('POST', '/calendars', { providerId: 'ics', name, url: server.url(path) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  it('a Google export blocks exactly its busy slots: series over DST with EXDATEs and an override, all-day, multi-day, other zones', async () => {
    server.set('/google/secret-abc123/basic.ics', { body: fixture('google.ics') });
    const created = await connect('/google/secret-abc123/basic.ics');
    expect(created.sync).toMatchObject({ ok: true, error: null });
    expect(created.calendar).toMatchObject({ providerId: 'ics', name: 'Agenda perso', writeBookings: false, settings: { host: expect.stringMatching(/^127\.0\.0\.1:\d+$/) } });
    expect(JSON.stringify(created)).not.toContain('secret-abc123');

    expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']); // Dentiste 10:00–11:00
    expect(await taken('2027-03-02')).toEqual(['14:00', '14:30']); // tennis, winter time
    expect(await taken('2027-03-16')).toEqual([]); // EXDATE;TZID
    expect(await taken('2027-03-23')).toEqual(['16:00', '16:30']); // moved by RECURRENCE-ID
    expect(await taken('2027-03-30')).toEqual(['14:00', '14:30']); // summer time, same wall clock
    expect(await taken('2027-04-06')).toEqual([]); // EXDATE in UTC
    // Free (09:00) and cancelled (14:00) block nothing; 11:00 floating is Paris time; 10:00 in
    // New York is 16:00 in Paris; our own exported event (15:00 Paris) is not imported back.
    expect(await taken('2027-03-04')).toEqual(['11:00', '16:00']);
    for (const date of ['2027-03-05', '2027-03-08', '2027-03-09', '2027-03-10']) {
      expect((await day(date)).every((s) => !s.available), date).toBe(true);
    }
    expect(await taken('2027-03-11')).toEqual([]);
    const slot = (await day('2027-03-03')).find((s) => s.time === '10:00');
    expect(slot.blockedBy).toEqual([{ type: 'calendar', providerId: 'ics' }]);

    const booking = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '10:30'));
    expect(booking.status).toBe(409);
  });

  it('the list shows sync health; credentials are encrypted at rest and never answered', async () => {
    server.set('/outlook/s3cr3t-token/calendar.ics', { body: fixture('outlook.ics') });
    const { calendar } = await connect('/outlook/s3cr3t-token/calendar.ics', 'Outlook bureau');
    const list = await admin('GET', '/calendars');
    expect(list.status).toBe(200);
    expect(list.body.calendars).toEqual([
      {
        id: calendar.id,
        providerId: 'ics',
        name: 'Outlook bureau',
        writeBookings: false,
        settings: { host: expect.any(String) },
        sync: {
          lastAttemptAt: '2027-03-01T08:00:00+01:00',
          lastSuccessAt: '2027-03-01T08:00:00+01:00',
          nextSyncAt: expect.stringMatching(/^2027-03-01T08:0[4-6]:\d\d\+01:00$/),
          lastError: null,
          lastErrorAt: null,
          lastExportError: null,
          counts: { blocks: expect.any(Number), ownEvents: 0, windowStart: '2027-02-28T08:00:00+01:00', windowEnd: '2027-05-31T09:00:00+02:00' },
        },
        createdAt: '2027-03-01T08:00:00+01:00',
      },
    ]);
    // Tuesdays 09:00 Romance Standard Time, 03-30 excluded; W. Europe Standard Time 15:00 on 03-03.
    expect(await taken('2027-03-09')).toEqual(['09:00', '09:30']);
    expect(await taken('2027-03-30')).toEqual([]);
    expect(await taken('2027-04-06')).toEqual(['09:00', '09:30']);
    expect(await taken('2027-03-03')).toEqual(['15:00', '15:30']);
    const [row] = await t.service.db.query<{ secret_ciphertext: string; settings: unknown }>(`SELECT secret_ciphertext, settings FROM calendar_connections`);
    expect(row!.secret_ciphertext).not.toContain('s3cr3t');
    expect(JSON.stringify(row!.settings)).not.toContain('s3cr3t');
  });

  it('sync now follows the calendar: deleted and moved events free and take their slots; ONE data_version bump per import', async () => {
    server.set('/icloud/feed.ics', { body: fixture('icloud.ics') });
    const { calendar } = await connect('/icloud/feed.ics', 'iCloud famille');
    expect(await taken('2027-03-01')).toEqual(['16:30', '17:00']);
    expect((await day('2027-03-12')).every((s) => !s.available)).toBe(true);
    expect(await taken('2027-04-12')).toEqual(['16:30', '17:00']); // summer time (03-29 is Easter Monday, closed)

    // The birthday is deleted, the series moves to 09:00.
    server.set('/icloud/feed.ics', {
      body: fixture('icloud.ics')
        .replace(/BEGIN:VEVENT\r\nDTEND;VALUE=DATE[\s\S]*?END:VEVENT\r\n/, '')
        .replace('T163000', 'T090000')
        .replace('T173000', 'T100000')
        .replace('EXDATE:20270315T153000Z\r\n', ''),
    });
    const version = async () => Number((await t.service.db.query<{ v: string }>(`SELECT data_version::text AS v FROM artisans`))[0]!.v);
    const before = await version();
    const res = await admin('POST', `/calendars/${calendar.id}/sync`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.sync).toMatchObject({ ok: true, counts: { blocks: 7 } });
    expect(await version()).toBe(before + 1);
    expect(await taken('2027-03-12')).toEqual([]);
    expect(await taken('2027-03-15')).toEqual(['09:00', '09:30']); // its EXDATE went too
    expect(await taken('2027-04-12')).toEqual(['09:00', '09:30']);
  });

  it('a calendar that fails keeps its last good blocks and shows the error in French', async () => {
    server.set('/flaky.ics', { body: fixture('google.ics') });
    const { calendar } = await connect('/flaky.ics');
    t.clock.advance(10);
    server.set('/flaky.ics', { status: 503, body: 'maintenance' });
    const down = await admin('POST', `/calendars/${calendar.id}/sync`);
    expect(down.body.sync).toMatchObject({ ok: false, error: 'Le serveur du calendrier a répondu par une erreur (HTTP 503).' });
    expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']);
    server.set('/flaky.ics', { body: fixture('unknown-tzid.ics') });
    t.clock.advance(10);
    await admin('POST', `/calendars/${calendar.id}/sync`);
    const [shown] = (await admin('GET', '/calendars')).body.calendars;
    expect(shown.sync).toMatchObject({
      lastSuccessAt: '2027-03-01T08:00:00+01:00',
      lastAttemptAt: '2027-03-01T08:20:00+01:00',
      lastErrorAt: '2027-03-01T08:20:00+01:00',
      lastError: expect.stringMatching(/^Fuseau horaire inconnu dans le calendrier : « Mars\/Olympus_Mons »/),
    });
    expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']);
    // The connection being removed takes its blocks with it.
    const del = await admin('DELETE', `/calendars/${calendar.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ removedEvents: 0, notRemoved: [] });
    expect(await taken('2027-03-03')).toEqual([]);
    expect((await admin('GET', '/calendars')).body.calendars).toEqual([]);
  });

  it('before a booking, a calendar not synced for an interval is synced first (a new event blocks the slot)', async () => {
    server.set('/late.ics', { body: fixture('icloud.ics') });
    await connect('/late.ics');
    server.set('/late.ics', { body: fixture('google.ics') });
    // Within the interval, no extra sync: the Dentiste is not known yet.
    const early = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '10:00'));
    expect(early.status).toBe(201);
    await t.request('POST', `/api/bookings/${early.body.booking.publicCode}/cancel`, { email: 'jean@example.com' });
    t.clock.advance(6);
    const hitsBefore = server.hits.get('/late.ics');
    const late = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '10:30'));
    expect(server.hits.get('/late.ics')).toBe(hitsBefore! + 1);
    expect(late.status, JSON.stringify(late.body)).toBe(409);
  });

  it('a slow calendar holds a booking at most about the pre-booking budget', async () => {
    server.set('/slow.ics', { body: fixture('icloud.ics') });
    await connect('/slow.ics');
    server.set('/slow.ics', { body: fixture('icloud.ics'), delayMs: 8_000 });
    t.clock.advance(6);
    const started = Date.now();
    const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '10:00'));
    expect(res.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('plan limits: starter connects one calendar, the second is 409 PLAN_LIMIT_REACHED', async () => {
    server.set('/a.ics', { body: fixture('icloud.ics') });
    expect((await admin('PATCH', '/artisan', { plan: 'starter' })).status).toBe(200);
    try {
      await connect('/a.ics');
      const second = await admin('POST', '/calendars', { providerId: 'ics', name: 'Deuxième', url: server.url('/a.ics') });
      expect(second.status).toBe(409);
      expect(second.body.error).toMatchObject({ code: 'PLAN_LIMIT_REACHED', message: expect.stringContaining('abonnement') });
    } finally {
      await admin('PATCH', '/artisan', { plan: 'pro' });
    }
  });

  it('bad input gets a 400 in French and writes nothing; unknown ids a 404', async () => {
    const cases: [unknown, string][] = [
      [{ providerId: 'ics', name: 'X' }, 'url'],
      [{ providerId: 'ics', name: 'X', url: 'ftp://example.com/a.ics' }, 'url'],
      [{ providerId: 'ics', name: 'X', url: 'https://user:pw@example.com/a.ics' }, 'url'],
      [{ providerId: 'ics', name: '   ', url: server.url('/a.ics') }, 'name'],
      [{ providerId: 'ics', name: 'X', url: server.url('/a.ics'), writeBookings: true }, 'writeBookings'],
      [{ providerId: 'caldav', name: 'X', serverUrl: 'https://dav.example.com/' }, 'username'],
      [{ providerId: 'google', name: 'X' }, 'providerId'],
      [{ providerId: 'outlook', name: 'X' }, 'providerId'],
      [{ providerId: 'exchange', name: 'X' }, 'providerId'],
    ];
    for (const [body, field] of cases) {
      const res = await admin('POST', '/calendars', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    }
    const outlook = await admin('POST', '/calendars', { providerId: 'outlook', name: 'X' });
    expect(outlook.body.error.details[0].message).toMatch(/Outlook n'est pas configurée.*MICROSOFT_CLIENT_ID/);
    expect((await admin('GET', '/calendars')).body.calendars).toEqual([]);
    const missing = await admin('POST', '/calendars/00000000-0000-4000-8000-000000000000/sync');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('CALENDAR_NOT_FOUND');
  });

  it('PATCH renames and changes the address, read at once: the answer says what the new address holds', async () => {
    server.set('/one.ics', { body: fixture('icloud.ics') });
    server.set('/two.ics', { body: fixture('google.ics') });
    const { calendar, sync: first } = await connect('/one.ics');
    const res = await admin('PATCH', `/calendars/${calendar.id}`, { name: 'Famille', url: server.url('/two.ics') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.calendar).toMatchObject({ name: 'Famille', settings: { host: new URL(server.url('/two.ics')).host } });
    expect(res.body.sync).toMatchObject({ ok: true, error: null });
    // The new calendar's blocks, counted like a first import of it.
    expect(res.body.sync.counts.blocks).not.toBe(first.counts.blocks);
    const alone = await connect('/two.ics', 'Témoin');
    expect(res.body.sync.counts.blocks).toBe(alone.sync.counts.blocks);
    await admin('DELETE', `/calendars/${alone.calendar.id}`);
    const broken = await admin('PATCH', `/calendars/${calendar.id}`, { url: server.url('/missing.ics') });
    expect(broken.status).toBe(200);
    expect(broken.body.sync).toMatchObject({ ok: false, error: expect.stringMatching(/./) });
    expect(broken.body.calendar.sync.lastError).toBe(broken.body.sync.error);
    // A rename alone reads nothing.
    const renamed = await admin('PATCH', `/calendars/${calendar.id}`, { name: 'Maison' });
    expect(renamed.body.sync).toBeUndefined();
    const wrong = await admin('PATCH', `/calendars/${calendar.id}`, { password: 'x' });
    expect(wrong.status).toBe(400);
  });
});

describe('calendar addresses the server refuses to fetch (SSRF)', () => {
  const t = serviceForSuite(ENGINES[0]!, START);
  it.each([
    ['loopback', 'http://127.0.0.1:9/cal.ics'],
    ['private', 'http://10.0.0.1/cal.ics'],
    ['link-local (cloud metadata)', 'http://169.254.169.254/latest/meta-data/'],
    ['a name resolving to loopback', 'http://localhost:9/cal.ics'],
    ['IPv6 loopback', 'http://[::1]:9/cal.ics'],
    ['IPv4-compatible IPv6 of loopback', 'http://[::127.0.0.1]:4500/'],
    ['IPv4-compatible IPv6 of the cloud metadata address', 'http://[::a9fe:a9fe]/'],
  ])('%s: 400 on url, nothing stored', async (_label, url) => {
    const res = await t.request('POST', '/api/admin/calendars', { providerId: 'ics', name: 'X', url }, adminHeaders());
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'url', message: expect.stringContaining('réseau privé ou local') }]);
    expect((await t.request('GET', '/api/admin/calendars', undefined, adminHeaders())).body.calendars).toEqual([]);
  });
});
