import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/main.ts';
import { ENGINES } from './helpers/db.ts';
import { TEST_ADMIN_TOKEN } from './helpers/admin.ts';
import { startTestService, type TestService } from './helpers/service.ts';

/**
 * A real artisan's first start (decisions §1, issue 11): an empty database is not seeded with
 * the demo when it is a server (DATABASE_URL), and the back office is claimed once, with the
 * setup code printed in the log. Clock: Monday 2027-03-01 08:00 Paris.
 */

describe('which databases get the demo artisan', () => {
  it('the embedded database by default; a server database only with SEED_DEMO=true', () => {
    expect(loadConfig({}).seedDemo).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db.example:5432/ac' }).seedDemo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db.example:5432/ac', SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(loadConfig({ SEED_DEMO: 'false' }).seedDemo).toBe(false);
  });
});

/** A logger whose lines the test reads (the setup code is only ever printed there). */
function capturedLog() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

const codeIn = (lines: { msg: string }[]): string | undefined => /code d'installation ([A-Z0-9-]+)/.exec(lines.map((l) => l.msg).join('\n'))?.[1];

const SETUP = {
  displayName: 'Sophie Martin Plomberie',
  trade: 'Plombière chauffagiste',
  contactEmail: 'contact@sophie-plomberie.fr',
  phone: '06 98 76 54 32',
  signInEmail: 'Sophie@Sophie-Plomberie.fr',
  password: 'un-mot-de-passe-tres-solide',
  timezone: 'Europe/Paris',
};

describe.each(ENGINES)('first start of a real artisan on an empty %s database', (engine) => {
  let t: TestService;
  const captured = capturedLog();
  let code: string;

  beforeAll(async () => {
    t = await startTestService(engine, { env: { SEED_DEMO: 'false', LOG_LEVEL: 'info' }, log: captured.log });
    code = codeIn(captured.lines)!;
  });
  afterAll(async () => t?.close());

  it('seeds nothing and prints a one-time setup code pointing to /admin', async () => {
    expect(await t.service.db.query('SELECT 1 FROM artisans')).toHaveLength(0);
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const line = captured.lines.find((l) => l.msg.includes(code))!;
    expect(line.msg).toContain('/admin');
    expect(line.msg).not.toMatch(/mot de passe/);
    expect((await t.request('GET', '/api/setup/status')).body).toEqual({ setupRequired: true });
    // No business yet: the booking page's API says so (there is nobody to book with).
    const services = await t.request('GET', '/api/services');
    expect(services.status).toBe(404);
    expect(services.body.error.code).toBe('BUSINESS_NOT_FOUND');
    expect((await t.request('GET', '/api/admin/me')).status).toBe(401);
  });

  it('nobody claims the instance without the code; bad input is refused in French and writes nothing', async () => {
    const wrong = await t.request('POST', '/api/setup', { ...SETUP, setupCode: 'AAAA-BBBB-CCCC' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('SETUP_CODE_INVALID');
    expect(wrong.body.error.message).toMatch(/code d'installation/i);
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const bad = await t.request('POST', '/api/setup', { ...SETUP, setupCode: code, phone: '12', password: 'court', timezone: 'Europe/Lutece' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['password', 'phone', 'timezone']);
    const missing = await t.request('POST', '/api/setup', { setupCode: code, displayName: 'X' });
    expect(missing.status).toBe(400);
    expect(await t.service.db.query('SELECT 1 FROM artisans')).toHaveLength(0);
    expect((await t.request('GET', '/api/setup/status')).body).toEqual({ setupRequired: true });
  });

  it('the code holder creates the artisan and is signed in; the code then works no more', async () => {
    // Typed in lower case without dashes: still the code. Two claims at once: one wins.
    const typed = code.toLowerCase().replace(/-/g, ' ');
    const [a, b] = await Promise.all([
      t.request('POST', '/api/setup', { ...SETUP, setupCode: typed }),
      t.request('POST', '/api/setup', { ...SETUP, setupCode: code, displayName: 'Un intrus' }),
    ]);
    const won = [a, b].filter((r) => r.status === 201);
    expect(won, JSON.stringify([a.body, b.body])).toHaveLength(1);
    expect([a, b].find((r) => r.status !== 201)!.body.error.code).toBe('SETUP_ALREADY_DONE');
    const res = won[0]!;
    expect(res.body).toMatchObject({ via: 'session', actor: 'artisan', email: 'sophie@sophie-plomberie.fr', csrfToken: expect.any(String) });
    expect(await t.service.db.query('SELECT 1 FROM artisans')).toHaveLength(1);

    const cookie = /ac_session=[^;]+/.exec(String(res.headers['set-cookie']))![0];
    const me = await t.request('GET', '/api/admin/me', undefined, { cookie });
    expect(me.status).toBe(200);
    expect(me.body.displayName).toBe(res.body.displayName);
    expect(['Sophie Martin Plomberie', 'Un intrus']).toContain(me.body.displayName);
    const artisan = (await t.request('GET', '/api/admin/artisan', undefined, { cookie })).body.artisan;
    expect(artisan).toMatchObject({ email: 'contact@sophie-plomberie.fr', phone: '+33698765432', timezone: 'Europe/Paris', plan: 'starter', openingRules: [] });

    const again = await t.request('POST', '/api/setup', { ...SETUP, setupCode: code });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('SETUP_ALREADY_DONE');
    expect((await t.request('GET', '/api/setup/status')).body).toEqual({ setupRequired: false });
    expect(await t.service.db.query(`SELECT 1 FROM app_secrets WHERE name = 'setup_code'`)).toHaveLength(0);

    // The sign-in works with the e-mail and password given; the demo's does not exist.
    const login = await t.request('POST', '/api/admin/login', { email: SETUP.signInEmail, password: SETUP.password });
    expect(login.status).toBe(200);
    expect(login.body.displayName).toBe(me.body.displayName);
    // ADMIN_API_TOKEN (configured) was seeded for the new artisan; /me says who and how.
    const byToken = await t.request('GET', '/api/admin/me', undefined, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
    expect(byToken.status).toBe(200);
    expect(byToken.body).toMatchObject({ via: 'token', actor: 'token:ADMIN_API_TOKEN', displayName: me.body.displayName, email: 'sophie@sophie-plomberie.fr' });
    expect(byToken.body.csrfToken).toBeUndefined();
  });

  it('then makes the weekly hours and a first service with the back office routes, and customers can book', async () => {
    const login = await t.request('POST', '/api/admin/login', { email: SETUP.signInEmail, password: SETUP.password });
    const headers = { cookie: /ac_session=[^;]+/.exec(String(login.headers['set-cookie']))![0], 'x-csrf-token': login.body.csrfToken as string };
    const hours = await t.request('PATCH', '/api/admin/artisan', { openingRules: [{ dayOfWeek: 3, startMinutes: 540, endMinutes: 660 }], breakRules: [], trade: 'Plombier' }, headers);
    expect(hours.status, JSON.stringify(hours.body)).toBe(200);
    expect(hours.body.artisan.trade).toBe('Plombier');
    const service = await t.request('POST', '/api/admin/services', { name: 'Recherche de fuite', durationMinutes: 60, basePriceCents: 9000, depositRate: 0.3 }, headers);
    expect(service.status, JSON.stringify(service.body)).toBe(201);

    const services = await t.request('GET', '/api/services');
    expect(services.body.services.map((s: { name: string }) => s.name)).toEqual(['Recherche de fuite']);
    const day = await t.request('GET', `/api/availability?serviceId=${service.body.service.id}&date=2027-03-03`);
    expect(day.status).toBe(200);
    expect(day.body.slots.filter((s: { available: boolean }) => s.available).map((s: { time: string }) => s.time)).toEqual(['09:00', '09:30', '10:00']);
  });

  it('a restart after the setup prints no setup code', async () => {
    const again = capturedLog();
    const other = await compose(loadConfig({ LOG_LEVEL: 'info', SEED_DEMO: 'false' }), { db: t.service.db, clock: t.clock, log: again.log });
    await other.close();
    expect(codeIn(again.lines)).toBeUndefined();
  });
});
