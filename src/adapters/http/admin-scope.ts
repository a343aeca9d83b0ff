import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unauthenticated } from '../../domain/errors.ts';

/** Who is calling an admin route: the artisan (session cookie) or an integration (API token). */
export interface AdminPrincipal {
  artisanId: string;
  /** Recorded in booking history and audit: "artisan" or "token:<name>". */
  actor: string;
  via: 'session' | 'token';
}

export interface AdminCredentials {
  bearer?: string;
  sessionToken?: string;
}

export interface AdminAuthenticator {
  authenticate(credentials: AdminCredentials): Promise<AdminPrincipal | undefined>;
}

/** An admin route plugin: registered inside the authenticated `/api/admin` scope (paths relative). */
export type AdminRoutes = (scope: FastifyInstance) => Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    admin: AdminPrincipal;
  }
}

export const SESSION_COOKIE = 'ac_session';
export const ADMIN_SECURITY: { [scheme: string]: string[] }[] = [{ bearerAuth: [] }, { cookieAuth: [] }];

function readCredentials(request: FastifyRequest): AdminCredentials {
  const credentials: AdminCredentials = {};
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) credentials.bearer = match[1];
  }
  const cookie = request.headers.cookie;
  if (typeof cookie === 'string') {
    for (const part of cookie.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === SESSION_COOKIE) credentials.sessionToken = decodeURIComponent(rest.join('='));
    }
  }
  return credentials;
}

/**
 * Every route registered here answers 401 without valid credentials: the check runs on
 * `onRequest`, before the body is even parsed. Each route is documented with the admin tag
 * and both security schemes.
 */
export async function adminScope(root: FastifyInstance, deps: { authenticator: AdminAuthenticator; routes: AdminRoutes[] }): Promise<void> {
  await root.register(
    async (scope) => {
      scope.decorateRequest('admin', undefined as unknown as AdminPrincipal);
      scope.addHook('onRoute', (route) => {
        route.schema = { tags: ['Administration'], security: ADMIN_SECURITY, ...route.schema };
      });
      scope.addHook('onRequest', async (request) => {
        const principal = await deps.authenticator.authenticate(readCredentials(request));
        if (!principal) throw unauthenticated();
        request.admin = principal;
      });
      for (const routes of deps.routes) await scope.register(routes);
    },
    { prefix: '/api/admin' },
  );
}
