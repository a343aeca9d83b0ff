import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../src/adapters/db/migrate.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { ENGINES, createEmptyServerDatabase, dropTestLocation } from './helpers/db.ts';
import { bookingBody, serviceForSuite, type TestService } from './helpers/service.ts';
import { adminHeaders, artisanSessionHeaders, loginAsArtisan, TEST_PASSWORD } from './helpers/admin.ts';
import { adminAuthOn } from '../src/main.ts';

/**
 * Issue 18, defect 2: API tokens carry scopes chosen at creation; token management, the
 * password and the backup need the artisan's session; revoking a token revokes the tokens
 * it created. Clock: Monday 2027-03-01 08:00 in Paris.
 */
type Res = Awaited<ReturnType<TestService['request']>>;
const START = Date.parse('2027-03-01T07:00:00Z');

function expectRefused(res: Res, code: 'SESSION_REQUIRED' | 'TOKEN_SCOPE_MISSING'): void {
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(res.body.error.code).toBe(code);
  // A French sentence that says what is missing.
  expect(res.body.error.message).toMatch(code === 'SESSION_REQUIRED' ? /session/i : /droit/i);
  expect(res.body.error.message).toMatch(/jeton/i);
}

describe.each(ENGINES)('API token scopes on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  let session: Record<string, string>;
  beforeAll(async () => {
    session = await artisanSessionHeaders(t);
  });

  const tokenCount = async () => Number((await t.service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens'))[0]!.n);
  const createToken = async (name: string, scopes: string[]) => {
    const res = await t.request('POST', '/api/admin/tokens', { name, scopes }, session);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { token: string; apiToken: { id: string; scopes: string[] } };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('a token, even with every scope, cannot create or revoke tokens, change the password or export the business’s data (403 SESSION_REQUIRED)', async () => {
    const before = await tokenCount();
    expectRefused(await t.request('POST', '/api/admin/tokens', { name: 'Enfant', scopes: ['bookings:read'] }, adminHeaders()), 'SESSION_REQUIRED');
    expect(await tokenCount()).toBe(before);
    const other = await createToken('Autre', ['bookings:read']);
    expectRefused(await t.request('DELETE', `/api/admin/tokens/${other.apiToken.id}`, undefined, adminHeaders()), 'SESSION_REQUIRED');
    expect((await t.request('GET', '/api/admin/me', undefined, bearer(other.token))).status).toBe(200);
    expectRefused(await t.request('POST', '/api/admin/password', { currentPassword: TEST_PASSWORD, newPassword: 'un-autre-mot-de-passe' }, adminHeaders()), 'SESSION_REQUIRED');
    // The password did not change: the session still signs in with the old one.
    await loginAsArtisan(t);
    const backup = await t.inject({ method: 'GET', url: '/api/admin/export', headers: adminHeaders() });
    expect(backup.headers['content-disposition']).toBeUndefined();
    expectRefused({ status: backup.statusCode, body: backup.json(), headers: backup.headers } as Res, 'SESSION_REQUIRED');
    // The same actions still work from the signed-in session.
    expect((await t.request('DELETE', `/api/admin/tokens/${other.apiToken.id}`, undefined, session)).status).toBe(204);
    const fromSession = await t.inject({ method: 'GET', url: '/api/admin/export', headers: { cookie: session.cookie! } });
    expect(fromSession.statusCode).toBe(200);
    expect(fromSession.headers['content-disposition']).toMatch(/^attachment/);
  });

  it('a token with bookings:read reads bookings but cannot cancel one; without calendars it cannot list connections', async () => {
    const booked = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'));
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const code = booked.body.booking.publicCode as string;
    const reader = await createToken('Lecture', ['bookings:read']);
    expect(reader.apiToken.scopes).toEqual(['bookings:read']);
    const list = await t.request('GET', '/api/admin/bookings?from=2027-03-01&to=2027-03-31', undefined, bearer(reader.token));
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(JSON.stringify(list.body)).toContain(code);
    expect((await t.request('GET', '/api/admin/agenda?week=2027-03-08', undefined, bearer(reader.token))).status).toBe(200);
    expectRefused(await t.request('POST', `/api/admin/bookings/${code}/cancel`, {}, bearer(reader.token)), 'TOKEN_SCOPE_MISSING');
    const detail = await t.request('GET', `/api/admin/bookings/${code}`, undefined, bearer(reader.token));
    expect(detail.body.booking.status).toBe('confirmed');
    expectRefused(await t.request('GET', '/api/admin/calendars', undefined, bearer(reader.token)), 'TOKEN_SCOPE_MISSING');
    expectRefused(await t.request('PATCH', '/api/admin/services/diag', { basePriceCents: 1 }, bearer(reader.token)), 'TOKEN_SCOPE_MISSING');
    expectRefused(await t.request('GET', `/api/admin/customers/export?email=jean@example.com`, undefined, bearer(reader.token)), 'TOKEN_SCOPE_MISSING');
    // The scope it lacks is named, so the artisan knows which token to create.
    const refused = await t.request('GET', '/api/admin/calendars', undefined, bearer(reader.token));
    expect(refused.body.error.message).toContain('calendars');

    const calendars = await createToken('Agenda', ['calendars']);
    expect((await t.request('GET', '/api/admin/calendars', undefined, bearer(calendars.token))).status).toBe(200);
    expectRefused(await t.request('GET', '/api/admin/bookings', undefined, bearer(calendars.token)), 'TOKEN_SCOPE_MISSING');

    const writer = await createToken('Écriture', ['bookings:write']);
    const cancelled = await t.request('POST', `/api/admin/bookings/${code}/cancel`, {}, bearer(writer.token));
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.booking.status).toBe('cancelled');
  });

  it('scopes are chosen at creation, listed with the last use, and shown by /me', async () => {
    const missing = await t.request('POST', '/api/admin/tokens', { name: 'Sans droit' }, session);
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ field: 'scopes', message: expect.any(String) }]);
    const empty = await t.request('POST', '/api/admin/tokens', { name: 'Vide', scopes: [] }, session);
    expect(empty.status).toBe(400);
    const unknown = await t.request('POST', '/api/admin/tokens', { name: 'Inconnu', scopes: ['admin'] }, session);
    expect(unknown.status).toBe(400);
    const created = await createToken('Comptable', ['export', 'bookings:read']);
    const me = await t.request('GET', '/api/admin/me', undefined, bearer(created.token));
    expect(me.body).toMatchObject({ via: 'token', actor: 'token:Comptable' });
    expect([...me.body.scopes].sort()).toEqual(['bookings:read', 'export']);
    const exported = await t.request('GET', '/api/admin/customers/export?email=jean@example.com', undefined, bearer(created.token));
    expect(exported.status, JSON.stringify(exported.body)).toBe(200);
    const listed = (await t.request('GET', '/api/admin/tokens', undefined, session)).body.tokens.find((x: { id: string }) => x.id === created.apiToken.id);
    expect([...listed.scopes].sort()).toEqual(['bookings:read', 'export']);
    expect(listed.lastUsedAt).toBe(new Date(START).toISOString());
    // The configured token (ADMIN_API_TOKEN) keeps every scope.
    const configured = await t.request('GET', '/api/admin/me', undefined, adminHeaders());
    expect([...configured.body.scopes].sort()).toEqual(
      ['availability:read', 'bookings:read', 'bookings:write', 'calendars', 'export', 'services:read', 'services:write', 'settings', 'webhooks:manage'],
    );
    // A session has every right: /me lists no scope for it.
    expect((await t.request('GET', '/api/admin/me', undefined, session)).body.scopes).toBeUndefined();
  });

  it('revoking a token revokes the tokens it created, at once, and theirs in turn', async () => {
    const parent = await createToken('Parent', ['bookings:read', 'settings']);
    // The HTTP API refuses tokens on this route: a token-made token can only come from the use
    // case itself (as tokens could make them before scopes existed).
    const auth = adminAuthOn(t.service.db);
    const asParent = await auth.authenticate({ bearer: parent.token });
    const child = await auth.createApiToken(asParent!, { name: 'Enfant', scopes: ['bookings:read'] });
    const asChild = await auth.authenticate({ bearer: child.token });
    const grandchild = await auth.createApiToken(asChild!, { name: 'Petit-enfant', scopes: ['bookings:read'] });
    const sibling = await createToken('Voisin', ['bookings:read']);
    for (const token of [parent.token, child.token, grandchild.token, sibling.token]) {
      expect((await t.request('GET', '/api/admin/me', undefined, bearer(token))).status).toBe(200);
    }
    expect((await t.request('DELETE', `/api/admin/tokens/${parent.apiToken.id}`, undefined, session)).status).toBe(204);
    for (const token of [parent.token, child.token, grandchild.token]) {
      expect((await t.request('GET', '/api/admin/me', undefined, bearer(token))).status).toBe(401);
      expect((await t.request('GET', '/api/admin/bookings', undefined, bearer(token))).status).toBe(401);
    }
    expect((await t.request('GET', '/api/admin/me', undefined, bearer(sibling.token))).status).toBe(200);
    const tokens = (await t.request('GET', '/api/admin/tokens', undefined, session)).body.tokens as { name: string; revokedAt: string | null }[];
    for (const name of ['Parent', 'Enfant', 'Petit-enfant']) expect(tokens.find((x) => x.name === name)!.revokedAt).not.toBeNull();
    expect(tokens.find((x) => x.name === 'Voisin')!.revokedAt).toBeNull();
    // A token cannot give more than it holds.
    await expect(auth.createApiToken(asChild!, { name: 'Trop', scopes: ['export'] })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('the OpenAPI document names the scope each route needs, and the session-only routes accept no token', async () => {
    const doc = (await t.request('GET', '/api/openapi.json')).body;
    expect(doc.paths['/api/admin/bookings'].get.security).toEqual([{ bearerAuth: ['bookings:read'] }, { cookieAuth: [] }]);
    expect(doc.paths['/api/admin/bookings/{publicCode}/cancel'].post.security).toEqual([{ bearerAuth: ['bookings:write'] }, { cookieAuth: [] }]);
    expect(doc.paths['/api/admin/calendars'].get.security).toEqual([{ bearerAuth: ['calendars'] }, { cookieAuth: [] }]);
    expect(doc.paths['/api/admin/customers/export'].get.security).toEqual([{ bearerAuth: ['export'] }, { cookieAuth: [] }]);
    expect(doc.paths['/api/admin/tokens'].post.security).toEqual([{ cookieAuth: [] }]);
    expect(doc.paths['/api/admin/export'].get.security).toEqual([{ cookieAuth: [] }]);
    expect(doc.paths['/api/admin/backup']).toBeUndefined();
    expect(doc.paths['/api/operator/backup'].get.security).toEqual([{ operatorCookie: [] }]);
    expect(doc.paths['/api/admin/password'].post.security).toEqual([{ cookieAuth: [] }]);
    expect(doc.paths['/api/admin/bookings'].get.responses['403']).toBeDefined();
  });
});

describe.each(ENGINES)('every admin route declares what a token needs, on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  let session: Record<string, string>;
  beforeAll(async () => {
    session = await artisanSessionHeaders(t);
  });
  const declarations = ['bookings:read', 'bookings:write', 'availability:read', 'services:read', 'services:write', 'settings', 'calendars', 'export', 'webhooks:manage', 'signed-in', 'session'];

  it('each registered admin route declares a scope, signed-in or session, and the OpenAPI document lists no other admin route', async () => {
    const routes = t.service.app.adminRoutes;
    expect(routes.length).toBeGreaterThan(40);
    for (const route of routes) expect(declarations, `${route.method} ${route.url}`).toContain(route.access);
    const registered = new Set(routes.map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`));
    const doc = (await t.request('GET', '/api/openapi.json')).body;
    for (const [path, operations] of Object.entries(doc.paths as Record<string, object>)) {
      // Reached signed out: the sign-in and "Mot de passe oublié".
      if (!path.startsWith('/api/admin/') || ['/api/admin/login', '/api/admin/password/forgot', '/api/admin/password/reset'].includes(path)) continue;
      for (const method of Object.keys(operations)) expect(registered, `${method} ${path}`).toContain(`${method} ${path}`);
    }
  });

  it('a token holding only the export scope is refused (403) by every admin route that declares another scope or the session', async () => {
    const res = await t.request('POST', '/api/admin/tokens', { name: 'Export seul', scopes: ['export'] }, session);
    expect(res.status).toBe(201);
    const headers = { authorization: `Bearer ${res.body.token as string}`, 'content-type': 'application/json' };
    const before = await t.service.db.query('SELECT * FROM services ORDER BY id');
    for (const route of t.service.app.adminRoutes) {
      if (route.method === 'HEAD' || route.access === 'export' || route.access === 'signed-in') continue;
      const url = route.url.replace(/:(\w+)/g, (_, name: string) => (name === 'id' ? '00000000-0000-4000-8000-000000000000' : name === 'provider' ? 'google' : 'diag'));
      const answer = await t.inject({ method: route.method as 'GET', url, headers, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}' });
      expect(answer.statusCode, `${route.method} ${url} ${answer.body}`).toBe(403);
      expect(answer.json().error.code).toBe(route.access === 'session' ? 'SESSION_REQUIRED' : 'TOKEN_SCOPE_MISSING');
    }
    expect(await t.service.db.query('SELECT * FROM services ORDER BY id')).toEqual(before);
  });
});

describe.each(ENGINES)('upgrading a database with API tokens to scopes, on %s', (engine) => {
  it('tokens made before scopes existed keep every scope and have no maker; the database refuses unknown or no scopes', async () => {
    const location = engine === 'pglite' ? mkdtempSync(join(tmpdir(), 'ac-scopes-')) : await createEmptyServerDatabase('artisanconnect_scopes');
    const db = engine === 'pglite' ? await openPglite(location) : await openPostgres(location);
    try {
      await migrate(db, loadMigrations().filter((m) => m.version < 25));
      const artisan = '00000000-0000-4000-8000-000000000001';
      await db.query(`INSERT INTO artisans (id, display_name, email, timezone, plan) VALUES ($1, 'Ancien', 'ancien@example.com', 'Europe/Paris', 'pro')`, [artisan]);
      await db.query(
        `INSERT INTO api_tokens (id, artisan_id, name, token_hash, prefix, created_at) VALUES ('00000000-0000-4000-8000-0000000000aa', $1, 'Ancien', 'hash-a', 'ac_abcde', now())`,
        [artisan],
      );
      await migrate(db);
      const rows = await db.query<{ scopes: string[]; created_by_token_id: string | null }>('SELECT scopes, created_by_token_id FROM api_tokens');
      expect(rows).toHaveLength(1);
      expect([...rows[0]!.scopes].sort()).toEqual(['bookings:read', 'bookings:write', 'calendars', 'export', 'settings']);
      expect(rows[0]!.created_by_token_id).toBeNull();
      for (const scopes of [[], ['admin']]) {
        await expect(
          db.query(`INSERT INTO api_tokens (id, artisan_id, name, token_hash, prefix, created_at, scopes) VALUES ($1, $2, 'x', $3, 'ac_x', now(), $4::text[])`, [
            randomUUID(), artisan, `hash-${randomUUID()}`, scopes,
          ]),
        ).rejects.toThrow(/api_tokens_scopes_known/);
      }
    } finally {
      await db.close();
      await dropTestLocation(engine, location);
    }
    // Every migration from an empty database, twice over: slow on PGlite under load.
  }, 120_000);
});
