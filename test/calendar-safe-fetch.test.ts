import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress, makeSafeFetch } from '../src/adapters/calendars/safe-fetch.ts';
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

  // An IPv6 address that carries an IPv4 one ends up at that IPv4 address (or is a deprecated
  // form of it): each is refused when the IPv4 address inside is not public.
  it.each([
    ['IPv4-compatible (::/96), loopback', 'http://[::127.0.0.1]:4500/'],
    ['IPv4-compatible (::/96), cloud metadata', 'http://[::a9fe:a9fe]/'],
    ['IPv4-compatible (::/96), even a public one (deprecated form)', 'http://[::808:808]/'],
    ['IPv4-mapped, private', 'http://[::ffff:10.0.0.1]/'],
    ['IPv4-translated (RFC 6145), loopback', 'http://[::ffff:0:7f00:1]/'],
    ['NAT64 (64:ff9b::/96), cloud metadata', 'http://[64:ff9b::a9fe:a9fe]/'],
    ['local-use NAT64 (64:ff9b:1::/48)', 'http://[64:ff9b:1::a00:1]/'],
    ['6to4 (2002::/16), loopback', 'http://[2002:7f00:1::1]/'],
    ['6to4 (2002::/16), private', 'http://[2002:c0a8:101::1]/'],
    ['Teredo, private client address (10.0.0.1 obfuscated)', 'http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/'],
    ['Teredo, private server address (10.0.0.1)', 'http://[2001:0:a00:1:8000:63bf:f7f7:f7f7]/'],
  ])('refuses an IPv6 address embedding a non-public IPv4 one: %s', async (_label, url) => {
    await expect(makeSafeFetch({ allowPrivate: false, timeoutMs: 2_000, maxBytes: 1_000 })(url)).rejects.toThrow(/réseau privé ou local/);
  });

  it.each([
    ['NAT64 of 8.8.8.8 (an IPv6-only network with DNS64)', '64:ff9b::808:808'],
    ['6to4 of 8.8.8.8', '2002:808:808::1'],
    ['IPv4-mapped 8.8.8.8', '::ffff:8.8.8.8'],
    ['a public IPv6 address', '2606:4700:4700::1111'],
    ['a public IPv4 address', '8.8.8.8'],
  ])('still accepts %s', (_label, address) => expect(isPublicAddress(address)).toBe(true));
});
