import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { serviceForSuite, startTestService } from './helpers/service.ts';
import { DEMO_ARTISAN_EMAIL, TEST_ADMIN_TOKEN, TEST_PASSWORD, adminHeaders, loginAsArtisan, setDemoPassword } from './helpers/admin.ts';

const START = Date.parse('2027-03-01T07:00:00Z');

describe.each(ENGINES)('admin authentication on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  beforeAll(async () => {
    await setDemoPassword(t.service.db);
  });

  it('refuses admin routes without credentials, with a wrong token, a malformed header or a forged cookie', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TEST_ADMIN_TOKEN}x` },
      { authorization: TEST_ADMIN_TOKEN },
      { cookie: 'ac_session=forged' },
    ];
    for (const headers of attempts) {
      for (const [method, url] of [['GET', '/api/admin/me'], ['GET', '/api/admin/tokens'], ['POST', '/api/admin/tokens'], ['POST', '/api/admin/logout']] as const) {
        const res = await t.request(method, url, method === 'POST' ? { name: 'x' } : undefined, headers);
        expect(res.status, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body.error).toEqual({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/connexion/i) });
      }
    }
  });

  it('accepts the API token of the configuration and says who is calling', async () => {
    const res = await t.request('GET', '/api/admin/me', undefined, adminHeaders());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ via: 'token', actor: 'token:ADMIN_API_TOKEN' });
    expect(res.body.csrfToken).toBeUndefined();
    const artisan = await t.service.db.query<{ id: string }>('SELECT id FROM artisans');
    expect(res.body.artisanId).toBe(artisan[0]!.id);
    // The artisan's zone, so the back office shows every instant in it (the demo artisan is in Paris).
    expect(res.body.timezone).toBe('Europe/Paris');
    await t.service.db.query(`UPDATE artisans SET timezone = 'Indian/Reunion'`);
    try {
      expect((await t.request('GET', '/api/admin/me', undefined, adminHeaders())).body.timezone).toBe('Indian/Reunion');
    } finally {
      await t.service.db.query(`UPDATE artisans SET timezone = 'Europe/Paris'`);
    }
  });

  it('logs in with e-mail and password: HttpOnly SameSite=Lax cookie, not Secure over plain HTTP', async () => {
    const res = await t.request('POST', '/api/admin/login', { email: `  ${DEMO_ARTISAN_EMAIL.toUpperCase()} `, password: TEST_PASSWORD });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ via: 'session', actor: 'artisan', email: DEMO_ARTISAN_EMAIL, csrfToken: expect.any(String) });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^ac_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i);
    // The session token is stored hashed, never in clear.
    const token = /ac_session=([^;]+)/.exec(cookie)![1]!;
    const stored = await t.service.db.query<{ token_hash: string }>('SELECT token_hash FROM admin_sessions');
    expect(stored.map((s) => s.token_hash)).not.toContain(token);
  });

  it('a wrong password and an unknown e-mail get the same 401 body', async () => {
    const wrong = await t.request('POST', '/api/admin/login', { email: DEMO_ARTISAN_EMAIL, password: 'pas-le-bon-mot-de-passe' });
    const unknown = await t.request('POST', '/api/admin/login', { email: 'personne@example.com', password: TEST_PASSWORD });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Adresse e-mail ou mot de passe incorrect.' });
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const bad = await t.request('POST', '/api/admin/login', { email: 'pas-un-email', password: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('cookie-authenticated writes need the CSRF token; reads do not; API tokens need none', async () => {
    const { cookie, csrf } = await loginAsArtisan(t);
    const me = await t.request('GET', '/api/admin/me', undefined, { cookie });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ via: 'session', csrfToken: csrf });

    const noCsrf = await t.request('POST', '/api/admin/tokens', { name: 'Zapier' }, { cookie });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('CSRF_REJECTED');
    const wrongCsrf = await t.request('POST', '/api/admin/tokens', { name: 'Zapier' }, { cookie, 'x-csrf-token': `${csrf}x` });
    expect(wrongCsrf.status).toBe(403);
    expect((await t.request('GET', '/api/admin/tokens', undefined, { cookie })).body.tokens.map((x: { name: string }) => x.name)).not.toContain('Zapier');

    const ok = await t.request('POST', '/api/admin/tokens', { name: 'Zapier', scopes: ['bookings:read'] }, { cookie, 'x-csrf-token': csrf });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    // Making tokens is for the session: a token, even with every scope, makes none.
    const viaToken = await t.request('POST', '/api/admin/tokens', { name: 'Comptable', scopes: ['bookings:read'] }, adminHeaders());
    expect(viaToken.status).toBe(403);
    expect(viaToken.body.error.code).toBe('SESSION_REQUIRED');
  });

  it('creates an API token shown once, stored hashed, usable, listed without its secret, then revoked', async () => {
    const { cookie, csrf } = await loginAsArtisan(t);
    const session = { cookie, 'x-csrf-token': csrf };
    const created = await t.request('POST', '/api/admin/tokens', { name: 'Site web', scopes: ['bookings:read', 'settings'] }, session);
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^ac_[A-Za-z0-9_-]{40,}$/);
    expect(created.body.apiToken).toMatchObject({ name: 'Site web', prefix: token.slice(0, 8), scopes: ['bookings:read', 'settings'], revokedAt: null });
    const rows = await t.service.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    expect(rows.some((r) => r.token_hash.includes(token))).toBe(false);

    const me = await t.request('GET', '/api/admin/me', undefined, { authorization: `Bearer ${token}` });
    expect(me.body).toMatchObject({ via: 'token', actor: 'token:Site web' });
    const list = await t.request('GET', '/api/admin/tokens', undefined, session);
    expect(JSON.stringify(list.body)).not.toContain(token);
    const listed = list.body.tokens.find((x: { name: string }) => x.name === 'Site web');
    expect(listed.lastUsedAt).not.toBeNull();
    // "Last used" is kept to the minute: a read 30 s later leaves it, one 61 s after the first rewrites it.
    const lastUsedAt = async () =>
      (await t.request('GET', '/api/admin/tokens', undefined, session)).body.tokens.find((x: { name: string }) => x.name === 'Site web').lastUsedAt;
    t.clock.ms += 30_000;
    expect((await t.request('GET', '/api/admin/me', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect(await lastUsedAt()).toBe(listed.lastUsedAt);
    t.clock.ms += 31_000;
    expect((await t.request('GET', '/api/admin/me', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect(Date.parse(await lastUsedAt()) - Date.parse(listed.lastUsedAt)).toBe(61_000);

    expect((await t.request('DELETE', `/api/admin/tokens/${listed.id}`, undefined, session)).status).toBe(204);
    expect((await t.request('GET', '/api/admin/me', undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
    const again = await t.request('DELETE', `/api/admin/tokens/${listed.id}`, undefined, session);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('TOKEN_NOT_FOUND');
    expect((await t.request('DELETE', '/api/admin/tokens/not-a-uuid', undefined, session)).status).toBe(400);
  });

  it('logout ends the session on the server, not only in the browser', async () => {
    const { cookie, csrf } = await loginAsArtisan(t);
    const out = await t.request('POST', '/api/admin/logout', undefined, { cookie, 'x-csrf-token': csrf });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/ac_session=;/);
    expect((await t.request('GET', '/api/admin/me', undefined, { cookie })).status).toBe(401);
  });

  it('a session expires after ADMIN_SESSION_HOURS (12 h by default)', async () => {
    const { cookie } = await loginAsArtisan(t);
    t.clock.advance(11 * 60);
    expect((await t.request('GET', '/api/admin/me', undefined, { cookie })).status).toBe(200);
    t.clock.advance(61);
    expect((await t.request('GET', '/api/admin/me', undefined, { cookie })).status).toBe(401);
  });

  it('changing the password ends every session and the old password stops working', async () => {
    const other = await loginAsArtisan(t);
    const mine = await loginAsArtisan(t);
    const wrongCurrent = await t.request('POST', '/api/admin/password', { currentPassword: 'faux-mot-de-passe', newPassword: 'nouveau-mot-de-passe' }, { cookie: mine.cookie, 'x-csrf-token': mine.csrf });
    expect(wrongCurrent.status).toBe(401);
    const tooShort = await t.request('POST', '/api/admin/password', { currentPassword: TEST_PASSWORD, newPassword: 'court' }, { cookie: mine.cookie, 'x-csrf-token': mine.csrf });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error.details[0].message).toMatch(/au moins 10 caractères/);
    const changed = await t.request('POST', '/api/admin/password', { currentPassword: TEST_PASSWORD, newPassword: 'nouveau-mot-de-passe' }, { cookie: mine.cookie, 'x-csrf-token': mine.csrf });
    expect(changed.status).toBe(204);
    expect((await t.request('GET', '/api/admin/me', undefined, { cookie: other.cookie })).status).toBe(401);
    expect((await t.request('POST', '/api/admin/login', { email: DEMO_ARTISAN_EMAIL, password: TEST_PASSWORD })).status).toBe(401);
    await loginAsArtisan(t, 'nouveau-mot-de-passe');
    await setDemoPassword(t.service.db);
  });

  it('documents the admin routes with the session and, unless session-only, a token with the scope the route needs', async () => {
    const doc = (await t.request('GET', '/api/openapi.json')).body;
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.cookieAuth).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'ac_session' });
    // Reached signed out: the sign-in and "Mot de passe oublié".
    const signedOut = ['/api/admin/login', '/api/admin/password/forgot', '/api/admin/password/reset'];
    for (const path of Object.keys(doc.paths).filter((p) => p.startsWith('/api/admin/') && !signedOut.includes(p))) {
      for (const op of Object.values(doc.paths[path]) as { security?: unknown }[]) {
        expect(op.security, path).toContainEqual({ cookieAuth: [] });
        const bearer = (op.security as Record<string, string[]>[]).filter((s) => s.bearerAuth);
        // At most the one scope a token needs for it; none listed when any token will do (/me).
        for (const b of bearer) expect(b.bearerAuth!.length, path).toBeLessThanOrEqual(1);
      }
    }
    for (const path of signedOut) expect(doc.paths[path].post.security, path).toBeUndefined();
    expect(doc.paths['/api/services'].get.security).toBeUndefined();
  });
});

describe.each(ENGINES)('admin sign-in limits on %s', (engine) => {
  it('rate limits login attempts per IP (429 with Retry-After) and marks the cookie Secure behind HTTPS', async () => {
    const t = await startTestService(engine, { env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3', PUBLIC_BASE_URL: 'https://rdv.example.fr' } });
    try {
      await setDemoPassword(t.service.db);
      const ok = await t.request('POST', '/api/admin/login', { email: DEMO_ARTISAN_EMAIL, password: TEST_PASSWORD });
      expect(String(ok.headers['set-cookie'])).toMatch(/; Secure/i);
      for (let i = 0; i < 2; i++) {
        expect((await t.request('POST', '/api/admin/login', { email: DEMO_ARTISAN_EMAIL, password: 'mauvais-mot-de-passe' })).status).toBe(401);
      }
      const limited = await t.request('POST', '/api/admin/login', { email: DEMO_ARTISAN_EMAIL, password: TEST_PASSWORD });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});

describe.each(ENGINES)('a login flood from many addresses on %s', (engine) => {
  it('password checks beyond LOGIN_HASH_CONCURRENCY + LOGIN_HASH_QUEUE get 503 LOGIN_BUSY with Retry-After; the rest are answered', async () => {
    const t = await startTestService(engine, { env: { LOGIN_HASH_CONCURRENCY: '1', LOGIN_HASH_QUEUE: '2', RATE_LIMIT_LOGIN_PER_MINUTE: '10' } });
    try {
      await setDemoPassword(t.service.db);
      const first = await t.request('POST', '/api/admin/login', { email: 'inconnu@example.com', password: 'mauvais-mot-de-passe' });
      expect(first.status).toBe(401);
      // 30 wrong passwords at once, each from its own address: the per-IP limit never applies.
      const flood = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          t.inject({ method: 'POST', url: '/api/admin/login', remoteAddress: `10.9.${i >> 8}.${i & 255}`, payload: { email: DEMO_ARTISAN_EMAIL, password: 'mauvais-mot-de-passe' } }),
        ),
      );
      const byStatus = (status: number) => flood.filter((r) => r.statusCode === status);
      expect(flood.every((r) => r.statusCode === 401 || r.statusCode === 503), flood.map((r) => r.statusCode).join(',')).toBe(true);
      // One hashing, two waiting: at most three at a time are checked, the others refused at
      // once without hashing. (On a loaded machine a first hash may end before the last
      // request arrives and free a place, so more than three can be checked in all.)
      expect(byStatus(401).length).toBeGreaterThanOrEqual(3);
      expect(byStatus(503).length).toBeGreaterThanOrEqual(10);
      for (const busy of byStatus(503)) {
        expect(busy.json()).toEqual({ error: { code: 'LOGIN_BUSY', message: expect.stringMatching(/réessayer/) } });
        expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      // Once the flood is over, the artisan signs in.
      const res = await t.request('POST', '/api/admin/login', { email: DEMO_ARTISAN_EMAIL, password: TEST_PASSWORD });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    } finally {
      await t.close();
    }
  });
});
