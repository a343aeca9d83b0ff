import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSafeFetch } from '../src/adapters/calendars/safe-fetch.ts';
import { startCalendarServer, type CalendarServer } from './helpers/calendar-server.ts';

/**
 * The fetch of artisan-typed URLs. The local test server is at 127.0.0.1, so each test says
 * which addresses count as allowed: exactly that one, everything else by the default rule.
 */
describe('calendar fetch guard (SSRF, size, time)', () => {
  let server: CalendarServer;
  beforeAll(async () => {
    server = await startCalendarServer();
  });
  afterAll(async () => server.close());
  const onlyTestServer = { allowPrivate: false, timeoutMs: 2_000, maxBytes: 1_000, isAllowedAddress: (a: string) => a === '127.0.0.1' };

  it('follows an allowed redirect', async () => {
    server.set('/moved', { status: 301, location: '/cal.ics' });
    server.set('/cal.ics', { body: 'BEGIN:VCALENDAR' });
    const res = await makeSafeFetch(onlyTestServer)(server.url('/moved'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('BEGIN:VCALENDAR');
  });

  it.each([
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['a private address', 'http://10.0.0.1/cal.ics'],
    ['another loopback address', 'http://127.0.0.2:9/cal.ics'],
  ])('refuses a redirect to %s', async (_label, target) => {
    server.set('/redirect', { status: 302, location: target });
    await expect(makeSafeFetch(onlyTestServer)(server.url('/redirect'))).rejects.toThrow(/réseau privé ou local/);
  });

  it('refuses loopback itself by default (no exception for the test server)', async () => {
    await expect(makeSafeFetch({ allowPrivate: false, timeoutMs: 2_000, maxBytes: 1_000 })(server.url('/cal.ics'))).rejects.toThrow(/réseau privé ou local/);
  });

  it('CALENDAR_ALLOW_PRIVATE_URLS lets it through', async () => {
    const res = await makeSafeFetch({ allowPrivate: true, timeoutMs: 2_000, maxBytes: 1_000 })(server.url('/cal.ics'));
    expect(res.status).toBe(200);
  });

  it('caps the size and the time', async () => {
    server.set('/big.ics', { body: 'X'.repeat(5_000) });
    await expect(makeSafeFetch(onlyTestServer)(server.url('/big.ics'))).rejects.toThrow(/taille maximale/);
    server.set('/slow.ics', { body: 'BEGIN:VCALENDAR', delayMs: 5_000 });
    await expect(makeSafeFetch({ ...onlyTestServer, timeoutMs: 300 })(server.url('/slow.ics'))).rejects.toThrow(/n'a pas répondu à temps/);
  });

  it('stops after too many redirects', async () => {
    server.set('/loop', { status: 302, location: '/loop' });
    await expect(makeSafeFetch(onlyTestServer)(server.url('/loop'))).rejects.toThrow(/Trop de redirections/);
  });
});
