import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { startFakeGoogle, type FakeGoogle } from './helpers/fake-google.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

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
  const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  const taken = async (date: string) =>
    ((await t.request('GET', `/api/availability?serviceId=diag&date=${date}`)).body.slots as any[]).filter((s) => !s.available).map((s) => s.time);
  const drain = async () => {
    for (let i = 0; i < 20 && (await t.service.worker.runOnce()) > 0; i++);
  };

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
    // Three pages of two events each were read.
    expect(google.requests.filter((r) => r.method === 'GET').length).toBe(3);
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
});
