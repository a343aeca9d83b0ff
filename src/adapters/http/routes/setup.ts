import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AdminAuth } from '../../../app/admin-auth.ts';
import type { FirstStart } from '../../../app/first-start.ts';
import { SESSION_COOKIE } from '../admin-scope.ts';
import { Email, PRINTABLE, errorResponses } from '../schemas.ts';
import { Me, cookieOptions } from './admin-account.ts';

export interface SetupRouteDeps {
  firstStart: FirstStart;
  auth: AdminAuth;
  /** The sign-in bucket: a wrong setup code is a failed sign-in attempt. */
  loginLimit: onRequestHookHandler;
  publicBaseUrl: string;
  clock: { now(): number };
  /** Runs once the artisan exists (e.g. seeds ADMIN_API_TOKEN for them). */
  onCreated?: () => Promise<void>;
}

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: PRINTABLE });

/** The first start of a real artisan: status, then the one claim the setup code allows. */
export function setupRoutes(deps: SetupRouteDeps) {
  return async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/api/setup/status',
      {
        schema: {
          tags: ['Administration'],
          summary: "L'espace artisan est-il à configurer ? (base sans artisan)",
          response: { 200: Type.Object({ setupRequired: Type.Boolean() }) },
        },
      },
      async () => ({ setupRequired: await deps.firstStart.required() }),
    );

    app.post(
      '/api/setup',
      {
        onRequest: deps.loginLimit,
        schema: {
          tags: ['Administration'],
          summary: "Première configuration : crée l'artisan et sa connexion (code d'installation du journal)",
          description:
            "Possible une seule fois, sur une base sans artisan, avec le code d'installation affiché dans le journal au démarrage. Connecte l'artisan (cookie de session). Horaires et prestations se règlent ensuite avec les routes /api/admin.",
          body: Type.Object({
            setupCode: Text(40),
            displayName: Text(120),
            trade: Type.Optional(Type.String({ maxLength: 80, pattern: PRINTABLE, description: 'Métier, ex. « Plombier chauffagiste »' })),
            contactEmail: Email,
            phone: Type.Optional(Type.String({ maxLength: 32, pattern: PRINTABLE })),
            signInEmail: Email,
            password: Type.String({ minLength: 1, maxLength: 200 }),
            timezone: Type.String({ minLength: 1, maxLength: 64, default: 'Europe/Paris' }),
          }),
          response: { 201: Me, ...errorResponses(400, 403, 409, 429) },
        },
      },
      async (request, reply) => {
        const created = await deps.firstStart.complete(request.body);
        await deps.onCreated?.();
        const session = await deps.auth.login({ email: created.signInEmail, password: request.body.password });
        const maxAge = Math.floor((session.expiresMs - deps.clock.now()) / 1000);
        reply.setCookie(SESSION_COOKIE, session.sessionToken, cookieOptions(request, deps.publicBaseUrl, maxAge));
        return reply.status(201).send(await deps.auth.whoAmI(session.principal));
      },
    );
  };
}
