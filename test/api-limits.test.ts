import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';

/**
 * Per-IP rate limits (decisions §6), OpenAPI / docs, health and request ids. The limits are
 * set low for this service: manage 3, create 2, read 4 per minute. Each test speaks from its
 * own client address, so the buckets of one test never leak into another.
 */

const EMAIL = 'jean@example.com';
const FRENCH = /[àâçéèêëîïôûùœ]|\b(le|la|les|ce|cette|de|des|du|merci|pas|invalide|obligatoire)\b/i;

type Res = Awaited<ReturnType<TestService['request']>>;

function expectRateLimited(res: Res): void {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect(res.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(FRENCH) } });
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe.each(ENGINES)('limits and system endpoints on %s', (engine) => {
  let t: TestService;

  async function call(ip: string, method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const options: InjectOptions = { method, url, remoteAddress: ip, headers };
    if (body !== undefined) options.payload = body as InjectOptions['payload'];
    const res = await t.inject(options);
    let parsed: unknown;
    try {
      parsed = res.json();
    } catch {
      parsed = { raw: res.body };
    }
    return { status: res.statusCode, body: parsed, headers: res.headers };
  }

  async function book(ip: string, date: string, time: string): Promise<string> {
    const res = await call(ip, 'POST', '/api/bookings', bookingBody(date, time));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  }

  beforeAll(async () => {
    t = await startTestService(engine, {
      env: { RATE_LIMIT_MANAGE_PER_MINUTE: '3', RATE_LIMIT_CREATE_PER_MINUTE: '2', RATE_LIMIT_READ_PER_MINUTE: '4' },
    });
  });
  afterAll(async () => t?.close());

  describe('rate limits', () => {
    it('lookup, cancel and reschedule share one bucket: 2 lookups + 1 cancel pass, the next reschedule gets 429', async () => {
      const ip = '10.0.1.1';
      const code = await book(ip, '2027-03-10', '09:00');
      const other = await book(ip, '2027-03-10', '10:00');
      const q = `/api/bookings/public?code=${code}&email=${encodeURIComponent(EMAIL)}`;
      expect((await call(ip, 'GET', q)).status).toBe(200);
      expect((await call(ip, 'GET', q)).status).toBe(200);
      expect((await call(ip, 'POST', `/api/bookings/${code}/cancel`, { email: EMAIL })).status).toBe(200);
      const limited = await call(ip, 'POST', `/api/bookings/${other}/reschedule`, { email: EMAIL, newDate: '2027-03-11', newTime: '10:00' });
      expectRateLimited(limited);
      // Refused before it ran: the other booking did not move.
      const still = await t.service.db.query<{ status: string }>('SELECT status FROM bookings WHERE public_code = $1', [other]);
      expect(still[0]?.status).toBe('confirmed');
      // Lookups are refused too now, even well-formed ones.
      expectRateLimited(await call(ip, 'GET', q));
    });

    it('failed lookups count too (brute force of codes)', async () => {
      const ip = '10.0.1.2';
      for (let i = 0; i < 3; i++) {
        expect((await call(ip, 'GET', `/api/bookings/public?code=AC-ZZZZZ${i}&email=${encodeURIComponent(EMAIL)}`)).status).toBe(404);
      }
      expectRateLimited(await call(ip, 'GET', `/api/bookings/public?code=AC-ZZZZZ9&email=${encodeURIComponent(EMAIL)}`));
    });

    it('creation has its own bucket, separate from the manage bucket', async () => {
      const ip = '10.0.1.3';
      for (let i = 0; i < 3; i++) {
        expect((await call(ip, 'GET', `/api/bookings/public?code=AC-ZZZZZ${i}&email=${encodeURIComponent(EMAIL)}`)).status).toBe(404);
      }
      expectRateLimited(await call(ip, 'GET', `/api/bookings/public?code=AC-ZZZZZZ&email=${encodeURIComponent(EMAIL)}`));
      // The manage bucket is spent; creation still works twice, then is limited.
      await book(ip, '2027-03-11', '09:00');
      await book(ip, '2027-03-11', '09:30');
      const third = await call(ip, 'POST', '/api/bookings', bookingBody('2027-03-11', '10:00'));
      expectRateLimited(third);
      const created = await t.service.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM bookings WHERE starts_at = '2027-03-11T09:00:00Z'`,
      );
      expect(created[0]?.n).toBe(0); // 10:00 Paris was never booked
    });

    it('services and availability share the read bucket, apart from the others', async () => {
      const ip = '10.0.1.4';
      expect((await call(ip, 'GET', '/api/services')).status).toBe(200);
      expect((await call(ip, 'GET', '/api/availability?serviceId=diag&date=2027-03-03')).status).toBe(200);
      expect((await call(ip, 'GET', '/api/services')).status).toBe(200);
      expect((await call(ip, 'GET', '/api/availability?serviceId=urgence&date=2027-03-03')).status).toBe(200);
      expectRateLimited(await call(ip, 'GET', '/api/services'));
      expectRateLimited(await call(ip, 'GET', '/api/availability?serviceId=diag&date=2027-03-03'));
      // Creation from the same address is not affected.
      await book(ip, '2027-03-12', '09:00');
    });

    it('counts per client address, and ignores X-Forwarded-For without TRUST_PROXY', async () => {
      const ip = '10.0.1.5';
      for (let i = 0; i < 4; i++) expect((await call(ip, 'GET', '/api/services')).status).toBe(200);
      expectRateLimited(await call(ip, 'GET', '/api/services', undefined, { 'x-forwarded-for': '203.0.113.9' }));
      expect((await call('10.0.1.6', 'GET', '/api/services')).status).toBe(200);
    });
  });

  describe('documentation', () => {
    it('GET /api/openapi.json is OpenAPI 3.1 and lists every public path', async () => {
      const res = await call('10.0.2.1', 'GET', '/api/openapi.json');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(String(res.body.openapi)).toMatch(/^3\.1\./);
      const paths = res.body.paths as Record<string, Record<string, unknown>>;
      for (const [path, method] of [
        ['/api/services', 'get'],
        ['/api/availability', 'get'],
        ['/api/bookings', 'post'],
        ['/api/bookings/public', 'get'],
        ['/api/bookings/{publicCode}/cancel', 'post'],
        ['/api/bookings/{publicCode}/reschedule', 'post'],
        ['/api/health', 'get'],
      ] as const) {
        expect(paths[path], path).toBeDefined();
        expect(paths[path]![method], `${method} ${path}`).toBeDefined();
      }
    });

    it('GET /api/docs serves an HTML page', async () => {
      let res = await t.inject({ method: 'GET', url: '/api/docs', remoteAddress: '10.0.2.2' });
      if (res.statusCode >= 300 && res.statusCode < 400) {
        const location = String(res.headers.location ?? '/api/docs/');
        res = await t.inject({ method: 'GET', url: new URL(location, 'http://localhost/api/docs').pathname, remoteAddress: '10.0.2.2' });
      }
      if (res.statusCode === 404) res = await t.inject({ method: 'GET', url: '/api/docs/', remoteAddress: '10.0.2.2' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toMatch(/<html/i);
    });
  });

  describe('home page', () => {
    it('GET / is the French booking page (the browser tests drive it: test/browser-booking-page.test.ts)', async () => {
      const res = await t.inject({ method: 'GET', url: '/', remoteAddress: '10.0.2.3' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('lang="fr"');
      expect(res.body).toContain('<title>Prendre rendez-vous — ArtisanConnect</title>');
      // Self-contained: nothing is fetched from another host.
      expect(res.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    });
  });

  describe('health and request ids', () => {
    it('GET /api/health answers ok with the database engine', async () => {
      const res = await call('10.0.3.1', 'GET', '/api/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', database: engine });
    });

    it('every response carries an x-request-id, unique per request, echoing the caller’s', async () => {
      const ids = new Set<string>();
      for (const url of ['/api/health', '/api/services', '/api/nope', '/api/availability?serviceId=diag']) {
        const res = await call('10.0.3.2', 'GET', url);
        const id = res.headers['x-request-id'];
        expect(typeof id, url).toBe('string');
        expect(String(id).length).toBeGreaterThan(0);
        ids.add(String(id));
      }
      expect(ids.size).toBe(4);
      const echoed = await call('10.0.3.3', 'GET', '/api/health', undefined, { 'x-request-id': 'trace-abc-123' });
      expect(echoed.headers['x-request-id']).toBe('trace-abc-123');
      // Even a refused (429) response carries one.
      for (let i = 0; i < 4; i++) await call('10.0.3.4', 'GET', '/api/services');
      const limited = await call('10.0.3.4', 'GET', '/api/services');
      expect(limited.status).toBe(429);
      expect(typeof limited.headers['x-request-id']).toBe('string');
    });
  });
});
