import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { DEMO_ARTISAN_EMAIL } from './helpers/admin.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';

/**
 * Issue 18, defect 3: behind the documented nginx (`proxy_set_header X-Forwarded-For
 * $proxy_add_x_forwarded_for`), the header is whatever the client sent followed by the
 * address nginx saw. The client's address is the right-most one the trusted proxy added:
 * rotating the left part must not give a new rate-limit bucket. The proxy is at 127.0.0.1
 * (nginx on the same machine) and trusted by address.
 */
const PROXY = '127.0.0.1';
const TRUST_PROXY = PROXY;

describe.each(ENGINES)('rate limits behind the trusted proxy on %s', (engine) => {
  let t: TestService;

  beforeAll(async () => {
    t = await startTestService(engine, { env: { TRUST_PROXY, RATE_LIMIT_MANAGE_PER_MINUTE: '10', RATE_LIMIT_LOGIN_PER_MINUTE: '10' } });
  });
  afterAll(async () => t?.close());

  /** One request as nginx forwards it: the client's own header, then the address nginx saw. */
  async function viaProxy(method: 'GET' | 'POST', url: string, forwardedFor: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await t.inject({ method, url, remoteAddress: PROXY, headers: { 'x-forwarded-for': forwardedFor }, ...(body ? { payload: body as object } : {}) });
    return { status: res.statusCode, body: res.json() };
  }

  /** 25 tries, each claiming a new address on the left: the first 10 are answered, the 11th on are 429. */
  async function expectLimitedAfterTen(label: string, send: (i: number) => Promise<{ status: number; body: any }>, answered?: number): Promise<void> {
    const statuses: number[] = [];
    for (let i = 1; i <= 25; i++) statuses.push((await send(i)).status);
    expect(statuses[0], label).not.toBe(429);
    expect(statuses.slice(0, 10), label).toEqual(Array(10).fill(answered ?? statuses[0]));
    expect(statuses.slice(10), label).toEqual(Array(15).fill(429));
    const last = await send(26);
    expect(last.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
  }

  it('wrong-e-mail guesses on the .ics of a booking: 429 from the 11th, whatever the client writes on the left', async () => {
    const booked = await viaProxy('POST', '/api/bookings', '192.0.2.50', bookingBody('2027-03-10', '09:00'));
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const code = booked.body.booking.publicCode as string;
    await expectLimitedAfterTen(
      'ics',
      (i) => viaProxy('GET', `/api/bookings/${code}/ics?email=${encodeURIComponent(`devine${i}@example.com`)}`, `203.0.113.${i}, 10.8.9.9`),
      404,
    );
    // Another client behind the same proxy has its own bucket: the limit is per client, not per proxy.
    const other = await t.inject({ method: 'GET', url: `/api/bookings/${code}/ics?email=jean%40example.com`, remoteAddress: PROXY, headers: { 'x-forwarded-for': '10.8.9.20' } });
    expect(other.statusCode).toBe(200);
  });

  it('sign-in attempts are limited per client behind the proxy', async () => {
    await expectLimitedAfterTen(
      'login',
      (i) => viaProxy('POST', '/api/admin/login', `203.0.113.${i}, 10.8.9.10`, { email: DEMO_ARTISAN_EMAIL, password: `faux-${i}` }),
      401,
    );
  });

  it('first-start setup attempts are limited per client behind the proxy', async () => {
    const body = (i: number) => ({
      setupCode: `CODE-${i}`,
      displayName: 'Intrus',
      contactEmail: 'intrus@example.com',
      signInEmail: 'intrus@example.com',
      password: 'un-mot-de-passe-solide',
    });
    // The database already has its artisan: every try is refused, the 11th on without being looked at.
    await expectLimitedAfterTen('setup', (i) => viaProxy('POST', '/api/setup', `203.0.113.${i}, 10.8.9.11`, body(i)));
  });

  it('a client reaching the service directly (not through the proxy) is keyed on its own address, whatever header it sends', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++) {
      const res = await t.inject({ method: 'POST', url: '/api/admin/login', remoteAddress: '198.51.100.20', headers: { 'x-forwarded-for': `203.0.113.${i}` }, payload: { email: DEMO_ARTISAN_EMAIL, password: `faux-${i}` } });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
