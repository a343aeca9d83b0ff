import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_LANES } from '../src/app/calendar-sync.ts';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { startCalendarServer, type CalendarServer } from './helpers/calendar-server.ts';
import { startTestService, type TestService } from './helpers/service.ts';
import { addBusiness, type TestBusiness } from './helpers/tenants.ts';

/**
 * Fair at scale (issue 19 item 7): business A's calendars all stop answering (each sync hangs
 * until its 30 s timeout), more of them than a process has sync lanes. Business B's calendar
 * is still synced when due, pass after pass: A holds one sync at a time, in one lane.
 */
const fixture = (name: string) => readFileSync(new URL(`./fixtures/calendars/${name}`, import.meta.url), 'utf8');
const BROKEN = SYNC_LANES + 1;

describe.each(ENGINES)('calendar sync fairness between businesses on %s', (engine) => {
  let t: TestService;
  let server: CalendarServer;
  let b: TestBusiness;
  beforeAll(async () => {
    server = await startCalendarServer();
    t = await startTestService(engine, { env: { CALENDAR_ALLOW_PRIVATE_URLS: 'true', CALENDAR_FETCH_TIMEOUT_MS: '30000' } });
    const demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demo]);
    b = await addBusiness(t.service.db, demo, 'chauffage-martin', 'Chauffage Martin');
  });
  afterAll(async () => {
    // Closing the server ends the hanging requests, so the service's shutdown does not wait for their timeout.
    await server?.close();
    await t?.close();
  });

  const connect = async (path: string, headers: Record<string, string>) => {
    server.set(path, { body: fixture('icloud.ics') });
    const created = await t.request('POST', '/api/admin/calendars', { providerId: 'ics', name: path, url: server.url(path) }, headers);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.calendar.id as string;
  };

  it("B's calendar syncs on time, pass after pass, while every calendar of A hangs", async () => {
    // The business plan connects any number of calendars.
    await t.service.db.query(`UPDATE artisans SET plan = 'business' WHERE slug = 'plomberie-dupont'`);
    for (let i = 0; i < BROKEN; i++) await connect(`/a${i}.ics`, adminHeaders());
    await connect('/b.ics', { authorization: `Bearer ${b.token}` });
    for (let i = 0; i < BROKEN; i++) server.set(`/a${i}.ics`, { body: fixture('icloud.ics'), delayMs: 120_000 });
    const lastSuccessOfB = async (): Promise<string | null> =>
      (await t.request('GET', '/api/admin/calendars', undefined, { authorization: `Bearer ${b.token}` })).body.calendars[0].sync.lastSuccessAt;
    const hitsOf = (prefix: string) => [...server.hits].filter(([p]) => p.startsWith(prefix)).reduce((n, [, h]) => n + h, 0);
    expect(hitsOf('/a')).toBe(BROKEN);
    expect(hitsOf('/b')).toBe(1);

    // Every calendar is due (A's were created first: they are the oldest due).
    t.clock.advance(7);
    await t.service.worker.runOnce();
    await expect.poll(lastSuccessOfB, { timeout: 5_000, interval: 50 }).toBe('2027-03-01T08:07:00+01:00');
    expect(hitsOf('/b')).toBe(2);
    // A has one sync under way (hanging), not one per lane.
    expect(hitsOf('/a')).toBe(BROKEN + 1);

    // Due again an interval later: synced again, A's sync still hanging.
    t.clock.advance(7);
    await t.service.worker.runOnce();
    await expect.poll(lastSuccessOfB, { timeout: 5_000, interval: 50 }).toBe('2027-03-01T08:14:00+01:00');
    expect(hitsOf('/b')).toBe(3);
  }, 60_000);
});
