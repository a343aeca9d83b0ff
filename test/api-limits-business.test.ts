import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_KEYS } from '../src/adapters/http/rate-limits.ts';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';
import { addBusiness, type TestBusiness } from './helpers/tenants.ts';

/**
 * Rate limits per client and per business (issue 19 item 7). This service allows each client
 * 2 reads and 1 booking a minute, and each business 5 reads and 2 bookings a minute, all
 * clients together. Every request speaks from its own address unless a test says otherwise.
 */
const LIMITS = {
  RATE_LIMIT_READ_PER_MINUTE: '2',
  RATE_LIMIT_CREATE_PER_MINUTE: '1',
  RATE_LIMIT_MANAGE_PER_MINUTE: '3',
  RATE_LIMIT_BUSINESS_READ_PER_MINUTE: '5',
  RATE_LIMIT_BUSINESS_CREATE_PER_MINUTE: '2',
};

let lastIp = 0;
const freshIp = (): string => {
  lastIp++;
  return `10.${(lastIp >> 16) & 255}.${(lastIp >> 8) & 255}.${lastIp & 255}`;
};

async function withTwoBusinesses(t: TestService): Promise<TestBusiness> {
  const demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
  await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demo]);
  return addBusiness(t.service.db, demo, 'chauffage-martin', 'Chauffage Martin');
}

describe.each(ENGINES)('rate limits per business on %s', (engine) => {
  let t: TestService;
  let b: TestBusiness;
  beforeAll(async () => {
    t = await startTestService(engine, { env: LIMITS });
    b = await withTwoBusinesses(t);
  });
  afterAll(async () => t?.close());

  const read = (slug: string, ip = freshIp()) => t.inject({ method: 'GET', url: `/${slug}/api/services`, remoteAddress: ip });
  const book = (slug: string, time: string, ip = freshIp()) =>
    t.inject({ method: 'POST', url: `/${slug}/api/bookings`, payload: bookingBody(parisDate(t.clock, 3), time), remoteAddress: ip });

  it("a flood on one business's page, from many addresses, is refused there and leaves the other business alone", async () => {
    for (let i = 0; i < 5; i++) expect((await read('plomberie-dupont')).statusCode).toBe(200);
    const refused = await read('plomberie-dupont');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The same kind of request, from the same new address, to the other business.
    expect((await read(b.slug)).statusCode).toBe(200);
    expect((await t.inject({ method: 'GET', url: `/${b.slug}/api/availability?serviceId=diag&date=${parisDate(t.clock, 3)}`, remoteAddress: freshIp() })).statusCode).toBe(200);
  });

  it('counts bookings per business too: the third of a minute is refused and nothing is booked; the other business still books', async () => {
    expect((await book(b.slug, '09:00')).statusCode).toBe(201);
    expect((await book(b.slug, '10:00')).statusCode).toBe(201);
    const refused = await book(b.slug, '11:00');
    expect(refused.statusCode).toBe(429);
    const booked = await t.service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE artisan_id = $1`, [b.id]);
    expect(booked[0]!.n).toBe(2);
    expect((await book('plomberie-dupont', '11:00')).statusCode).toBe(201);
  });

  it("a client over its own limit is refused by its own bucket and does not spend its business's budget", async () => {
    const demo = (await t.service.db.query<{ id: string }>(`SELECT id FROM artisans WHERE slug = 'plomberie-dupont'`))[0]!.id;
    const c = await addBusiness(t.service.db, demo, 'menuiserie-roux', 'Menuiserie Roux');
    const greedy = freshIp();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await read(c.slug, greedy)).statusCode);
    expect(answers).toEqual([200, 200, 429, 429, 429, 429]);
    // The business spent 2 of its 5: three other clients are still served, not a fourth.
    for (let i = 0; i < 3; i++) expect((await read(c.slug)).statusCode).toBe(200);
    expect((await read(c.slug)).statusCode).toBe(429);
  });

  it(`keeps at most ${RATE_LIMIT_KEYS} counters in memory: the least recently used is dropped`, async () => {
    const first = freshIp();
    // Refused before its query is checked (the limit runs first): cheap requests.
    const lookup = (ip: string) => t.inject({ method: 'GET', url: '/api/bookings/public', remoteAddress: ip });
    for (let i = 0; i < 3; i++) expect((await lookup(first)).statusCode).toBe(400);
    expect((await lookup(first)).statusCode).toBe(429);
    // Not before the bound: with RATE_LIMIT_KEYS - 1 others it is still counted (and used again).
    for (let i = 0; i < RATE_LIMIT_KEYS - 1; i++) await lookup(freshIp());
    expect((await lookup(first)).statusCode).toBe(429);
    for (let i = 0; i < RATE_LIMIT_KEYS; i++) await lookup(freshIp());
    // Its counter was evicted by the newer ones: the bucket did not grow past its bound.
    expect((await lookup(first)).statusCode).toBe(400);
  }, 120_000);
});

// With Redis (shared by the instances, test/rate-limit-redis.test.ts), a business's counter expires with its window.
const REDIS = process.env.TEST_REDIS_URL ? [process.env.TEST_REDIS_URL] : [];
describe.each(REDIS)('business rate limits in Redis (%s)', (redisUrl) => {
  let a: TestService;
  let b: TestBusiness;
  let redis: Redis;
  beforeAll(async () => {
    // A business id is random per run: earlier runs' counters never get in the way.
    a = await startTestService('pglite', { env: { ...LIMITS, REDIS_URL: redisUrl } });
    b = await withTwoBusinesses(a);
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    redis?.disconnect();
    await a?.close();
  });

  it("counts a business's reads in one Redis counter that expires with its minute", async () => {
    const ip = () => `10.${randomInt(255)}.${randomInt(255)}.${randomInt(1, 255)}`;
    for (let i = 0; i < 5; i++) expect((await a.inject({ method: 'GET', url: `/${b.slug}/api/services`, remoteAddress: ip() })).statusCode).toBe(200);
    expect((await a.inject({ method: 'GET', url: `/${b.slug}/api/services`, remoteAddress: ip() })).statusCode).toBe(429);
    // (The plugin puts its per-limiter prefix between the namespace and our key.)
    const keys = await redis.keys(`ac-rl:*business-read:${b.id}`);
    expect(keys).toHaveLength(1);
    const ttl = await redis.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});
