import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';

// With REDIS_URL, the per-IP counters live in Redis: two instances of the service share them
// (decisions §1: no correctness may depend on process memory). CI sets TEST_REDIS_URL.
const REDIS = process.env.TEST_REDIS_URL ? [process.env.TEST_REDIS_URL] : [];

describe.each(REDIS)('rate limits shared through Redis (%s)', (redisUrl) => {
  let a: TestService;
  let b: TestService;
  const env = { REDIS_URL: redisUrl, RATE_LIMIT_MANAGE_PER_MINUTE: '3', RATE_LIMIT_CREATE_PER_MINUTE: '2' };
  beforeAll(async () => {
    a = await startTestService('pglite', { env });
    b = await startTestService('pglite', { env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('counts lookups made on two instances in one bucket', async () => {
    // A fresh address per run keeps earlier runs' counters out of the way.
    const ip = `10.${randomInt(255)}.${randomInt(255)}.${randomInt(1, 255)}`;
    const lookup = (t: TestService) =>
      t.inject({ method: 'GET', url: '/api/bookings/public?code=AC-AAAAAA&email=x@example.com', remoteAddress: ip });
    expect((await lookup(a)).statusCode).toBe(404);
    expect((await lookup(b)).statusCode).toBe(404);
    expect((await lookup(a)).statusCode).toBe(404);
    const limited = await lookup(b);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('keeps the creation bucket separate and shared', async () => {
    const ip = `10.${randomInt(255)}.${randomInt(255)}.${randomInt(1, 255)}`;
    const create = (t: TestService, time: string) =>
      t.inject({ method: 'POST', url: '/api/bookings', payload: bookingBody(parisDate(t.clock, 2), time), remoteAddress: ip });
    expect((await create(a, '09:00')).statusCode).toBe(201);
    expect((await create(b, '10:00')).statusCode).toBe(201);
    expect((await create(a, '11:00')).statusCode).toBe(429);
    // The manage bucket of that address is untouched by creations.
    const lookup = await b.inject({ method: 'GET', url: '/api/bookings/public?code=AC-AAAAAA&email=x@example.com', remoteAddress: ip });
    expect(lookup.statusCode).toBe(404);
  });
});

describe('rate limits when Redis is unreachable', () => {
  let t: TestService;
  beforeAll(async () => {
    // Nothing listens on port 1: the service starts anyway and serves requests.
    t = await startTestService('pglite', { env: { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_MANAGE_PER_MINUTE: '1' } });
  });
  afterAll(async () => t?.close());

  it('fails open: requests are answered, never with a 500', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await t.inject({ method: 'GET', url: '/api/bookings/public?code=AC-AAAAAA&email=x@example.com' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('BOOKING_NOT_FOUND');
    }
    expect((await t.inject({ method: 'GET', url: '/api/services' })).statusCode).toBe(200);
  });
});
