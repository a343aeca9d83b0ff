import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { startFakeGoogle, type FakeGoogle } from './helpers/fake-google.ts';
import { bookingBody, calendarTestKit, serviceForSuite } from './helpers/service.ts';

/**
 * Google Calendar with the official clients (google-auth-library, @googleapis/calendar)
 * pointed at a local server in Google's wire format. Clock: Monday 2027-03-01 08:00 Paris.
 */
const START = Date.parse('2027-03-01T07:00:00Z');

describe.each(ENGINES)('Google Calendar connection on %s', (engine) => {
  let google: FakeGoogle;
  beforeAll(async () => {
    google = await startFakeGoogle();
  });
  afterAll(async () => google?.close());
  const t = serviceForSuite(engine, START, {
    env: {
      GOOGLE_CLIENT_ID: 'client-123.apps.googleusercontent.com',
      GOOGLE_CLIENT_SECRET: 'secret-456',
      get GOOGLE_OAUTH_BASE_URL() {
        return google.url;
      },
      get GOOGLE_API_BASE_URL() {
        return google.url;
      },
    } as Record<string, string>,
  });
  const { admin, taken, drain } = calendarTestKit(t);

  it('OAuth code flow with PKCE, paged import, bookings inserted/patched/deleted, 401 after revocation shown on the connection', async () => {
    google.events.clear();
    google.events.set('dentist1', { id: 'dentist1', summary: 'Dentiste', start: { dateTime: '2027-03-03T10:00:00+01:00' }, end: { dateTime: '2027-03-03T11:00:00+01:00' } });
    google.events.set('holiday1', { id: 'holiday1', summary: 'Congé', start: { date: '2027-03-05' }, end: { date: '2027-03-06' } });
    google.events.set('free1', { id: 'free1', summary: 'Libre', transparency: 'transparent', start: { dateTime: '2027-03-04T09:00:00+01:00' }, end: { dateTime: '2027-03-04T10:00:00+01:00' } });
    google.events.set('gone1', { id: 'gone1', summary: 'Annulé', status: 'cancelled', start: { dateTime: '2027-03-04T14:00:00+01:00' }, end: { dateTime: '2027-03-04T15:00:00+01:00' } });
    google.events.set('late1', { id: 'late1', summary: 'Chantier', start: { dateTime: '2027-03-04T16:00:00+01:00' }, end: { dateTime: '2027-03-04T17:00:00+01:00' } });

    const created = await admin('POST', '/calendars', { providerId: 'google', name: 'Google Agenda' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.sync).toMatchObject({ ok: false, error: expect.stringContaining('Autorisation Google en attente') });
    const auth = new URL(created.body.authorizationUrl);
    expect(`${auth.origin}${auth.pathname}`).toBe(`${google.url}/o/oauth2/v2/auth`);
    expect(Object.fromEntries(auth.searchParams)).toMatchObject({
      client_id: 'client-123.apps.googleusercontent.com',
      redirect_uri: 'http://localhost:3000/api/admin/calendars/oauth/google/callback',
      response_type: 'code',
      access_type: 'offline',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      state: expect.stringContaining(created.body.calendar.id),
    });
    const state = auth.searchParams.get('state')!;
    const code = google.authorize(auth.searchParams.get('code_challenge')!);

    const forged = await admin('GET', `/calendars/oauth/google/callback?code=${code}&state=${created.body.calendar.id}.0000`);
    expect(forged.status).toBe(400);
    const done = await admin('GET', `/calendars/oauth/google/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.sync).toMatchObject({ ok: true, error: null, counts: { blocks: 3, ownEvents: 0 } });
    expect(JSON.stringify(done.body)).not.toMatch(/1\/\/|ya29/);
    // A full read: four events listed (the cancelled one is left out, showDeleted being false),
    // two a page, the second page asked for by its pageToken; no syncToken yet.
    const lists = google.requests.filter((r) => r.method === 'GET');
    expect(lists).toHaveLength(2);
    expect(lists[1]!.query!.get('pageToken')).toBeTruthy();
    expect(lists.some((r) => r.query!.has('syncToken'))).toBe(false);
    const replay = await admin('GET', `/calendars/oauth/google/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`);
    expect(replay.status).toBe(400);

    expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']);
    expect(await taken('2027-03-04')).toEqual(['16:00', '16:30']);
    const [friday] = [await taken('2027-03-05')];
    expect(friday.length).toBeGreaterThan(10);

    const booking = await t.request('POST', '/api/bookings', bookingBody('2027-03-08', '09:00'));
    expect(booking.status).toBe(201);
    await drain();
    const ours = [...google.events.values()].filter((e) => /^[0-9a-f]{32}$/.test(e.id));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ summary: 'Diagnostic et audit complet - Jean Martin', start: { dateTime: '2027-03-08T08:00:00.000Z' } });
    expect(ours[0]!.description).toContain(`Code de réservation : ${booking.body.booking.publicCode}`);

    const moved = await t.request('POST', `/api/bookings/${booking.body.booking.publicCode}/reschedule`, { email: 'jean@example.com', newDate: '2027-03-08', newTime: '14:00' });
    expect(moved.status).toBe(200);
    await drain();
    expect(google.events.get(ours[0]!.id)!.start).toEqual({ dateTime: '2027-03-08T13:00:00.000Z' });
    expect(google.requests.some((r) => r.method === 'PATCH')).toBe(true);
    const resync = await admin('POST', `/calendars/${created.body.calendar.id}/sync`);
    expect(resync.body.sync).toMatchObject({ ok: true, counts: { blocks: 3, ownEvents: 1 } });

    await t.request('POST', `/api/bookings/${booking.body.booking.publicCode}/cancel`, { email: 'jean@example.com' });
    await drain();
    expect(google.events.has(ours[0]!.id)).toBe(false);
    // Every call got a fresh access token from the refresh token.
    expect(google.requests.filter((r) => r.grant === 'refresh_token').length).toBeGreaterThan(2);

    google.revoke();
    t.clock.advance(1);
    const revoked = await admin('POST', `/calendars/${created.body.calendar.id}/sync`);
    expect(revoked.body.sync).toMatchObject({ ok: false, error: expect.stringMatching(/^Accès à Google Agenda refusé/) });
    const [shown] = (await admin('GET', '/calendars')).body.calendars;
    expect(shown.sync.lastError).toMatch(/Reconnectez ce calendrier/);
    expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']);
  });

  /** Connects the primary calendar through the OAuth flow; the answer of the callback (first, full read). */
  const connect = async () => {
    const created = await admin('POST', '/calendars', { providerId: 'google', name: 'Google Agenda' });
    const auth = new URL(created.body.authorizationUrl);
    const code = google.authorize(auth.searchParams.get('code_challenge')!);
    const done = await admin('GET', `/calendars/oauth/google/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(auth.searchParams.get('state')!)}`);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    return { id: created.body.calendar.id as string, sync: done.body.sync };
  };
  const paris = (local: string) => ({ dateTime: `${local}${Date.parse(`${local}Z`) >= Date.parse('2027-03-28T01:00:00Z') ? '+02:00' : '+01:00'}`, timeZone: 'Europe/Paris' });
  const lists = () => google.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/events'));

  it('incremental sync: events added, moved and deleted remotely, a series exception and cancelled occurrence, read from a syncToken; the horizon moving on needs no full read', async () => {
    google.events.clear();
    google.requests.length = 0;
    google.events.set('meeting1', { id: 'meeting1', summary: 'Réunion', start: paris('2027-03-03T10:00:00'), end: paris('2027-03-03T11:00:00') });
    google.events.set('dentist2', { id: 'dentist2', summary: 'Dentiste', start: paris('2027-03-05T11:00:00'), end: paris('2027-03-05T12:00:00') });
    // Every Tuesday 14:00 Paris, without end: its occurrences after the DST change stay at 14:00.
    google.events.set('weekly1', { id: 'weekly1', summary: 'Chantier hebdo', recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TU'], start: paris('2027-03-02T14:00:00'), end: paris('2027-03-02T15:00:00') });
    // Beyond the first window (which ends on 2027-05-31): imported once the horizon reaches it.
    google.events.set('june1', { id: 'june1', summary: 'Salon', start: paris('2027-06-03T10:00:00'), end: paris('2027-06-03T11:00:00') });

    const { id, sync } = await connect();
    expect(sync).toMatchObject({ ok: true, error: null });
    expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']);
    expect(await taken('2027-03-05')).toEqual(['11:00', '11:30']);
    expect(await taken('2027-03-09')).toEqual(['14:00', '14:30']);
    expect(await taken('2027-03-30')).toEqual(['14:00', '14:30']);
    const fullReads = lists().length;
    expect(lists().every((r) => !r.query!.has('syncToken') && r.query!.has('timeMin'))).toBe(true);

    // Changes made in Google Agenda.
    google.events.set('new1', { id: 'new1', summary: 'Nouveau client', start: paris('2027-03-04T09:00:00'), end: paris('2027-03-04T10:00:00') });
    google.events.set('meeting1', { ...google.events.get('meeting1')!, start: paris('2027-03-03T15:00:00'), end: paris('2027-03-03T16:00:00') });
    google.events.delete('dentist2');
    google.events.set('weekly1_20270309T130000Z', {
      id: 'weekly1_20270309T130000Z',
      summary: 'Chantier hebdo (décalé)',
      recurringEventId: 'weekly1',
      originalStartTime: paris('2027-03-09T14:00:00'),
      start: paris('2027-03-09T16:00:00'),
      end: paris('2027-03-09T17:00:00'),
    });
    google.events.set('weekly1_20270316T130000Z', { id: 'weekly1_20270316T130000Z', status: 'cancelled', recurringEventId: 'weekly1', originalStartTime: paris('2027-03-16T14:00:00'), start: {}, end: {} });

    t.clock.advance(1);
    const again = await admin('POST', `/calendars/${id}/sync`);
    expect(again.body.sync, JSON.stringify(again.body)).toMatchObject({ ok: true, error: null });
    const incremental = lists().slice(fullReads);
    expect(incremental.length).toBeGreaterThan(0);
    // Only the changes were asked for: the token, no time range.
    expect(incremental.every((r) => r.query!.has('syncToken') && !r.query!.has('timeMin') && !r.query!.has('timeMax'))).toBe(true);
    expect(await taken('2027-03-03')).toEqual(['15:00', '15:30']);
    expect(await taken('2027-03-04')).toEqual(['09:00', '09:30']);
    expect(await taken('2027-03-05')).toEqual([]);
    expect(await taken('2027-03-09')).toEqual(['16:00', '16:30']);
    expect(await taken('2027-03-16')).toEqual([]);
    expect(await taken('2027-03-23')).toEqual(['14:00', '14:30']);

    // A week later the horizon reaches June: the kept events are expanded over it, from a token.
    t.clock.advance(7 * 24 * 60);
    const later = await admin('POST', `/calendars/${id}/sync`);
    expect(later.body.sync).toMatchObject({ ok: true, error: null });
    expect(lists().slice(fullReads).every((r) => r.query!.has('syncToken'))).toBe(true);
    expect(await taken('2027-06-01')).toEqual(['14:00', '14:30']);
    expect(await taken('2027-06-03')).toEqual(['10:00', '10:30']);
    // What ended before the window (03-03, 03-04) is no longer kept; the series, its occurrences of
    // 03-09 and 03-16 and later events are.
    const kept = (await t.service.db.query<{ remote_id: string }>(`SELECT remote_id FROM calendar_remote_events ORDER BY remote_id`)).map((r) => r.remote_id);
    expect(kept).toEqual(['june1', 'weekly1', 'weekly1_20270309T130000Z', 'weekly1_20270316T130000Z']);
  });

  it('an expired sync token (410 GONE) is dropped for a full read, and the blocks are right afterwards', async () => {
    google.events.clear();
    google.requests.length = 0;
    google.events.set('meeting1', { id: 'meeting1', summary: 'Réunion', start: paris('2027-03-03T10:00:00'), end: paris('2027-03-03T11:00:00') });
    google.events.set('dentist2', { id: 'dentist2', summary: 'Dentiste', start: paris('2027-03-05T11:00:00'), end: paris('2027-03-05T12:00:00') });
    const { id } = await connect();
    expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']);

    google.expireSyncTokens();
    google.events.set('meeting1', { ...google.events.get('meeting1')!, start: paris('2027-03-03T15:00:00'), end: paris('2027-03-03T16:00:00') });
    google.events.delete('dentist2');
    google.events.set('new1', { id: 'new1', summary: 'Nouveau client', start: paris('2027-03-04T09:00:00'), end: paris('2027-03-04T10:00:00') });
    const before = lists().length;
    t.clock.advance(1);
    const resync = await admin('POST', `/calendars/${id}/sync`);
    expect(resync.body.sync, JSON.stringify(resync.body)).toMatchObject({ ok: true, error: null, counts: { blocks: 2 } });
    const after = lists().slice(before);
    expect(after[0]!.query!.has('syncToken')).toBe(true);
    expect(after[0]!.status).toBe(410);
    expect(after.slice(1).length).toBeGreaterThan(0);
    expect(after.slice(1).every((r) => !r.query!.has('syncToken') && r.query!.has('timeMin'))).toBe(true);
    expect(await taken('2027-03-03')).toEqual(['15:00', '15:30']);
    expect(await taken('2027-03-04')).toEqual(['09:00', '09:30']);
    expect(await taken('2027-03-05')).toEqual([]);

    // The new token works: the next sync is incremental again.
    const next = lists().length;
    t.clock.advance(1);
    expect((await admin('POST', `/calendars/${id}/sync`)).body.sync).toMatchObject({ ok: true });
    expect(lists().slice(next).map((r) => [r.query!.has('syncToken'), r.status ?? 200])).toEqual([[true, 200]]);
  });

  it('a sync running while a booking event is being written does not flag it as moved by hand (three interleavings)', async () => {
    google.events.clear();
    const { id } = await connect();
    const booking = await t.request('POST', '/api/bookings', bookingBody('2027-03-08', '09:00'));
    const code = booking.body.booking.publicCode;
    await drain();
    const flags = async () => ((await admin('GET', `/bookings/${code}`)).body.history as any[]).filter((h) => h.type === 'calendar_event_changed');
    const ours = () => [...google.events.values()].find((e) => /^[0-9a-f]{32}$/.test(e.id))!;
    const reschedule = (time: string) => t.request('POST', `/api/bookings/${code}/reschedule`, { email: 'jean@example.com', newDate: '2027-03-08', newTime: time });

    // 1. The event is written remotely, the export not yet recorded, when the sync lists it.
    expect((await reschedule('14:00')).status).toBe(200);
    t.clock.advance(1);
    const patch = google.hold('PATCH');
    const exporting = drain();
    await patch.reached;
    expect(ours().start).toEqual({ dateTime: '2027-03-08T13:00:00.000Z' });
    t.clock.advance(1);
    expect((await admin('POST', `/calendars/${id}/sync`)).body.sync).toMatchObject({ ok: true, counts: { ownEvents: 1 } });
    patch.release();
    await exporting;
    expect(await flags()).toEqual([]);

    // 2. The move is recorded as under way, not yet made remotely, when the sync lists it.
    expect((await reschedule('15:00')).status).toBe(200);
    t.clock.advance(1);
    const before = google.hold('PATCH', 'before');
    const moving = drain();
    await before.reached;
    expect(ours().start).toEqual({ dateTime: '2027-03-08T13:00:00.000Z' });
    t.clock.advance(1);
    expect((await admin('POST', `/calendars/${id}/sync`)).body.sync).toMatchObject({ ok: true, counts: { ownEvents: 1 } });
    before.release();
    await moving;
    expect(ours().start).toEqual({ dateTime: '2027-03-08T14:00:00.000Z' });
    expect(await flags()).toEqual([]);

    // 3. The sync lists the calendar, then the event is moved and recorded, then the sync compares.
    expect((await reschedule('16:00')).status).toBe(200);
    t.clock.advance(1);
    const listing = google.hold('GET');
    const syncing = admin('POST', `/calendars/${id}/sync`);
    await listing.reached;
    t.clock.advance(1);
    await drain();
    expect(ours().start).toEqual({ dateTime: '2027-03-08T15:00:00.000Z' });
    listing.release();
    expect((await syncing).body.sync).toMatchObject({ ok: true });
    expect(await flags()).toEqual([]);

    // Both settled, the next sync agrees; a move by hand is still flagged.
    t.clock.advance(1);
    await admin('POST', `/calendars/${id}/sync`);
    expect(await flags()).toEqual([]);
    google.events.set(ours().id, { ...ours(), start: { dateTime: '2027-03-08T16:00:00.000Z' }, end: { dateTime: '2027-03-08T17:00:00.000Z' } });
    t.clock.advance(1);
    await admin('POST', `/calendars/${id}/sync`);
    expect((await flags()).map((h) => h.data.change)).toEqual(['moved']);
  });

  it('an export that failed is not taken for a move by hand while its job retries', async () => {
    google.events.clear();
    const { id } = await connect();
    const booking = await t.request('POST', '/api/bookings', bookingBody('2027-03-08', '09:00'));
    const code = booking.body.booking.publicCode;
    await drain();
    const ours = () => [...google.events.values()].find((e) => /^[0-9a-f]{32}$/.test(e.id))!;
    const flags = async () => ((await admin('GET', `/bookings/${code}`)).body.history as any[]).filter((h) => h.type === 'calendar_event_changed');

    google.failNext('PATCH', 400);
    expect((await t.request('POST', `/api/bookings/${code}/reschedule`, { email: 'jean@example.com', newDate: '2027-03-08', newTime: '14:00' })).status).toBe(200);
    await drain();
    expect(ours().start).toEqual({ dateTime: '2027-03-08T08:00:00.000Z' });
    // A while later (the job waits for its retry): the calendar still shows the old time.
    t.clock.advance(15);
    const sync = await admin('POST', `/calendars/${id}/sync`);
    expect(sync.body.calendar.sync.lastExportError).toMatch(/non reporté dans ce calendrier/);
    expect(await flags()).toEqual([]);

    // The retry writes it; then the calendar and the booking agree.
    for (let i = 0; i < 10 && ours().start.dateTime !== '2027-03-08T13:00:00.000Z'; i++) {
      t.clock.advance(30);
      await drain();
    }
    expect(ours().start).toEqual({ dateTime: '2027-03-08T13:00:00.000Z' });
    t.clock.advance(1);
    await admin('POST', `/calendars/${id}/sync`);
    expect(await flags()).toEqual([]);
  });
});
