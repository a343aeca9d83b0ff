import { randomBytes, randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { Temporal } from 'temporal-polyfill';
import { loadConfig } from '../../src/config.ts';
import type { PaymentProvider } from '../../src/app/ports/payments.ts';
import { compose, type Service } from '../../src/main.ts';
import type { OutboxQueue } from '../../src/adapters/outbox/outbox-queue.ts';
import type { WebhookTestAllowance } from '../../src/adapters/webhooks/webhook-sender.ts';
import type { Logger } from 'pino';
import type { Database } from '../../src/adapters/db/database.ts';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { TEST_ADMIN_TOKEN, adminHeaders } from './admin.ts';
import { createTestDatabase, resetBookings, type Engine, type TestDatabase } from './db.ts';

/** A clock the test sets; starts on Monday 2027-03-01 08:00 in Paris (07:00 UTC). */
export class TestClock {
  constructor(public ms = Date.parse('2027-03-01T07:00:00Z')) {}
  now = (): number => this.ms;
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
  advance(minutes: number): void {
    this.ms += minutes * 60_000;
  }
}

export interface TestService {
  service: Service;
  database: TestDatabase;
  clock: TestClock;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Shortcut: inject and parse JSON. */
  request(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * Boots the real service (same composition as `npm start`) on a private test database, with
 * a settable clock, the demo artisan seeded, and high rate limits unless a test asks otherwise.
 */
export async function startTestService(
  engine: Engine,
  options: {
    env?: Record<string, string>;
    clock?: TestClock;
    payments?: PaymentProvider;
    outbox?: (queue: OutboxQueue) => OutboxQueue;
    log?: Logger;
    /** The admin credential cache's clock (compose's `monotonic`). */
    monotonic?: () => number;
    /** Webhook receivers the test starts on the loopback (compose's `webhookTestReceivers`). */
    webhookTestReceivers?: WebhookTestAllowance;
  } = {},
): Promise<TestService> {
  const database = await createTestDatabase(engine);
  const clock = options.clock ?? new TestClock();
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MANAGE_PER_MINUTE: '10000',
    RATE_LIMIT_CREATE_PER_MINUTE: '10000',
    RATE_LIMIT_READ_PER_MINUTE: '10000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
    RATE_LIMIT_SIGNUP_PER_MINUTE: '10000',
    RATE_LIMIT_SIGNUP_CHECK_PER_MINUTE: '10000',
    RATE_LIMIT_BUSINESS_READ_PER_MINUTE: '100000',
    RATE_LIMIT_BUSINESS_CREATE_PER_MINUTE: '100000',
    RATE_LIMIT_API_KEY_PER_MINUTE: '1000000',
    ADMIN_API_TOKEN: TEST_ADMIN_TOKEN,
    ...options.env,
  });
  const service = await compose(config, {
    clock,
    db: database.db,
    random: { uuid: () => randomUUID(), bytes: (n) => randomBytes(n) },
    payments: options.payments,
    outbox: options.outbox,
    log: options.log,
    monotonic: options.monotonic,
    webhookTestReceivers: options.webhookTestReceivers,
  });
  await service.app.ready();
  const inject = (o: InjectOptions) => service.app.inject(o);
  return {
    service,
    database,
    clock,
    inject,
    async request(method, url, body, headers) {
      const res = await inject({ method, url, payload: body as InjectOptions['payload'], headers });
      let parsed: unknown = res.body;
      try {
        parsed = res.json();
      } catch {
        /* not JSON */
      }
      return { status: res.statusCode, body: parsed, headers: res.headers };
    },
    async close() {
      await service.close();
      await database.destroy();
    },
  };
}

/** The local date `days` after the clock's today in Paris, as YYYY-MM-DD. */
export function parisDate(clock: TestClock, days: number): string {
  return Temporal.Instant.fromEpochMilliseconds(clock.ms).toZonedDateTimeISO('Europe/Paris').toPlainDate().add({ days }).toString();
}

/** A valid booking body for the demo's 'diag' service. */
export function bookingBody(date: string, time: string, overrides: Record<string, unknown> = {}) {
  return {
    serviceId: 'diag',
    date,
    time,
    customer: { name: 'Jean Martin', email: 'jean@example.com', phone: '+33612345678' },
    notifications: { email: true, sms: false },
    ...overrides,
  };
}

/**
 * One service for the enclosing describe block: started before its tests, closed after, and
 * before each test the clock is set back to `startMs` and the bookings emptied. The returned
 * handle reads through to the running service.
 */
export function serviceForSuite(engine: Engine, startMs: number, options?: Parameters<typeof startTestService>[1]): TestService {
  let current: TestService | undefined;
  beforeAll(async () => {
    current = await startTestService(engine, options);
  });
  afterAll(async () => current?.close());
  beforeEach(async () => {
    current!.clock.ms = startMs;
    await resetBookings(current!.service.db);
  });
  return new Proxy({} as TestService, {
    get: (_target, property) => {
      if (!current) throw new Error('the suite service is not started yet');
      return current[property as keyof TestService];
    },
  });
}

/** Calendar suites' shortcuts on a test service: the admin API with the test token, the times the public availability shows taken, the worker run dry. */
export function calendarTestKit(t: TestService) {
  return {
    admin: (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders()),
    taken: async (date: string): Promise<string[]> =>
      ((await t.request('GET', `/api/availability?serviceId=diag&date=${date}`)).body.slots as { time: string; available: boolean }[])
        .filter((s) => !s.available)
        .map((s) => s.time),
    drain: async (): Promise<void> => {
      for (let i = 0; i < 20 && (await t.service.worker.runOnce()) > 0; i++);
    },
  };
}

/** Two instances of the service (each with its own caches) on one test database, for the enclosing describe block. */
export function twoInstances(
  engine: Engine,
  clock: TestClock,
  started: (database: TestDatabase, a: Service, b: Service) => void,
  /** What instance a sees of the database (e.g. a wrapper counting its statements). */
  viewOfA: (db: Database) => Database = (db) => db,
): void {
  let database: TestDatabase | undefined;
  let a: Service | undefined;
  let b: Service | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_READ_PER_MINUTE: '100000', RATE_LIMIT_CREATE_PER_MINUTE: '100000',
      RATE_LIMIT_BUSINESS_READ_PER_MINUTE: '1000000', RATE_LIMIT_BUSINESS_CREATE_PER_MINUTE: '100000', RATE_LIMIT_API_KEY_PER_MINUTE: '1000000', ADMIN_API_TOKEN: TEST_ADMIN_TOKEN });
    const random = { uuid: () => randomUUID(), bytes: (n: number) => randomBytes(n) };
    a = await compose(config, { db: viewOfA(database.db), clock, random });
    b = await compose(config, { db: database.db, clock, random });
    started(database, a, b);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.destroy();
  });
}
