import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { compose, type Service } from '../src/main.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { isDatabaseUnavailable, sqlState } from '../src/adapters/db/database.ts';
import { ENGINES, createTestLocation, dropTestLocation } from './helpers/db.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';
import { TestClock, bookingBody, parisDate } from './helpers/service.ts';
import { TEST_ADMIN_TOKEN, adminHeaders } from './helpers/admin.ts';

/**
 * The database going away while the service runs: a TCP proxy between the service and
 * PostgreSQL is cut (every connection dropped, new ones refused) and restored. Meanwhile
 * requests get 503 with the contract's body and nothing is half-written; afterwards the
 * service and its worker carry on without a restart, and /api/ready follows.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

if (ENGINES.includes('postgres')) {
  describe('database cut and restored on postgres', () => {
    it('503 with the contract body while it is away, nothing half-written, service and worker resume without a restart', async () => {
      const location = await createTestLocation('postgres');
      cleanups.push(() => dropTestLocation('postgres', location));
      const target = new URL(location);
      const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
      await proxy.start();
      cleanups.push(() => proxy.cut());
      const db = await openPostgres(proxy.url(location));
      cleanups.push(() => db.close());
      const clock = new TestClock();
      const service: Service = await compose(loadConfig({ LOG_LEVEL: 'silent', ADMIN_API_TOKEN: TEST_ADMIN_TOKEN, WORKER_POLL_MS: '100' }), { db, clock });
      cleanups.push(() => service.close());
      service.worker.start();
      const call = async (method: 'GET' | 'POST', url: string, payload?: unknown, headers?: Record<string, string>) => {
        const res = await service.app.inject({ method, url, payload: payload as object, headers });
        return { status: res.statusCode, body: res.json(), headers: res.headers };
      };
      const direct = new pg.Client({ connectionString: location }); // the test's own view, not through the proxy
      await direct.connect();
      cleanups.push(() => direct.end());
      const day = parisDate(clock, 2);

      await until('ready', async () => ((await call('GET', '/api/ready')).status === 200 ? true : undefined));
      expect((await call('POST', '/api/bookings', bookingBody(day, '09:00'))).status).toBe(201);

      await proxy.cut();
      const unavailable = { error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/indisponible/) } };
      for (const [method, url, body] of [
        ['GET', '/api/services'],
        ['GET', `/api/availability?serviceId=diag&date=${day}`],
        ['POST', '/api/bookings', bookingBody(day, '10:00', { customer: { name: 'Paul Coupure', email: 'coupure@example.com', phone: '+33612345679' } })],
      ] as const) {
        const res = await call(method, url, body);
        expect(res.status, `${method} ${url}`).toBe(503);
        expect(res.body).toEqual(unavailable);
        expect(res.headers['retry-after']).toBe('5');
      }
      const admin = await call('GET', '/api/admin/bookings', undefined, adminHeaders());
      expect(admin.status).toBe(503);
      expect(admin.body).toEqual(unavailable);

      const notReady = await call('GET', '/api/ready');
      expect(notReady.status).toBe(503);
      expect(notReady.body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(notReady.body.error.details).toContainEqual({ field: 'database', message: expect.stringMatching(/ne répond pas/) });
      expect(notReady.body.checks.database.ok).toBe(false);

      // Nothing of the refused booking reached the database.
      const written = await direct.query(`SELECT 1 FROM bookings WHERE customer_email = 'coupure@example.com'`);
      expect(written.rows).toEqual([]);

      await proxy.restore();
      const ready = await until('ready again', async () => {
        const res = await call('GET', '/api/ready');
        return res.status === 200 ? res : undefined;
      });
      expect(ready.body).toMatchObject({ status: 'ready', checks: { database: { ok: true }, migrations: { ok: true }, worker: { ok: true } } });

      // The slot refused during the cut was never held: the same request now succeeds.
      const retried = await call('POST', '/api/bookings', bookingBody(day, '10:00', { customer: { name: 'Paul Coupure', email: 'coupure@example.com', phone: '+33612345679' } }));
      expect(retried.status).toBe(201);
      const rows = await direct.query<{ status: string }>(`SELECT status FROM bookings WHERE customer_email = 'coupure@example.com'`);
      expect(rows.rows).toEqual([{ status: 'confirmed' }]);

      // The worker that kept running sends its confirmation (kept in the mailbox).
      await until('confirmation sent by the running worker', async () => {
        const mail = await direct.query(
          `SELECT 1 FROM mailbox m JOIN bookings b ON b.id = m.booking_id WHERE b.public_code = $1 AND m.recipient = 'coupure@example.com'`,
          [retried.body.booking.publicCode],
        );
        return mail.rows.length > 0 ? true : undefined;
      });
    }, 120_000);
  });
}

if (ENGINES.includes('postgres')) {
  describe('a database that goes silent on postgres (issue 18, defect 5)', () => {
    const BOUND_MS = 1_000;

    /** The time a promise took to settle, and how; `undefined` when it had not after `limitMs`. */
    async function timed<T>(work: Promise<T>, limitMs: number): Promise<{ ms: number; value?: T; error?: unknown } | undefined> {
      const started = Date.now();
      const settled = work.then(
        (value) => ({ ms: Date.now() - started, value }),
        (error: unknown) => ({ ms: Date.now() - started, error }),
      );
      return Promise.race([settled, new Promise<undefined>((r) => setTimeout(() => r(undefined), limitMs))]);
    }

    it('a frozen connection answers 503 with Retry-After within the query bound, is destroyed, and the service answers again once it thaws', async () => {
      const location = await createTestLocation('postgres');
      cleanups.push(() => dropTestLocation('postgres', location));
      const target = new URL(location);
      const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
      await proxy.start();
      cleanups.push(() => proxy.cut());
      const db = await openPostgres(proxy.url(location), { queryTimeoutMs: BOUND_MS });
      cleanups.push(() => db.close());
      const service: Service = await compose(loadConfig({ LOG_LEVEL: 'silent', ADMIN_API_TOKEN: TEST_ADMIN_TOKEN }), { db, clock: new TestClock() });
      cleanups.push(() => service.close());
      cleanups.push(async () => proxy.thaw()); // a failed test must not leave the closing service waiting
      const health = () => service.app.inject({ method: 'GET', url: '/api/health' });

      expect((await health()).statusCode).toBe(200);
      // Open connections, idle in the pool: the requests below each take one of them.
      await Promise.all([1, 2, 3].map(() => db.query('SELECT pg_sleep(0.05)')));
      proxy.freeze();
      const frozen = await timed(health(), 10_000);
      expect(frozen, 'GET /api/health answered while the database is silent').toBeDefined();
      const res = frozen!.value!;
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/indisponible/) } });
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // It waited for the bound (the server-side one cannot arrive), not much longer.
      expect(frozen!.ms).toBeGreaterThanOrEqual(BOUND_MS);
      expect(frozen!.ms).toBeLessThan(BOUND_MS + 2_500);

      // A transaction on a silent connection is bounded too (its ROLLBACK is not waited for).
      const tx = await timed(db.transaction((q) => q.query('SELECT 1')), 10_000);
      expect(tx, 'a transaction settled while the database is silent').toBeDefined();
      expect(tx!.error).toBeDefined();
      expect(tx!.ms).toBeLessThan(BOUND_MS + 2_500);

      // Every connection that hung was destroyed, not kept for the next request.
      await until('hung connections closed by the service', async () => {
        const stalled = proxy.proxied.filter((c) => c.stalled);
        return stalled.length >= 2 && stalled.every((c) => c.closed) ? true : undefined;
      }, 5_000);

      proxy.thaw();
      const back = await until('health 200 after the thaw', async () => {
        const r = await health();
        return r.statusCode === 200 ? r : undefined;
      }, 10_000);
      expect(back.json()).toEqual({ status: 'ok', database: 'postgres' });
      const services = await service.app.inject({ method: 'GET', url: '/api/services' });
      expect(services.statusCode).toBe(200);
    }, 60_000);

    it('a statement running past the bound is cancelled by the server; migrations get their own, longer bound', async () => {
      const location = await createTestLocation('postgres');
      cleanups.push(() => dropTestLocation('postgres', location));
      const db = await openPostgres(location, { queryTimeoutMs: BOUND_MS, maintenanceTimeoutMs: 10_000 });
      cleanups.push(() => db.close());
      const slow = await timed(db.query('SELECT pg_sleep(5)'), 10_000);
      expect(slow).toBeDefined();
      expect(sqlState(slow!.error)).toBe('57014'); // canceling statement due to statement timeout
      expect(isDatabaseUnavailable(slow!.error)).toBe(true); // so a request gets 503, not 500
      expect(slow!.ms).toBeLessThan(BOUND_MS + 1_000);
      expect(await db.query<{ ok: number }>('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
      // A migration (a maintenance transaction) may run longer than a request's statements.
      const migration = await db.transaction(async (tx) => tx.query<{ done: number }>('SELECT 1 AS done FROM pg_sleep(1.5)'), { maintenance: true });
      expect(migration).toEqual([{ done: 1 }]);
      // And the bound comes back after it.
      await expect(db.query('SELECT pg_sleep(1.5)')).rejects.toMatchObject({ code: '57014' });
    }, 30_000);
  });
}

describe.each(ENGINES)('readiness on %s', (engine) => {
  it('is 503 naming the worker until the outbox worker has polled, then 200', async () => {
    const { startTestService } = await import('./helpers/service.ts');
    const t = await startTestService(engine, { env: { WORKER_POLL_MS: '100' } });
    cleanups.push(() => t.close());
    const before = await t.request('GET', '/api/ready');
    expect(before.status).toBe(503);
    expect(before.body.error.details).toEqual([{ field: 'worker', message: expect.stringMatching(/pas démarrée/) }]);
    expect(before.body.checks).toMatchObject({ database: { ok: true, engine }, migrations: { ok: true, pending: [], unknown: [] }, worker: { ok: false } });

    t.service.worker.start();
    const after = await until('ready', async () => {
      const res = await t.request('GET', '/api/ready');
      return res.status === 200 ? res : undefined;
    });
    expect(after.body.checks.worker).toMatchObject({ ok: true, lastPollSecondsAgo: expect.any(Number) });
    // Liveness does not depend on the worker.
    expect((await t.request('GET', '/api/health')).status).toBe(200);
  });

  it('is 503 naming the migrations when the database lacks one of the code', async () => {
    const { startTestService } = await import('./helpers/service.ts');
    const t = await startTestService(engine, { env: { WORKER_POLL_MS: '100' } });
    cleanups.push(() => t.close());
    t.service.worker.start();
    await until('ready', async () => ((await t.request('GET', '/api/ready')).status === 200 ? true : undefined));
    const version = (await t.service.db.query<{ version: number }>('SELECT max(version) AS version FROM schema_migrations'))[0]!.version;
    await t.service.db.query('DELETE FROM schema_migrations WHERE version = $1', [version]);
    const res = await t.request('GET', '/api/ready');
    expect(res.status).toBe(503);
    expect(res.body.error.details).toEqual([{ field: 'migrations', message: expect.stringContaining(String(version)) }]);
    expect(res.body.checks.migrations).toMatchObject({ ok: false, pending: [version] });
  });
});
