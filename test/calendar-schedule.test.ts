import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose, type Service } from '../src/main.ts';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { startCalendarServer, type CalendarServer } from './helpers/calendar-server.ts';
import { serviceForSuite } from './helpers/service.ts';

/**
 * Background sync: each connection's next sync is a row with a lease, so two instances on one
 * database never sync a calendar twice, and a dead instance's lease runs out.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const fixture = (name: string) => readFileSync(new URL(`./fixtures/calendars/${name}`, import.meta.url), 'utf8');

describe.each(ENGINES)('calendar sync scheduling on %s', (engine) => {
  const t = serviceForSuite(engine, START, { env: { CALENDAR_ALLOW_PRIVATE_URLS: 'true' } });
  let server: CalendarServer;
  let second: Service;
  beforeAll(async () => {
    server = await startCalendarServer();
    // A second instance of the service on the same database (another process in production).
    second = await compose(loadConfig({ LOG_LEVEL: 'silent', CALENDAR_ALLOW_PRIVATE_URLS: 'true', SEED_DEMO: 'false' }), { db: t.service.db, clock: t.clock });
  });
  afterAll(async () => {
    await second?.close();
    await server?.close();
  });

  it('due connections are synced once by one instance; the next sync is about an interval later', async () => {
    server.set('/cal.ics', { body: fixture('icloud.ics') });
    const created = await t.request('POST', '/api/admin/calendars', { providerId: 'ics', name: 'Famille', url: server.url('/cal.ics') }, adminHeaders());
    expect(created.status).toBe(201);
    expect(server.hits.get('/cal.ics')).toBe(1);
    expect(await t.service.calendarSync.runDue()).toBe(0);

    t.clock.advance(7);
    server.set('/cal.ics', { body: fixture('google.ics') });
    const [a, b] = await Promise.all([t.service.calendarSync.runDue(), second.calendarSync.runDue()]);
    expect(a + b).toBe(1);
    expect(server.hits.get('/cal.ics')).toBe(2);
    const [shown] = (await t.request('GET', '/api/admin/calendars', undefined, adminHeaders())).body.calendars;
    expect(shown.sync.lastSuccessAt).toBe('2027-03-01T08:07:00+01:00');
    const next = Date.parse(shown.sync.nextSyncAt) - t.clock.ms;
    expect(next).toBeGreaterThanOrEqual(4 * 60_000);
    expect(next).toBeLessThanOrEqual(6 * 60_000);
  });

  it("a dead instance's lease blocks the connection until it runs out", async () => {
    server.set('/lease.ics', { body: fixture('icloud.ics') });
    const created = await t.request('POST', '/api/admin/calendars', { providerId: 'ics', name: 'Bail', url: server.url('/lease.ics') }, adminHeaders());
    t.clock.advance(7);
    await t.service.db.query(`UPDATE calendar_connections SET lease_owner = 'dead-instance', lease_until = $2 WHERE id = $1`, [
      created.body.calendar.id,
      new Date(t.clock.ms + 60_000).toISOString(),
    ]);
    expect(await t.service.calendarSync.runDue()).toBe(0);
    const busy = await t.request('POST', `/api/admin/calendars/${created.body.calendar.id}/sync`, undefined, adminHeaders());
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('CALENDAR_SYNC_IN_PROGRESS');
    t.clock.advance(2);
    expect(await t.service.calendarSync.runDue()).toBe(1);
    expect(server.hits.get('/lease.ics')).toBe(2);
  });
});
