import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MEMBER_ROLES, TOKEN_SCOPES, sessionRequired, type AdminAuth } from '../../../app/admin-auth.ts';
import { AppError } from '../../../domain/errors.ts';
import { SESSION_COOKIE, type AdminRoutes } from '../admin-scope.ts';
import { PLAN_CODES } from '../../../domain/plans.ts';
import { Email, PRINTABLE, StringEnum, errorResponses } from '../schemas.ts';
import { DATE_TIME_WITH_OFFSET } from '../admin-schemas.ts';

/** A token's scope; what each allows is in the description (the back office shows its own labels). */
export const TokenScope = Type.Enum(TOKEN_SCOPES, {
  description:
    'Droit d’un jeton d’API. bookings:read : lire réservations, agenda, indisponibilités et disponibilités ; bookings:write : saisir, annuler, déplacer des réservations, bloquer du temps, effacer un client (RGPD) ; settings : profil, horaires et exceptions, prestations, notifications (réglages, messages, envois), acompte ; calendars : calendriers connectés et flux .ics ; export : exporter les données d’un client (RGPD). Créer ou révoquer un jeton, changer le mot de passe et télécharger la sauvegarde demandent la session artisan.',
});

export const Me = Type.Object({
  artisanId: Type.String(),
  displayName: Type.Optional(Type.String({ description: "Nom affiché de l'artisan" })),
  actor: Type.String({ description: '"artisan" (session) ou "token:<nom>"' }),
  via: Type.Union([Type.Literal('session'), Type.Literal('token')]),
  email: Type.Optional(Type.String({ description: 'E-mail de connexion' })),
  timezone: Type.String({ description: "Fuseau horaire de l'artisan (IANA, ex. Europe/Paris) : les heures de l'espace artisan y sont affichées" }),
  csrfToken: Type.Optional(Type.String({ description: "À renvoyer dans l'en-tête X-CSRF-Token pour toute écriture faite avec la session" })),
  scopes: Type.Optional(Type.Array(TokenScope, { description: 'Les droits du jeton (absent pour une session, qui a tous les droits)' })),
  plan: Type.Optional(StringEnum(PLAN_CODES, { description: "Formule de l'entreprise (choisie par l'opérateur)" })),
  suspended: Type.Optional(Type.Boolean({ description: "L'opérateur a suspendu l'entreprise : ses pages ne prennent plus de réservation" })),
  memberId: Type.Optional(Type.String({ description: 'Session : le membre connecté (offre Business : membres et équipes)' })),
  role: Type.Optional(StringEnum(MEMBER_ROLES, { description: 'Session : le rôle du membre (owner, office, technician) ; absent pour un jeton' })),
});
const ApiToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'Premiers caractères du jeton, pour le reconnaître' }),
  scopes: Type.Array(TokenScope),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()], { description: 'Après cette date le jeton est refusé (401) ; null : sans expiration' }),
});
const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const Password = Type.String({ minLength: 1, maxLength: 200 });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Cookies are Secure when the public address is HTTPS or the request came over HTTPS. */
export function cookieOptions(request: FastifyRequest, publicBaseUrl: string, maxAgeSeconds: number) {
  const secure = publicBaseUrl.startsWith('https:') || request.protocol === 'https';
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: '/', maxAge: maxAgeSeconds };
}

/** Sign-in: the only admin route reachable without credentials; rate limited per IP. */
export function adminLoginRoutes(deps: { auth: AdminAuth; loginLimit: onRequestHookHandler; publicBaseUrl: string; clock: { now(): number } }) {
  return async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/api/admin/login',
      {
        onRequest: deps.loginLimit,
        schema: {
          tags: ['Administration'],
          summary: "Connexion de l'artisan (pose le cookie de session)",
          body: Type.Object({ email: Email, password: Password }),
          response: { 200: Me, ...errorResponses(400, 401, 429) },
        },
      },
      async (request, reply) => {
        const session = await deps.auth.login(request.body);
        const maxAge = Math.floor((session.expiresMs - deps.clock.now()) / 1000);
        reply.setCookie(SESSION_COOKIE, session.sessionToken, cookieOptions(request, deps.publicBaseUrl, maxAge));
        return deps.auth.whoAmI(session.principal);
      },
    );
  };
}

/** Session, password and API tokens of the signed-in artisan. */
export function adminAccountRoutes(deps: { auth: AdminAuth; publicBaseUrl: string }): AdminRoutes {
  return async (root, { loginLimit }) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/me',
      { config: { adminAccess: 'signed-in' }, schema: { summary: 'Compte connecté (nom affiché, e-mail de connexion, session ou jeton)', response: { 200: Me, ...errorResponses(401) } } },
      async (request) => deps.auth.whoAmI(request.admin),
    );

    app.post(
      '/logout',
      { config: { adminAccess: 'session' }, schema: { summary: 'Déconnexion (supprime la session)', response: { 204: Type.Null(), ...errorResponses(401, 403) } } },
      async (request: FastifyRequest, reply: FastifyReply) => {
        const token = request.cookies[SESSION_COOKIE];
        if (token) await deps.auth.logout(token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/password',
      {
        config: { adminAccess: 'session' },
        // Checking the current password is a sign-in attempt: same per-IP bucket as the login.
        onRequest: loginLimit,
        schema: {
          summary: 'Changer son mot de passe (met fin aux autres sessions)',
          body: Type.Object({ currentPassword: Password, newPassword: Password }),
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request, reply) => {
        const email = request.admin.email;
        if (!email) throw sessionRequired();
        await deps.auth.login({ email, password: request.body.currentPassword }).catch(() => {
          throw new AppError('INVALID_CREDENTIALS', 'Le mot de passe actuel est incorrect.');
        });
        await deps.auth.setPassword(email, request.body.newPassword);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    const present = (t: Awaited<ReturnType<AdminAuth['listApiTokens']>>[number]) => ({
      id: t.id, name: t.name, prefix: t.prefix, scopes: [...t.scopes], createdAt: iso(t.createdMs)!, lastUsedAt: iso(t.lastUsedMs), revokedAt: iso(t.revokedMs), expiresAt: iso(t.expiresMs),
    });
    app.get(
      '/tokens',
      { config: { adminAccess: 'session' }, schema: { summary: "Jetons d'API (intégrations)", response: { 200: Type.Object({ tokens: Type.Array(ApiToken) }), ...errorResponses(401) } } },
      async (request) => ({ tokens: (await deps.auth.listApiTokens(request.admin.artisanId)).map(present) }),
    );
    app.post(
      '/tokens',
      {
        config: { adminAccess: 'session' },
        schema: {
          summary: "Créer un jeton d'API (affiché une seule fois)",
          body: Type.Object({
            name: Type.String({ minLength: 1, maxLength: 80, pattern: PRINTABLE }),
            scopes: Type.Array(TokenScope, { minItems: 1, uniqueItems: true, description: 'Ce que le jeton pourra faire (au moins un droit)' }),
            expiresAt: Type.Optional(Type.String({ maxLength: 40, pattern: DATE_TIME_WITH_OFFSET, description: 'Date d’expiration (ISO 8601 avec décalage) ; absent : sans expiration' })),
          }),
          response: { 201: Type.Object({ token: Type.String(), apiToken: ApiToken }), ...errorResponses(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const { token, record } = await deps.auth.createApiToken(request.admin, request.body);
        return reply.status(201).send({ token, apiToken: present(record) });
      },
    );
    app.delete(
      '/tokens/:id',
      {
        config: { adminAccess: 'session' },
        schema: {
          summary: "Révoquer un jeton d'API",
          params: Type.Object({ id: Uuid }),
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await deps.auth.revokeApiToken(request.admin.artisanId, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
