import { AuthError, bookingNotFound, type AppError } from '../domain/errors.ts';
import { normalizePublicCode } from '../domain/public-code.ts';
import type { Principal } from './admin-auth.ts';

/**
 * What each member role may call on the admin API (issue 20, item 1), checked for every admin
 * route beside the token scopes (src/adapters/http/admin-scope.ts):
 * - owner: everything;
 * - office: everything but billing and the payment account, and API tokens (a token could
 *   carry rights past its maker's role);
 * - technician: their account, the list of their own bookings and their detail, the outcome and
 *   completion report of their own bookings. Every other route answers 403
 *   ROLE_FORBIDDEN; another technician's booking answers exactly as a missing one (404
 *   BOOKING_NOT_FOUND), so a technician cannot learn which codes exist in the business.
 * An API token acts for the business within its scopes (it has no role).
 */

export const roleForbidden = (): AuthError =>
  new AuthError('ROLE_FORBIDDEN', "Votre rôle dans l'entreprise ne permet pas cette action : demandez-la au responsable du compte.");

/** Routes for the owner alone (full paths, as Fastify names them). */
const OWNER_ONLY: readonly RegExp[] = [/^\/api\/admin\/payment-account(\/|$)/, /^\/api\/admin\/tokens(\/|$)/, /^\/api\/admin\/export$/];

/** Issue 22: a technician marks their own intervention done (or the customer absent) and writes its report. */
const ISSUE_22_OWN_ROUTES = [
  'POST /api/admin/bookings/:publicCode/outcome',
  'GET /api/admin/bookings/:publicCode/report',
  'PUT /api/admin/bookings/:publicCode/report',
  'GET /api/admin/bookings/:publicCode/report.pdf',
];

/** The routes a technician may call. */
const TECHNICIAN_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/admin/me',
  'POST /api/admin/logout',
  'POST /api/admin/password',
  'GET /api/admin/bookings',
  'GET /api/admin/bookings/:publicCode',
  ...ISSUE_22_OWN_ROUTES,
]);

/** Routes a technician may call only on a booking given to them (named by `:publicCode`). */
const OWN_BOOKING_ROUTES: ReadonlySet<string> = new Set(['GET /api/admin/bookings/:publicCode', ...ISSUE_22_OWN_ROUTES]);

export interface RoleCheck {
  /** Whether the booking of that code is given to that member (in that business). */
  isAssigned(artisanId: string, memberId: string, publicCode: string): Promise<boolean>;
}

/** Why `principal` may not call `method url` with `params`, or undefined when their role allows it. */
export async function roleRefusal(
  check: RoleCheck,
  principal: Principal,
  route: { method: string; url: string; params: unknown },
): Promise<AppError | undefined> {
  const role = principal.via === 'session' ? (principal.role ?? 'owner') : 'owner';
  if (role === 'owner') return undefined;
  if (role === 'office') return OWNER_ONLY.some((re) => re.test(route.url)) ? roleForbidden() : undefined;
  const key = `${route.method} ${route.url}`;
  if (!TECHNICIAN_ROUTES.has(key)) return roleForbidden();
  if (OWN_BOOKING_ROUTES.has(key)) {
    const code = (route.params as { publicCode?: unknown } | undefined)?.publicCode;
    if (typeof code !== 'string' || !principal.memberId || !(await check.isAssigned(principal.artisanId, principal.memberId, normalizePublicCode(code) ?? ''))) {
      return bookingNotFound();
    }
  }
  return undefined;
}
