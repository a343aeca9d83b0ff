import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { OperatorAuth, OperatorPrincipal } from '../../../app/operator-auth.ts';
import type { OperatorConsole } from '../../../app/operator-console.ts';
import type { Signup } from '../../../app/signup.ts';
import { ConflictError, unauthenticated } from '../../../domain/errors.ts';
import { PLAN_CODES } from '../../../domain/plans.ts';
import { CSRF_HEADER, csrfRejected } from '../admin-scope.ts';
import { Uuid } from '../admin-schemas.ts';
import { Email, PRINTABLE, StringEnum, errorResponses } from '../schemas.ts';
import { cookieOptions } from './admin-account.ts';
import { operatorDataRoutes, type OperatorDataDeps } from './operator-data.ts';

/**
 * The operator's console API (/api/operator): its own cookie (OPERATOR_COOKIE, sent to
 * /api/operator only), its own CSRF token, its own accounts. An artisan's session cookie
 * opens nothing here, and this cookie opens no back office.
 */
export const OPERATOR_COOKIE = 'ac_operator';

const signupNotByInvitation = (mode: string): ConflictError =>
  new ConflictError(
    'SIGNUP_NOT_BY_INVITATION',
    mode === 'open' ? "L'inscription est ouverte à tous (SIGNUP=open) : aucune invitation n'est nécessaire." : "Les inscriptions sont fermées (SIGNUP=closed) : une invitation n'ouvrirait rien.",
  );
export const OPERATOR_COOKIE_PATH = '/api/operator';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TAGS = ['Opérateur'];
const SECURITY = [{ operatorCookie: [] }];

declare module 'fastify' {
  interface FastifyRequest {
    operator: OperatorPrincipal;
  }
}

export interface OperatorRouteDeps {
  auth: OperatorAuth;
  console: OperatorConsole;
  /** Exports, deletions and instance backups (operator-data.ts). */
  data: Omit<OperatorDataDeps, 'console' | 'clock'>;
  /** Sign-up invitations (SIGNUP=invite). */
  signup: Pick<Signup, 'mode' | 'invite' | 'invitations' | 'revokeInvitation'>;
  loginLimit: onRequestHookHandler;
  publicBaseUrl: string;
  clock: { now(): number };
}

const OperatorMe = Type.Object({
  email: Type.String(),
  csrfToken: Type.String({ description: "À renvoyer dans l'en-tête X-CSRF-Token pour toute écriture" }),
});
const Plan = StringEnum(PLAN_CODES);
const Business = Type.Object({
  artisanId: Type.String(),
  displayName: Type.String(),
  plan: Plan,
  status: StringEnum(['active', 'suspended', 'unconfirmed'] as const, { description: '`unconfirmed` : inscription en attente de confirmation de son adresse (page non publiée)' }),
  suspendedAt: Type.Union([Type.String(), Type.Null()]),
  deletionDueAt: Type.Union([Type.String(), Type.Null()], { description: 'Date de suppression programmée (toutes ses données) ; null si aucune' }),
  bookingsThisMonth: Type.Integer({ description: 'Réservations prises ce mois-ci (fuseau de l’entreprise), acomptes non aboutis exclus' }),
  lastActivityAt: Type.Union([Type.String(), Type.Null()], { description: 'Dernière réservation ou connexion à l’espace artisan' }),
  createdAt: Type.String(),
  slug: Type.Union([Type.String(), Type.Null()], { description: 'Son adresse sur l’instance (/{slug}) ; null si elle n’en a pas' }),
  hostName: Type.Union([Type.String(), Type.Null()], { description: 'Son propre nom d’hôte ; null si elle n’en a pas' }),
});
const AuditEntry = Type.Object({
  id: Type.String(),
  operatorEmail: Type.String(),
  action: StringEnum(['suspend', 'resume', 'plan', 'export', 'schedule_deletion', 'cancel_deletion', 'delete', 'address'] as const, {
    description: '`address` : adresse changée (details : fromSlug, toSlug, fromHost, toHost ; vide : aucune)',
  }),
  artisanId: Type.String(),
  artisanName: Type.String(),
  details: Type.Record(Type.String(), Type.String()),
  createdAt: Type.String(),
});
const Invitation = Type.Object({
  id: Type.String(),
  email: Type.Union([Type.String(), Type.Null()], { description: "L'adresse à laquelle l'invitation est réservée ; null : toute adresse" }),
  status: StringEnum(['pending', 'used', 'expired', 'revoked'] as const, { description: '`pending` : utilisable ; `used` : a servi à une inscription ; `expired` ; `revoked` : révoquée par un opérateur' }),
  operatorEmail: Type.Union([Type.String(), Type.Null()], { description: "L'opérateur qui l'a créée (null s'il a été supprimé)" }),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  usedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  usedBy: Type.Union([Type.Object({ artisanId: Type.String(), displayName: Type.String() }), Type.Null()], { description: "L'entreprise créée avec (null si elle n'existe plus)" }),
});
const Page = Type.Integer({ minimum: 1, maximum: 100_000, default: 1 });
const Password = Type.String({ minLength: 1, maxLength: 200 });
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function operatorRoutes(deps: OperatorRouteDeps) {
  return async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const signIn = async (request: FastifyRequest, reply: FastifyReply, email: string, password: string) => {
      const session = await deps.auth.login({ email, password });
      const maxAge = Math.floor((session.expiresMs - deps.clock.now()) / 1000);
      reply.setCookie(OPERATOR_COOKIE, session.sessionToken, { ...cookieOptions(request, deps.publicBaseUrl, maxAge), path: OPERATOR_COOKIE_PATH, sameSite: 'strict' });
      return { email: session.principal.email, csrfToken: session.principal.csrfToken };
    };

    app.get(
      '/api/operator/setup/status',
      { schema: { tags: TAGS, summary: 'La console opérateur attend-elle son premier compte ?', response: { 200: Type.Object({ setupRequired: Type.Boolean() }) } } },
      async () => ({ setupRequired: await deps.auth.required() }),
    );
    app.post(
      '/api/operator/setup',
      {
        onRequest: deps.loginLimit,
        schema: {
          tags: TAGS,
          summary: 'Premier compte opérateur (code opérateur du journal)',
          description: 'Possible une seule fois, tant qu’aucun opérateur n’existe, avec le code opérateur affiché dans le journal au démarrage. Connecte l’opérateur.',
          body: Type.Object({ setupCode: Type.String({ minLength: 1, maxLength: 40, pattern: PRINTABLE }), email: Email, password: Password }),
          response: { 201: OperatorMe, ...errorResponses(400, 403, 409, 429) },
        },
      },
      async (request, reply) => {
        await deps.auth.completeSetup(request.body);
        return reply.status(201).send(await signIn(request, reply, request.body.email, request.body.password));
      },
    );
    app.post(
      '/api/operator/login',
      {
        onRequest: deps.loginLimit,
        schema: { tags: TAGS, summary: "Connexion de l'opérateur (cookie propre à la console)", body: Type.Object({ email: Email, password: Password }), response: { 200: OperatorMe, ...errorResponses(400, 401, 429) } },
      },
      async (request, reply) => signIn(request, reply, request.body.email, request.body.password),
    );

    // Everything below needs the operator's session (and its CSRF token to write).
    await app.register(async (scope) => {
      scope.decorateRequest('operator', undefined as unknown as OperatorPrincipal);
      scope.addHook('onRoute', (route) => {
        route.schema = { tags: TAGS, ...route.schema, security: SECURITY };
      });
      scope.addHook('onRequest', async (request) => {
        const principal = await deps.auth.authenticate(request.cookies?.[OPERATOR_COOKIE]);
        if (!principal) throw unauthenticated();
        if (!SAFE_METHODS.has(request.method)) {
          const header = request.headers[CSRF_HEADER];
          if (!deps.auth.csrfMatches(principal, typeof header === 'string' ? header : undefined)) throw csrfRejected();
        }
        request.operator = principal;
      });
      const s = scope.withTypeProvider<TypeBoxTypeProvider>();

      s.get('/api/operator/me', { schema: { summary: 'Opérateur connecté', response: { 200: OperatorMe, ...errorResponses(401) } } }, async (request) => ({
        email: request.operator.email,
        csrfToken: request.operator.csrfToken,
      }));
      s.post('/api/operator/logout', { schema: { summary: 'Déconnexion', response: { 204: Type.Null(), ...errorResponses(401, 403) } } }, async (request, reply) => {
        const token = request.cookies[OPERATOR_COOKIE];
        if (token) await deps.auth.logout(token);
        reply.clearCookie(OPERATOR_COOKIE, { path: OPERATOR_COOKIE_PATH });
        return reply.status(204).send(null);
      });

      s.get(
        '/api/operator/businesses',
        {
          schema: {
            summary: 'Entreprises de l’instance (formule, statut, réservations du mois, dernière activité), par nom',
            querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 120, pattern: PRINTABLE })), page: Type.Optional(Page) }),
            response: { 200: Type.Object({ businesses: Type.Array(Business), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }), ...errorResponses(400, 401) },
          },
        },
        async (request) => {
          const result = await deps.console.businesses({ search: request.query.q, page: request.query.page });
          return {
            ...result,
            businesses: result.businesses.map((b) => ({
              artisanId: b.artisanId, displayName: b.displayName, plan: b.plan,
              status: b.unconfirmedMs !== null ? ('unconfirmed' as const) : b.suspendedMs === null ? ('active' as const) : ('suspended' as const),
              suspendedAt: iso(b.suspendedMs), deletionDueAt: iso(b.deletionDueMs), bookingsThisMonth: b.bookingsThisMonth, lastActivityAt: iso(b.lastActivityMs), createdAt: iso(b.createdMs)!,
              slug: b.slug, hostName: b.hostName,
            })),
          };
        },
      );

      const Params = Type.Object({ artisanId: Uuid });
      const ok = { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) };
      s.post(
        '/api/operator/businesses/:artisanId/suspend',
        { schema: { summary: 'Suspendre une entreprise (ses pages ne prennent plus de réservation ; ses données restent)', params: Params, response: ok } },
        async (request, reply) => {
          await deps.console.suspend(request.operator, request.params.artisanId);
          return reply.status(204).send(null);
        },
      );
      s.post('/api/operator/businesses/:artisanId/resume', { schema: { summary: 'Rétablir une entreprise suspendue (pas pendant une suppression programmée)', params: Params, response: { ...ok, ...errorResponses(409) } } }, async (request, reply) => {
        await deps.console.resume(request.operator, request.params.artisanId);
        return reply.status(204).send(null);
      });
      s.put(
        '/api/operator/businesses/:artisanId/plan',
        { schema: { summary: "Changer la formule d'une entreprise", params: Params, body: Type.Object({ plan: Plan }), response: ok } },
        async (request, reply) => {
          await deps.console.changePlan(request.operator, request.params.artisanId, request.body.plan);
          return reply.status(204).send(null);
        },
      );
      s.put(
        '/api/operator/businesses/:artisanId/address',
        {
          schema: {
            summary: "Changer l'adresse d'une entreprise : son slug (/{slug}) et son nom d'hôte",
            description:
              "Le slug est vérifié comme à l'inscription (forme, mots réservés, libre) ; `hostName` vide ou null : aucun. L'ancienne adresse répond aussitôt comme une entreprise inconnue (pas de redirection), sur toutes les instances en une seconde au plus.",
            params: Params,
            body: Type.Object({
              slug: Type.String({ maxLength: 200 }),
              hostName: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
            }),
            response: { 200: Type.Object({ slug: Type.String(), hostName: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403, 404, 409) },
          },
        },
        async (request) => deps.console.changeAddress(request.operator, request.params.artisanId, request.body),
      );
      await operatorDataRoutes({ ...deps.data, console: deps.console, clock: deps.clock })(scope);
      s.post(
        '/api/operator/invitations',
        {
          schema: {
            summary: "Créer un lien d'invitation à l'inscription (SIGNUP=invite), à usage unique, valable 14 jours",
            description: "Lié à une adresse e-mail si elle est donnée : l'inscription doit alors se faire avec cette adresse. Le lien n'est montré qu'une fois.",
            body: Type.Object({ email: Type.Optional(Type.Union([Email, Type.Literal('')])) }),
            response: { 201: Type.Object({ id: Type.String(), url: Type.String(), email: Type.Union([Type.String(), Type.Null()]), expiresAt: Type.String() }), ...errorResponses(400, 401, 403, 409) },
          },
        },
        async (request, reply) => {
          if (deps.signup.mode !== 'invite') throw signupNotByInvitation(deps.signup.mode);
          const invitation = await deps.signup.invite(request.operator.operatorId, request.body.email);
          return reply.status(201).send({ id: invitation.id, url: invitation.url, email: invitation.email, expiresAt: iso(invitation.expiresMs)! });
        },
      );
      s.get(
        '/api/operator/invitations',
        {
          schema: {
            summary: "Liens d'invitation à l'inscription, le plus récent d'abord (en attente, utilisés, expirés, révoqués)",
            description: "Le lien lui-même n'est jamais remontré : seul son hachage est conservé.",
            querystring: Type.Object({ page: Type.Optional(Page) }),
            response: { 200: Type.Object({ invitations: Type.Array(Invitation), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }), ...errorResponses(400, 401) },
          },
        },
        async (request) => {
          const result = await deps.signup.invitations({ page: request.query.page });
          return {
            ...result,
            invitations: result.invitations.map(({ createdMs, expiresMs, usedMs, revokedMs, ...i }) => ({
              ...i, createdAt: iso(createdMs)!, expiresAt: iso(expiresMs)!, usedAt: iso(usedMs), revokedAt: iso(revokedMs),
            })),
          };
        },
      );
      s.delete(
        '/api/operator/invitations/:invitationId',
        {
          schema: {
            summary: "Révoquer un lien d'invitation pas encore utilisé (il n'ouvre plus l'inscription)",
            params: Type.Object({ invitationId: Uuid }),
            response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
          },
        },
        async (request, reply) => {
          await deps.signup.revokeInvitation(request.params.invitationId);
          return reply.status(204).send(null);
        },
      );
      s.get(
        '/api/operator/audit',
        {
          schema: {
            summary: 'Journal des actions des opérateurs (qui, quand, quoi), le plus récent d’abord',
            querystring: Type.Object({ page: Type.Optional(Page) }),
            response: { 200: Type.Object({ entries: Type.Array(AuditEntry), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }), ...errorResponses(400, 401) },
          },
        },
        async (request) => {
          const result = await deps.console.audit({ page: request.query.page });
          return { ...result, entries: result.entries.map(({ createdMs, ...e }) => ({ ...e, createdAt: iso(createdMs)! })) };
        },
      );
    });
  };
}
