import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import { startCalendarServer, type CalendarServer } from './helpers/calendar-server.ts';
import { ENGINES } from './helpers/db.ts';
import { serviceForSuite } from './helpers/service.ts';
import { TEST_RECEIVERS, drainWebhooks, startReceiver, verifies, type Receiver } from './helpers/webhook-receiver.ts';

/**
 * calendar.sync_failed (issue 21): a connected calendar that stops syncing is one event, written
 * with the failure; failing again says nothing more; working again, then failing, is a new one.
 * A local server stands for the calendar's secret address. Clock: Monday 2027-03-01 08:00 Paris.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const EMPTY = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n';

describe.each(ENGINES)('calendar.sync_failed on %s', (engine) => {
  const t = serviceForSuite(engine, START, { env: { CALENDAR_ALLOW_PRIVATE_URLS: 'true' }, webhookTestReceivers: TEST_RECEIVERS });
  let server: CalendarServer;
  let receiver: Receiver;
  beforeAll(async () => {
    server = await startCalendarServer();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });
  const admin = (method: 'GET' | 'POST', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());

  it('is sent once when a calendar stops syncing, and again only after it worked in between', async () => {
    const endpoint = await admin('POST', '/webhook-endpoints', { url: receiver.url(), eventTypes: ['calendar.sync_failed'] });
    expect(endpoint.status).toBe(201);
    server.set('/perso.ics', { body: EMPTY });
    const created = await admin('POST', '/calendars', { providerId: 'ics', name: 'Agenda perso', url: server.url('/perso.ics') });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.sync).toMatchObject({ ok: true });
    const id = created.body.calendar.id as string;
    const sync = async () => (await admin('POST', `/calendars/${id}/sync`)).body.sync as { ok: boolean; error: string | null };

    server.set('/perso.ics', { status: 500, body: 'panne' });
    expect((await sync()).ok).toBe(false);
    t.clock.ms += 60_000;
    expect((await sync()).ok).toBe(false);
    await drainWebhooks(t);
    expect(receiver.received.map((r) => r.json.type)).toEqual(['calendar.sync_failed']);
    const first = receiver.received[0]!;
    expect(verifies(endpoint.body.secret as string, first)).toBe(true);
    expect(first.json.data).toEqual({ calendar: { id, name: 'Agenda perso', providerId: 'ics' }, error: expect.any(String) });
    expect(first.json.data.error.length).toBeGreaterThan(0);

    server.set('/perso.ics', { body: EMPTY });
    t.clock.ms += 60_000;
    expect((await sync()).ok).toBe(true);
    server.set('/perso.ics', { status: 404, body: 'introuvable' });
    t.clock.ms += 60_000;
    expect((await sync()).ok).toBe(false);
    await drainWebhooks(t);
    expect(receiver.received.map((r) => r.json.type)).toEqual(['calendar.sync_failed', 'calendar.sync_failed']);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(2);
    // In the catch-up feed too, as any event.
    expect((await admin('GET', '/events')).body.events.map((e: { type: string }) => e.type)).toEqual(['calendar.sync_failed', 'calendar.sync_failed']);
  });
});
