import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { startFakeMicrosoft, type FakeGraphEvent, type FakeMicrosoft } from './helpers/fake-microsoft.ts';
import { bookingBody, calendarTestKit, serviceForSuite } from './helpers/service.ts';

/**
 * Outlook through Microsoft Graph: oauth4webapi and the official Graph client pointed at a local
 * server in the Microsoft identity platform + Graph wire formats. Clock: Monday 2027-03-01 08:00 Paris.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const CLIENT_ID = '6731de76-14a6-49ae-97bc-6eba6914391e';
const CLIENT_SECRET = 'qWgdYAmab0YSkuL1qKv5bPX';

const at = (dateTime: string, timeZone = 'UTC') => ({ dateTime, timeZone });

describe.each(ENGINES)('Outlook (Microsoft Graph) connection on %s', (engine) => {
  let ms: FakeMicrosoft;
  beforeAll(async () => {
    ms = await startFakeMicrosoft(CLIENT_ID, CLIENT_SECRET);
  });
  afterAll(async () => ms?.close());
  const t = serviceForSuite(engine, START, {
    env: {
      MICROSOFT_CLIENT_ID: CLIENT_ID,
      MICROSOFT_CLIENT_SECRET: CLIENT_SECRET,
      get MICROSOFT_OAUTH_BASE_URL() {
        return ms.url;
      },
      get MICROSOFT_GRAPH_BASE_URL() {
        return ms.url;
      },
    } as Record<string, string>,
  });
  const { admin, taken, drain } = calendarTestKit(t);
  const put = (e: FakeGraphEvent) => ms.events.set(e.id, e);

  it('code flow with PKCE, paged calendarView delta round, Windows zones, all-day, free and cancelled, bookings created/patched/deleted, 401 after revocation shown', async () => {
    ms.events.clear();
    put({ id: 'dentist', subject: 'Dentiste', showAs: 'busy', start: at('2027-03-03T09:00:00.0000000'), end: at('2027-03-03T10:00:00.0000000') });
    // 16:00 in Paris, given with the Windows name of its zone.
    put({ id: 'site', subject: 'Chantier', showAs: 'busy', start: at('2027-03-04T16:00:00.0000000', 'Romance Standard Time'), end: at('2027-03-04T17:00:00.0000000', 'Romance Standard Time') });
    put({ id: 'holiday', subject: 'Congé', isAllDay: true, showAs: 'oof', start: at('2027-03-05T00:00:00.0000000'), end: at('2027-03-06T00:00:00.0000000') });
    put({ id: 'free', subject: 'Libre', showAs: 'free', start: at('2027-03-04T08:00:00.0000000'), end: at('2027-03-04T09:00:00.0000000') });
    put({ id: 'gone', subject: 'Annulé', isCancelled: true, showAs: 'busy', start: at('2027-03-04T13:00:00.0000000'), end: at('2027-03-04T14:00:00.0000000') });

    const created = await admin('POST', '/calendars', { providerId: 'outlook', name: 'Outlook' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.sync).toMatchObject({ ok: false, error: expect.stringContaining('Autorisation Outlook en attente') });
    const auth = new URL(created.body.authorizationUrl);
    expect(`${auth.origin}${auth.pathname}`).toBe(`${ms.url}/common/oauth2/v2.0/authorize`);
    expect(Object.fromEntries(auth.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      redirect_uri: 'http://localhost:3000/api/admin/calendars/oauth/outlook/callback',
      response_type: 'code',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      state: expect.stringContaining(created.body.calendar.id),
    });
    expect(auth.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['offline_access', 'https://graph.microsoft.com/Calendars.ReadWrite']));
    const state = auth.searchParams.get('state')!;

    // A code given for another PKCE challenge is refused by the token endpoint.
    const stolen = ms.authorize('A'.repeat(43));
    const wrongVerifier = await admin('GET', `/calendars/oauth/outlook/callback?code=${encodeURIComponent(stolen)}&state=${encodeURIComponent(state)}`);
    expect(wrongVerifier.status).toBe(400);
    expect(wrongVerifier.body.error.details[0].field).toBe('code');

    const code = ms.authorize(auth.searchParams.get('code_challenge')!);
    const forged = await admin('GET', `/calendars/oauth/outlook/callback?code=${encodeURIComponent(code)}&state=${created.body.calendar.id}.0000`);
    expect(forged.status).toBe(400);
    const google = await admin('GET', `/calendars/oauth/google/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`);
    expect(google.status).toBe(400);
    const done = await admin('GET', `/calendars/oauth/outlook/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.sync).toMatchObject({ ok: true, error: null, counts: { blocks: 3, ownEvents: 0 } });
    expect(JSON.stringify(done.body)).not.toMatch(/M\.C5|eyJ0eXAi/);
    // Five events, two a page: a delta round of three requests, the first with the window, the
    // later ones following @odata.nextLink.
    const views = ms.requests.filter((r) => r.path === '/v1.0/me/calendarView/delta');
    expect(views).toHaveLength(3);
    expect(views[0]!.query).toContain('startDateTime=');
    expect(views[2]!.query).toContain('%24skiptoken=');
    const replay = await admin('GET', `/calendars/oauth/outlook/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`);
    expect(replay.status).toBe(400);

    expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']);
    expect(await taken('2027-03-04')).toEqual(['16:00', '16:30']);
    expect((await taken('2027-03-05')).length).toBeGreaterThan(10);

    const booking = await t.request('POST', '/api/bookings', bookingBody('2027-03-08', '09:00'));
    expect(booking.status).toBe(201);
    await drain();
    const ours = [...ms.events.values()].filter((e) => e.singleValueExtendedProperties?.some((p) => /^[0-9a-f-]{36}$/.test(p.value)));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ subject: 'Diagnostic et audit complet - Jean Martin', showAs: 'busy', start: { dateTime: '2027-03-08T08:00:00.000', timeZone: 'UTC' } });
    expect(JSON.stringify(ours[0]!.body)).toContain(`Code de réservation : ${booking.body.booking.publicCode}`);
    const ref = ours[0]!.id;

    const moved = await t.request('POST', `/api/bookings/${booking.body.booking.publicCode}/reschedule`, { email: 'jean@example.com', newDate: '2027-03-08', newTime: '14:00' });
    expect(moved.status).toBe(200);
    await drain();
    // Patched in place: same event, new time, no second event.
    expect(ms.events.get(ref)!.start).toEqual({ dateTime: '2027-03-08T13:00:00.000', timeZone: 'UTC' });
    expect(ms.requests.some((r) => r.method === 'PATCH' && r.path === `/v1.0/me/events/${encodeURIComponent(ref)}`)).toBe(true);
    expect([...ms.events.values()].filter((e) => e.singleValueExtendedProperties)).toHaveLength(1);
    const resync = await admin('POST', `/calendars/${created.body.calendar.id}/sync`);
    expect(resync.body.sync).toMatchObject({ ok: true, counts: { blocks: 3, ownEvents: 1 } });

    await t.request('POST', `/api/bookings/${booking.body.booking.publicCode}/cancel`, { email: 'jean@example.com' });
    await drain();
    expect(ms.events.has(ref)).toBe(false);
    // Access tokens are reused until shortly before they expire.
    expect(ms.requests.filter((r) => r.grant === 'refresh_token').length).toBeGreaterThanOrEqual(1);

    ms.revoke();
    t.clock.advance(1);
    const revoked = await admin('POST', `/calendars/${created.body.calendar.id}/sync`);
    expect(revoked.body.sync).toMatchObject({ ok: false, error: expect.stringMatching(/^Accès à Outlook refusé/) });
    const [shown] = (await admin('GET', '/calendars')).body.calendars;
    expect(shown.sync.lastError).toMatch(/Reconnectez ce calendrier/);
    // The previous blocks stay.
    expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']);
  });

  const connect = async () => {
    const created = await admin('POST', '/calendars', { providerId: 'outlook', name: 'Outlook' });
    const auth = new URL(created.body.authorizationUrl);
    const code = ms.authorize(auth.searchParams.get('code_challenge')!);
    const done = await admin('GET', `/calendars/oauth/outlook/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(auth.searchParams.get('state')!)}`);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    return { id: created.body.calendar.id as string, sync: done.body.sync };
  };
  const deltas = () => ms.requests.filter((r) => r.method === 'GET' && r.path === '/v1.0/me/calendarView/delta');
  const isFull = (r: { query?: string }) => new URLSearchParams(r.query).has('startDateTime');
  const isDelta = (r: { query?: string }) => new URLSearchParams(r.query).has('$deltatoken') || new URLSearchParams(r.query).has('$skiptoken');

  it('delta link: events added, moved and deleted remotely are applied from the delta link; refused (410) or outrun by the horizon, a full round starts again', async () => {
    ms.events.clear();
    ms.requests.length = 0;
    put({ id: 'meeting', subject: 'Réunion', showAs: 'busy', start: at('2027-03-03T09:00:00.0000000'), end: at('2027-03-03T10:00:00.0000000') });
    put({ id: 'dentist', subject: 'Dentiste', showAs: 'busy', start: at('2027-03-05T10:00:00.0000000'), end: at('2027-03-05T11:00:00.0000000') });
    put({ id: 'other', subject: 'Autre', showAs: 'busy', start: at('2027-03-10T13:00:00.0000000'), end: at('2027-03-10T14:00:00.0000000') });
    const { id, sync } = await connect();
    expect(sync).toMatchObject({ ok: true, counts: { blocks: 3 } });
    expect(await taken('2027-03-03')).toEqual(['10:00', '10:30']);
    const first = deltas().length;
    expect(deltas().filter(isFull)).toHaveLength(1);

    put({ id: 'new', subject: 'Nouveau client', showAs: 'busy', start: at('2027-03-04T08:00:00.0000000'), end: at('2027-03-04T09:00:00.0000000') });
    put({ ...ms.events.get('meeting')!, start: at('2027-03-03T14:00:00.0000000'), end: at('2027-03-03T15:00:00.0000000') });
    ms.events.delete('dentist');
    t.clock.advance(1);
    const again = await admin('POST', `/calendars/${id}/sync`);
    expect(again.body.sync, JSON.stringify(again.body)).toMatchObject({ ok: true, error: null, counts: { blocks: 3 } });
    const round = deltas().slice(first);
    expect(round.length).toBeGreaterThan(0);
    expect(round.every((r) => isDelta(r) && !isFull(r))).toBe(true);
    expect(await taken('2027-03-03')).toEqual(['15:00', '15:30']);
    expect(await taken('2027-03-04')).toEqual(['09:00', '09:30']);
    expect(await taken('2027-03-05')).toEqual([]);
    expect(await taken('2027-03-10')).toEqual(['14:00', '14:30']);

    // The delta link is refused: 410, then a full round, and the blocks are right.
    ms.expireDeltaTokens();
    ms.events.delete('other');
    const before = deltas().length;
    t.clock.advance(1);
    const resync = await admin('POST', `/calendars/${id}/sync`);
    expect(resync.body.sync, JSON.stringify(resync.body)).toMatchObject({ ok: true, error: null, counts: { blocks: 2 } });
    const after = deltas().slice(before);
    expect(after[0]).toMatchObject({ status: 410 });
    expect(isFull(after[1]!)).toBe(true);
    expect(await taken('2027-03-10')).toEqual([]);
    expect(await taken('2027-03-04')).toEqual(['09:00', '09:30']);

    // Within the day the window stays; two days later the horizon has passed its end: full round.
    const sameDay = deltas().length;
    t.clock.advance(60);
    await admin('POST', `/calendars/${id}/sync`);
    expect(deltas().slice(sameDay).some(isFull)).toBe(false);
    const later = deltas().length;
    t.clock.advance(2 * 24 * 60);
    expect((await admin('POST', `/calendars/${id}/sync`)).body.sync).toMatchObject({ ok: true });
    expect(deltas().slice(later).filter(isFull)).toHaveLength(1);
  });

  it('rotated refresh tokens are saved: the old one is refused afterwards and sync keeps working', async () => {
    ms.events.clear();
    ms.requests.length = 0;
    // Short-lived access tokens: every call refreshes, so every call rotates.
    ms.accessTokenSeconds = 30;
    try {
      put({ id: 'meeting', subject: 'Réunion', showAs: 'busy', start: at('2027-03-03T09:00:00.0000000'), end: at('2027-03-03T10:00:00.0000000') });
      const { id } = await connect();
      // Each sync reads the connection (its sealed token) again from the database: past the
      // second rotation, only a saved token still works.
      for (let i = 0; i < 3; i++) {
        t.clock.advance(1);
        expect((await admin('POST', `/calendars/${id}/sync`)).body.sync).toMatchObject({ ok: true, error: null });
      }
      const booking = await t.request('POST', '/api/bookings', bookingBody('2027-03-08', '09:00'));
      expect(booking.status).toBe(201);
      await drain();
      expect([...ms.events.values()].filter((e) => e.singleValueExtendedProperties)).toHaveLength(1);
      const refreshes = ms.requests.filter((r) => r.grant === 'refresh_token');
      expect(refreshes.length).toBeGreaterThanOrEqual(4);
      // Each refresh used the token the previous one gave: never one refused.
      expect(new Set(refreshes.map((r) => r.refreshToken)).size).toBe(refreshes.length);
      expect(refreshes.every((r) => r.status === undefined)).toBe(true);
      // The first token given stopped working once rotated.
      const old = await fetch(`${ms.url}/common/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshes[0]!.refreshToken!, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
      });
      expect(old.status).toBe(400);
      expect((await old.json()).error).toBe('invalid_grant');
    } finally {
      ms.accessTokenSeconds = 3599;
    }
  });
});
