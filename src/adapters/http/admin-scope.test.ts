import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../app/admin-auth.ts';
import { adminScope, type AdminAuthenticator } from './admin-scope.ts';
import { handleError } from './errors.ts';
import { ErrorResponse } from './schemas.ts';

/** The one guard of the admin subtree: a route that forgets to say what a token needs refuses every token. */
const principals: Record<string, Principal> = {
  'every-scope': { artisanId: 'a', actor: 'token:all', via: 'token', scopes: ['bookings:read', 'bookings:write', 'settings', 'calendars', 'export'] },
  settings: { artisanId: 'a', actor: 'token:settings', via: 'token', scopes: ['settings'] },
  reader: { artisanId: 'a', actor: 'token:reader', via: 'token', scopes: ['bookings:read'] },
  session: { artisanId: 'a', actor: 'artisan', via: 'session', csrfToken: 'csrf' },
};
const authenticator: AdminAuthenticator = {
  authenticate: async ({ bearer }) => (bearer ? principals[bearer] : undefined),
  csrfMatches: () => true,
};

async function app() {
  const root = Fastify();
  root.setErrorHandler(handleError);
  root.addSchema(ErrorResponse);
  await adminScope(root, {
    authenticator,
    loginLimit: async () => {},
    routes: [
      async (scope) => {
        scope.get('/forgotten', async () => ({ ok: true }));
        scope.get('/settings', { config: { adminAccess: 'settings' } }, async () => ({ ok: true }));
        scope.get('/session', { config: { adminAccess: 'session' } }, async () => ({ ok: true }));
        scope.get('/anyone', { config: { adminAccess: 'signed-in' } }, async () => ({ ok: true }));
      },
    ],
  });
  return root;
}

describe('admin scope: per-route access', () => {
  it.each([
    ['/forgotten', 'every-scope', 403, 'SESSION_REQUIRED'],
    ['/forgotten', 'session', 200, undefined],
    ['/session', 'every-scope', 403, 'SESSION_REQUIRED'],
    ['/session', 'session', 200, undefined],
    ['/settings', 'settings', 200, undefined],
    ['/settings', 'session', 200, undefined],
    ['/anyone', 'settings', 200, undefined],
    ['/forgotten', 'nobody', 401, 'UNAUTHENTICATED'],
  ] as const)('GET %s as %s: %i %s', async (url, who, status, code) => {
    const root = await app();
    const res = await root.inject({ method: 'GET', url: `/api/admin${url}`, headers: { authorization: `Bearer ${who}` } });
    expect(res.statusCode).toBe(status);
    if (code) expect(res.json().error.code).toBe(code);
    await root.close();
  });

  it('a token without the declared scope gets 403 TOKEN_SCOPE_MISSING naming the scope', async () => {
    const root = await app();
    const res = await root.inject({ method: 'GET', url: '/api/admin/settings', headers: { authorization: 'Bearer reader' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toEqual({ code: 'TOKEN_SCOPE_MISSING', message: expect.stringContaining('« settings »') });
    // The registry the route walk reads: every route with what it declared, the forgotten one included.
    expect(root.adminRoutes.filter((r) => r.method === 'GET').map((r) => [r.url, r.access])).toEqual([
      ['/api/admin/forgotten', undefined],
      ['/api/admin/settings', 'settings'],
      ['/api/admin/session', 'session'],
      ['/api/admin/anyone', 'signed-in'],
    ]);
    await root.close();
  });
});
