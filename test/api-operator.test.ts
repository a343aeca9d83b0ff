import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuthOn } from '../src/main.ts';
import { ENGINES } from './helpers/db.ts';
import { DEMO_ARTISAN_EMAIL, TEST_PASSWORD, adminHeaders, loginAsArtisan, setDemoPassword } from './helpers/admin.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';

/**
 * The operator (issue 19, item 4): first start with the operator code from the log, a sign-in
 * apart from the artisans', the list of businesses with their figures, suspend and resume,
 * the plan, and the audit of it all. Clock: Thursday 2027-02-25 10:00 Paris, then March.
 */

function capturedLog() {
  const lines: { msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

const OPERATOR = { email: 'Exploitation@Hebergeur.fr', password: 'une-phrase-de-passe-operateur' };
const SECOND_ID = '0b9d9c4e-8f57-4c36-9d53-2f3c1b0f7a11';
const cookieOf = (res: { headers: Record<string, unknown> }, name: string): string => new RegExp(`${name}=[^;]+`).exec(String(res.headers['set-cookie']))![0];

describe.each(ENGINES)('the operator on %s', (engine) => {
  let t: TestService;
  const captured = capturedLog();
  let code: string;
  let op: { cookie: string; 'x-csrf-token': string };
  let demoId: string;

  const operatorSession = async () => {
    const res = await t.request('POST', '/api/operator/login', OPERATOR);
    expect(res.status).toBe(200);
    return { cookie: cookieOf(res, 'ac_operator'), 'x-csrf-token': res.body.csrfToken as string };
  };

  beforeAll(async () => {
    t = await startTestService(engine, { env: { LOG_LEVEL: 'info' }, log: captured.log });
    t.clock.set('2027-02-25T09:00:00Z');
    code = /code opérateur ([A-Z0-9-]+)/.exec(captured.lines.map((l) => l.msg).join('\n'))![1]!;
    demoId = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(
      `INSERT INTO artisans (id, display_name, email, phone, timezone, plan, created_at) VALUES ($1, 'Zoé Électricité', 'zoe@elec.test', '+33698765432', 'Europe/Paris', 'starter', $2)`,
      [SECOND_ID, new Date(t.clock.ms)],
    );
    // Two businesses: the demo's page is reached by its address (README, many businesses).
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demoId]);
  });
  afterAll(async () => t?.close());

  it('prints a one-time operator code at first start; the code holder creates the first operator, once', async () => {
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const line = captured.lines.find((l) => l.msg.includes(code))!;
    expect(line.msg).toContain('/operator');
    expect((await t.request('GET', '/api/operator/setup/status')).body).toEqual({ setupRequired: true });
    expect((await t.request('GET', '/api/operator/me')).status).toBe(401);

    const wrong = await t.request('POST', '/api/operator/setup', { ...OPERATOR, setupCode: 'AAAA-BBBB-CCCC' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('OPERATOR_SETUP_CODE_INVALID');
    expect(wrong.body.error.message).toMatch(/code opérateur/i);
    // The artisan's setup is done (demo): its route does not take the operator's code either.
    expect((await t.request('POST', '/api/setup', { setupCode: code, displayName: 'X', contactEmail: 'x@x.fr', signInEmail: 'x@x.fr', password: 'xxxxxxxxxxxx' })).status).toBe(409);

    const done = await t.request('POST', '/api/operator/setup', { ...OPERATOR, setupCode: code.toLowerCase() });
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    expect(done.body).toEqual({ email: 'exploitation@hebergeur.fr', csrfToken: expect.any(String) });
    const setCookie = String(done.headers['set-cookie']);
    expect(setCookie).toMatch(/ac_operator=/);
    expect(setCookie).toMatch(/Path=\/api\/operator/);
    expect(setCookie).toMatch(/HttpOnly/);
    op = { cookie: cookieOf(done, 'ac_operator'), 'x-csrf-token': done.body.csrfToken };
    expect((await t.request('GET', '/api/operator/me', undefined, op)).body.email).toBe('exploitation@hebergeur.fr');

    const again = await t.request('POST', '/api/operator/setup', { ...OPERATOR, setupCode: code });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('OPERATOR_SETUP_ALREADY_DONE');
    expect((await t.request('GET', '/api/operator/setup/status')).body).toEqual({ setupRequired: false });
    const rows = await t.service.db.query<{ password_hash: string }>('SELECT password_hash FROM operator_users');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('an operator sign-in is not an artisan sign-in, and the other way round', async () => {
    await setDemoPassword(t.service.db);
    const artisan = await loginAsArtisan(t);
    // Credentials of one are refused by the other.
    expect((await t.request('POST', '/api/operator/login', { email: DEMO_ARTISAN_EMAIL, password: TEST_PASSWORD })).status).toBe(401);
    expect((await t.request('POST', '/api/admin/login', OPERATOR)).status).toBe(401);
    // Cookies are not interchangeable, whatever name they are sent under.
    const artisanToken = artisan.cookie.split('=')[1]!;
    const operatorToken = op.cookie.split('=')[1]!;
    expect((await t.request('GET', '/api/operator/me', undefined, { cookie: `ac_operator=${artisanToken}` })).status).toBe(401);
    expect((await t.request('GET', '/api/operator/businesses', undefined, { cookie: artisan.cookie })).status).toBe(401);
    expect((await t.request('GET', '/api/admin/me', undefined, { cookie: `ac_session=${operatorToken}` })).status).toBe(401);
    expect((await t.request('GET', '/api/admin/me', undefined, { cookie: op.cookie })).status).toBe(401);
    // The artisan's API token opens no console either.
    expect((await t.request('GET', '/api/operator/businesses', undefined, adminHeaders())).status).toBe(401);
    // A console write needs the operator's own CSRF token, not the artisan's.
    const noCsrf = await t.request('POST', `/api/operator/businesses/${SECOND_ID}/suspend`, undefined, { cookie: op.cookie, 'x-csrf-token': artisan.csrf });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('CSRF_REJECTED');
    // A wrong password: the same French refusal as the back office.
    const bad = await t.request('POST', '/api/operator/login', { ...OPERATOR, password: 'pas-le-bon-mot-de-passe' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('INVALID_CREDENTIALS');
    const fresh = await t.request('POST', '/api/operator/login', OPERATOR);
    expect(fresh.status).toBe(200);
    expect(String(fresh.headers['set-cookie'])).not.toMatch(/ac_session=/);
  });

  it('lists the businesses with plan, status, bookings this month and last activity, searchable by name', async () => {
    // One booking in February, two in March for the demo; the second business only signs in.
    const feb = await t.request('POST', '/plomberie-dupont/api/bookings', bookingBody(parisDate(t.clock, 6), '09:00'));
    expect(feb.status, JSON.stringify(feb.body)).toBe(201);
    t.clock.set('2027-03-02T09:00:00Z');
    for (const time of ['09:00', '10:00']) expect((await t.request('POST', '/plomberie-dupont/api/bookings', bookingBody(parisDate(t.clock, 7), time))).status).toBe(201);
    const lastBookingMs = t.clock.ms;
    t.clock.set('2027-03-03T15:30:00Z');
    // Written by hand without a login: the operator gives it one under its contact e-mail (admin:password --email).
    const [second] = await adminAuthOn(t.service.db).ensureLogins({ email: 'Zoe@Elec.test' });
    expect((await t.request('POST', '/api/admin/login', second)).status).toBe(200);
    // The clock moved past the console's session: sign in again.
    op = await operatorSession();

    const list = await t.request('GET', '/api/operator/businesses', undefined, op);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.businesses.map((b: { displayName: string }) => b.displayName)).toEqual(['Marc Dupont - Plomberie', 'Zoé Électricité']);
    const [demo, zoe] = list.body.businesses;
    expect(demo).toMatchObject({ artisanId: demoId, plan: 'pro', status: 'active', suspendedAt: null, bookingsThisMonth: 2 });
    // The demo's admin sign-in (Feb 25) is older than its last booking (Mar 2).
    expect(Date.parse(demo.lastActivityAt)).toBe(lastBookingMs);
    expect(zoe).toMatchObject({ artisanId: SECOND_ID, plan: 'starter', status: 'active', bookingsThisMonth: 0, lastActivityAt: '2027-03-03T15:30:00.000Z' });

    const found = await t.request('GET', `/api/operator/businesses?q=${encodeURIComponent('électricité')}`, undefined, op);
    expect(found.body.businesses.map((b: { artisanId: string }) => b.artisanId)).toEqual([SECOND_ID]);
    // LIKE's own characters are taken literally.
    expect((await t.request('GET', '/api/operator/businesses?q=%25', undefined, op)).body).toMatchObject({ total: 0, businesses: [] });
    const beyond = await t.request('GET', '/api/operator/businesses?page=2', undefined, op);
    expect(beyond.body).toMatchObject({ total: 2, businesses: [], page: 2 });
    const badPage = await t.request('GET', '/api/operator/businesses?page=0', undefined, op);
    expect(badPage.status).toBe(400);
    expect(badPage.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('suspend: the page says so in French with the phone and takes no booking; data and back office stay; resume: bookings again', async () => {
    const date = parisDate(t.clock, 7);
    const before = (await t.service.db.query('SELECT 1 FROM bookings')).length;
    const suspended = await t.request('POST', `/api/operator/businesses/${demoId}/suspend`, undefined, op);
    expect(suspended.status, JSON.stringify(suspended.body)).toBe(204);

    const profile = await t.request('GET', '/plomberie-dupont/api/artisan');
    expect(profile.body.artisan).toMatchObject({ suspended: true, phoneText: '06 12 34 56 78' });
    const refused = await t.request('POST', '/plomberie-dupont/api/bookings', bookingBody(date, '14:00'));
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({
      code: 'BUSINESS_SUSPENDED',
      message: 'Ce professionnel ne prend pas de réservation en ligne pour le moment. Vous pouvez le joindre au 06 12 34 56 78.',
    });
    // With an Idempotency-Key too.
    expect((await t.request('POST', '/plomberie-dupont/api/bookings', bookingBody(date, '14:00'), { 'idempotency-key': 'k-suspended' })).body.error.code).toBe('BUSINESS_SUSPENDED');
    expect(await t.service.db.query('SELECT 1 FROM bookings')).toHaveLength(before);
    // The back office still signs in, sees its bookings, and is told.
    const artisan = await loginAsArtisan(t);
    expect((await t.request('GET', '/api/admin/me', undefined, { cookie: artisan.cookie })).body).toMatchObject({ suspended: true });
    expect((await t.request('GET', '/api/admin/bookings', undefined, adminHeaders())).status).toBe(200);
    // The other business is not touched.
    const list = await t.request('GET', '/api/operator/businesses', undefined, op);
    expect(list.body.businesses.map((b: { status: string }) => b.status)).toEqual(['suspended', 'active']);

    t.clock.advance(1);
    expect((await t.request('POST', `/api/operator/businesses/${demoId}/resume`, undefined, op)).status).toBe(204);
    expect((await t.request('GET', '/plomberie-dupont/api/artisan')).body.artisan.suspended).toBe(false);
    const booked = await t.request('POST', '/plomberie-dupont/api/bookings', bookingBody(date, '14:00'));
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expect((await t.request('GET', '/api/admin/me', undefined, { cookie: artisan.cookie })).body.suspended).toBe(false);

    const unknown = await t.request('POST', '/api/operator/businesses/6d0f9d1e-0000-4000-8000-000000000000/suspend', undefined, op);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('BUSINESS_NOT_FOUND');
  });

  it("a plan change shows in the business's back office; every action is in the audit", async () => {
    t.clock.advance(1);
    const changed = await t.request('PUT', `/api/operator/businesses/${demoId}/plan`, { plan: 'business' }, op);
    expect(changed.status).toBe(204);
    expect((await t.request('GET', '/api/admin/artisan', undefined, adminHeaders())).body.artisan.plan).toBe('business');
    expect((await t.request('GET', '/api/admin/me', undefined, adminHeaders())).body.plan).toBe('business');
    const bad = await t.request('PUT', `/api/operator/businesses/${demoId}/plan`, { plan: 'gold' }, op);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('plan');

    const audit = await t.request('GET', '/api/operator/audit', undefined, op);
    expect(audit.status).toBe(200);
    expect(audit.body.total).toBe(3);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(['plan', 'resume', 'suspend']);
    expect(audit.body.entries[0]).toMatchObject({
      operatorEmail: 'exploitation@hebergeur.fr',
      artisanId: demoId,
      artisanName: 'Marc Dupont - Plomberie',
      details: { from: 'pro', to: 'business' },
      createdAt: new Date(t.clock.ms).toISOString(),
    });
    // Signing out ends the console's session.
    expect((await t.request('POST', '/api/operator/logout', undefined, op)).status).toBe(204);
    expect((await t.request('GET', '/api/operator/audit', undefined, op)).status).toBe(401);
  });
});
