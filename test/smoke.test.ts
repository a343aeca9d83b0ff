import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exitWithin,
  freePort,
  http,
  killAllServiceProcesses,
  openWeekdayAhead,
  startServiceProcess,
  type ServiceProcess,
} from './helpers/process.ts';

/**
 * The service started the way the README says (`npm start`) on an empty PGlite directory,
 * used over real HTTP with the real clock, stopped, killed and restarted (decisions §1).
 * The tests of this file run in order and share the data directory.
 */

// A fresh PGlite (initdb in WebAssembly) + tsx start takes a few seconds alone, and far
// more on two busy cores.
const FIRST_START_MS = 60_000;
const RESTART_MS = 45_000;

// debug: a failure's output then shows how far start-up or shutdown got.
const LOG_LEVEL = 'debug';
const CUSTOMER = { name: 'Sophie Bernard', email: 'sophie.bernard@example.com', phone: '+33612345678' };

describe('smoke: npm start on an empty PGlite directory, restarts', () => {
  let dataDir: string;
  let current: ServiceProcess | undefined;
  // Real clock: the first open weekday at least 3 days ahead (decisions §2: Mon–Fri).
  const date = openWeekdayAhead(3);
  const booked: { code: string; time: string }[] = [];

  const start = async (how: 'npm' | 'node', timeoutMs: number): Promise<ServiceProcess> => {
    const p = startServiceProcess(how, { DATA_DIR: dataDir, LOG_LEVEL }, await freePort());
    await p.waitForHealth(timeoutMs);
    current = p;
    return p;
  };

  const book = async (p: ServiceProcess, time: string) => {
    const res = await http(p.baseUrl, 'POST', '/api/bookings', {
      serviceId: 'diag',
      date,
      time,
      customer: CUSTOMER,
      notifications: { email: true, sms: false },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking as { publicCode: string; status: string; date: string; time: string };
  };

  const slot = async (p: ServiceProcess, time: string) => {
    const res = await http(p.baseUrl, 'GET', `/api/availability?serviceId=diag&date=${date}`);
    expect(res.status).toBe(200);
    return (res.body.slots as { time: string; available: boolean }[]).find((s) => s.time === time);
  };

  const lookup = (p: ServiceProcess, code: string) =>
    http(p.baseUrl, 'GET', `/api/bookings/public?code=${encodeURIComponent(code)}&email=${encodeURIComponent(CUSTOMER.email)}`);

  beforeAll(() => {
    // Empty on purpose (not a template copy): the service must create, migrate and seed it.
    dataDir = join(mkdtempSync(join(tmpdir(), 'artisanconnect-smoke-')), 'data');
  });

  afterAll(async () => {
    await killAllServiceProcesses();
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  }, 30_000);

  it(
    'npm start creates, migrates and seeds an empty DATA_DIR, then serves the demo services',
    async () => {
      expect(existsSync(dataDir)).toBe(false);
      const p = await start('npm', FIRST_START_MS);
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);

      const health = await http(p.baseUrl, 'GET', '/api/health');
      expect(health).toEqual({ status: 200, body: { status: 'ok', database: 'pglite' } });

      const services = await http(p.baseUrl, 'GET', '/api/services');
      expect(services.status).toBe(200);
      const byId = new Map((services.body.services as { id: string }[]).map((s) => [s.id, s]));
      // decisions §2: the contract's two services, with their ids and values.
      expect(byId.get('diag')).toMatchObject({
        name: 'Diagnostic et audit complet',
        durationMinutes: 30,
        basePriceCents: 4000,
        depositRate: 0.3,
        depositCents: 1200,
      });
      expect(byId.get('urgence')).toMatchObject({
        name: 'Intervention urgente',
        durationMinutes: 45,
        basePriceCents: 12000,
        depositRate: 0.4,
        depositCents: 4800,
      });

      // decisions §1: the first start prints how to log in as the artisan, and it works.
      const printed = /e-mail : (\S+) — mot de passe : (\S+)/.exec(p.output());
      expect(printed, p.output().slice(-2000)).not.toBeNull();
      const login = await http(p.baseUrl, 'POST', '/api/admin/login', { email: printed![1], password: printed![2] });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ via: 'session', email: 'marc.dupont@artisanconnect.test' });
    },
    FIRST_START_MS + 30_000,
  );

  it('books a slot over real HTTP; the slot then shows as taken', async () => {
    const p = current!;
    expect((await slot(p, '10:00'))?.available).toBe(true);
    const booking = await book(p, '10:00');
    expect(booking).toMatchObject({ status: 'confirmed', date, time: '10:00' });
    expect(booking.publicCode).toMatch(/^AC-[A-Z0-9]{6}$/);
    booked.push({ code: booking.publicCode, time: '10:00' });
    expect((await slot(p, '10:00'))?.available).toBe(false);
  });

  it('SIGTERM stops the service cleanly: npm start exits 0 within a few seconds and the port closes', async () => {
    const p = current!;
    // The signal goes to the server process itself (the bottom of npm -> sh -> tsx -> node);
    // its exit code travels back up, so `npm start`'s own exit code is the server's.
    process.kill(p.serverPid(), 'SIGTERM');
    const exit = await exitWithin(p, 15_000);
    expect(exit, p.output()).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(5_000);
    await expect(fetch(`${p.baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    current = undefined;
  });

  it(
    'restarted on the same DATA_DIR, it keeps the booking and the slot stays unavailable',
    async () => {
      const p = await start('node', RESTART_MS);
      const found = await lookup(p, booked[0]!.code);
      expect(found.status, JSON.stringify(found.body)).toBe(200);
      expect(found.body.booking).toMatchObject({ publicCode: booked[0]!.code, status: 'confirmed', date, time: '10:00' });
      expect((await slot(p, '10:00'))?.available).toBe(false);
      // The demo artisan was not seeded a second time.
      const services = await http(p.baseUrl, 'GET', '/api/services');
      expect((services.body.services as { id: string }[]).filter((s) => s.id === 'diag')).toHaveLength(1);
    },
    RESTART_MS + 15_000,
  );

  it(
    'a process killed with SIGKILL right after a 201 loses nothing committed',
    async () => {
      const p = current!;
      const booking = await book(p, '11:00');
      booked.push({ code: booking.publicCode, time: '11:00' });
      p.signalGroup('SIGKILL');
      const exit = await exitWithin(p, 10_000);
      expect(exit.signal).toBe('SIGKILL');
      current = undefined;

      const again = await start('node', RESTART_MS);
      for (const b of booked) {
        const found = await lookup(again, b.code);
        expect(found.status, `${b.code}: ${JSON.stringify(found.body)}`).toBe(200);
        expect(found.body.booking).toMatchObject({ publicCode: b.code, status: 'confirmed', time: b.time });
        expect((await slot(again, b.time))?.available).toBe(false);
      }
      // Still fully usable after the crash: a new booking goes through.
      const after = await book(again, '14:00');
      expect(after.status).toBe('confirmed');

      process.kill(again.serverPid(), 'SIGTERM');
      expect((await exitWithin(again, 15_000)).code).toBe(0);
      current = undefined;
    },
    RESTART_MS + 45_000,
  );

  it(
    'a bad configuration (PORT=abc) stops start-up with a non-zero exit and a message naming PORT',
    async () => {
      const untouched = join(dataDir, '..', 'never-created');
      const p = startServiceProcess('npm', { DATA_DIR: untouched, LOG_LEVEL, PORT: 'abc' }, 0);
      const exit = await exitWithin(p, 30_000);
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(p.output()).toMatch(/\bPORT\b/);
      expect(existsSync(untouched)).toBe(false);
    },
    45_000,
  );
});
