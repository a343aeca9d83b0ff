import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type {} from '@fastify/cookie';
import { AppError, unauthenticated } from '../../domain/errors.ts';
import { accessRefusal, type AdminAccess, type Principal } from '../../app/admin-auth.ts';
import { roleRefusal, type RoleCheck } from '../../app/member-roles.ts';

/** Who is calling an admin route: the artisan (session cookie) or an integration (API token). */
export type AdminPrincipal = Principal;

export interface AdminCredentials {
  bearer?: string;
  sessionToken?: string;
}

export interface AdminAuthenticator {
  authenticate(credentials: AdminCredentials): Promise<AdminPrincipal | undefined>;
  csrfMatches(principal: AdminPrincipal, header: string | undefined): boolean;
}

/** What the scope hands every admin route plugin: the per-IP limiters routes may need. */
export interface AdminScopeOptions {
  /** The sign-in bucket: password checks (login, password change) share it. */
  loginLimit: onRequestHookHandler;
}

/** An admin route plugin: registered inside the authenticated `/api/admin` scope (paths relative). */
export type AdminRoutes = (scope: FastifyInstance, options: AdminScopeOptions) => Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    admin: AdminPrincipal;
  }
  interface FastifyContextConfig {
    /**
     * What an admin route needs from an API token: the scope it acts under, `signed-in` (any
     * token), or `session` (no token). A route that declares nothing refuses every token.
     */
    adminAccess?: AdminAccess;
  }
  interface FastifyInstance {
    /** Every route of the admin subtree with the access it declared (checked by a test). */
    adminRoutes: { method: string; url: string; access: AdminAccess | undefined }[];
  }
}

export const SESSION_COOKIE = 'ac_session';
export const CSRF_HEADER = 'x-csrf-token';
export const ADMIN_SECURITY: { [scheme: string]: string[] }[] = [{ bearerAuth: [] }, { cookieAuth: [] }];
/** The OpenAPI security of a route: the token scope it needs (OpenAPI 3.1 role names), or the session alone. */
const securityOf = (access: AdminAccess | undefined): { [scheme: string]: string[] }[] =>
  access === undefined || access === 'session'
    ? [{ cookieAuth: [] }]
    : access === 'signed-in'
      ? ADMIN_SECURITY
      : [{ bearerAuth: [access] }, { cookieAuth: [] }];
const FORBIDDEN_RESPONSE = {
  $ref: 'ErrorResponse',
  description: 'Refusé : écriture par session sans jeton CSRF valide (CSRF_REJECTED), jeton d’API sans le droit demandé (TOKEN_SCOPE_MISSING), action réservée à la session artisan (SESSION_REQUIRED), action que le rôle du membre ne permet pas (ROLE_FORBIDDEN)',
};
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const csrfRejected = (): AppError =>
  new AppError('CSRF_REJECTED', 'Requête refusée : le jeton de sécurité est absent ou invalide. Rechargez la page puis réessayez.');

export function readCredentials(request: FastifyRequest): AdminCredentials {
  const credentials: AdminCredentials = {};
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // A malformed Authorization header is not silently ignored in favour of a cookie.
    credentials.bearer = match ? match[1] : '\u0000invalid';
  }
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (cookie) credentials.sessionToken = cookie;
  return credentials;
}

/**
 * Every route registered here answers 401 without valid credentials: the check runs on
 * `onRequest`, before the body is even parsed. Writes authenticated by the session cookie
 * must also carry the session's CSRF token in `X-CSRF-Token` (a cross-site form cannot read
 * it); API tokens are not sent automatically by browsers, so they need none. An API token
 * must hold the scope the route declares in `config.adminAccess` (403 otherwise); a route
 * that declares none is for the session only. A member's role may refuse more
 * (src/app/member-roles.ts).
 */
export async function adminScope(
  root: FastifyInstance,
  deps: {
    authenticator: AdminAuthenticator;
    routes: AdminRoutes[];
    loginLimit: onRequestHookHandler;
    roles?: RoleCheck;
    /** Each API key's own budget (429 with Retry-After over it). */
    apiKeyLimit?: (request: FastifyRequest, tokenId: string) => Promise<void>;
  },
): Promise<void> {
  root.decorate('adminRoutes', []);
  await root.register(
    async (scope) => {
      scope.decorateRequest('admin', undefined as unknown as AdminPrincipal);
      scope.addHook('onRoute', (route) => {
        const access = route.config?.adminAccess;
        root.adminRoutes.push({ method: String(route.method), url: route.url, access });
        const response = { ...(route.schema?.response as object | undefined), 403: FORBIDDEN_RESPONSE };
        route.schema = { tags: ['Administration'], ...route.schema, security: securityOf(access), response };
      });
      scope.addHook('onRequest', async (request) => {
        const principal = await deps.authenticator.authenticate(readCredentials(request));
        if (!principal) throw unauthenticated();
        if (principal.via === 'token' && principal.tokenId && deps.apiKeyLimit) await deps.apiKeyLimit(request, principal.tokenId);
        const refusal = accessRefusal(principal, request.routeOptions.config.adminAccess);
        if (refusal) throw refusal;
        if (!SAFE_METHODS.has(request.method)) {
          const header = request.headers[CSRF_HEADER];
          if (!deps.authenticator.csrfMatches(principal, typeof header === 'string' ? header : undefined)) throw csrfRejected();
        }
        // The member's role (issue 20): office and technician see less than the owner.
        if (deps.roles) {
          const method = request.method === 'HEAD' ? 'GET' : request.method;
          const refusal = await roleRefusal(deps.roles, principal, { method, url: request.routeOptions.url ?? '', params: request.params });
          if (refusal) throw refusal;
        }
        request.admin = principal;
      });
      for (const routes of deps.routes) await scope.register(routes, { loginLimit: deps.loginLimit });
    },
    { prefix: '/api/admin' },
  );
}
