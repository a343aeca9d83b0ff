import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AdminAuth } from '../../../app/admin-auth.ts';
import type { Signup } from '../../../app/signup.ts';
import { CONFIRM_HOURS } from '../../../app/signup.ts';
import { SESSION_COOKIE } from '../admin-scope.ts';
import { PRINTABLE, StringEnum, errorResponses } from '../schemas.ts';
import { Me, cookieOptions } from './admin-account.ts';

export interface SignupRouteDeps {
  signup: Signup;
  auth: AdminAuth;
  /** Sign-ups, links asked again and opened (RATE_LIMIT_SIGNUP_PER_MINUTE). */
  signupLimit: onRequestHookHandler;
  /** The page's slug checks (RATE_LIMIT_SIGNUP_CHECK_PER_MINUTE). */
  checkLimit: onRequestHookHandler;
  publicBaseUrl: string;
  clock: { now(): number };
  /** A business was just published: its address must answer at once. */
  onPublished: (slug: string) => void;
}

/** What asking for a new link always answers, whether a sign-up waits for this address or not. */
export const RESEND_ANSWER = `Si une inscription attend sa confirmation avec cette adresse, un nouveau lien vient de lui être envoyé. Il est valable ${CONFIRM_HOURS} heures.`;

/** Fields are checked by the use case, all at once (one 400 lists every problem): the schema bounds only sizes. */
const Text = (max: number, description?: string) => Type.String({ maxLength: max, pattern: PRINTABLE, ...(description ? { description } : {}) });

/** Self-service sign-up (/api/signup…): status, slug check, sign-up, new link, confirmation. */
export function signupRoutes(deps: SignupRouteDeps) {
  return async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['Inscription'];
    app.get(
      '/api/signup/status',
      {
        schema: {
          tags,
          summary: "Qui peut s'inscrire sur l'instance (SIGNUP) : tout le monde, sur invitation, ou personne",
          response: { 200: Type.Object({ mode: StringEnum(['open', 'invite', 'closed'] as const) }) },
        },
      },
      async () => ({ mode: deps.signup.mode }),
    );

    app.get(
      '/api/signup/slug',
      {
        onRequest: deps.checkLimit,
        schema: {
          tags,
          summary: "Adresse de page (/{slug}) : suggérée d'après un nom, ou vérifiée",
          description: "Avec `name` seul : la première adresse libre tirée du nom. Avec `slug` : libre, prise, ou refusée (et pourquoi). Rien d'autre n'est dit des autres entreprises.",
          querystring: Type.Object({ slug: Type.Optional(Text(120)), name: Type.Optional(Text(120)) }),
          response: {
            200: Type.Object({ slug: Type.String(), available: Type.Boolean(), message: Type.Optional(Type.String()) }),
            ...errorResponses(400, 403, 429),
          },
        },
      },
      async (request) => deps.signup.checkSlug(request.query),
    );

    app.post(
      '/api/signup',
      {
        onRequest: deps.signupLimit,
        schema: {
          tags,
          summary: 'Créer son entreprise et sa connexion ; la page est publiée une fois l’adresse confirmée par le lien envoyé',
          body: Type.Object({
            displayName: Text(200, "Nom de l'entreprise, ex. « Plomberie Dupont »"),
            trade: Type.Optional(Text(200, 'Métier, ex. « Plombier »')),
            slug: Text(120, 'Adresse de la page : /plomberie-dupont'),
            timezone: Type.Optional(Text(64, 'Fuseau horaire IANA (Europe/Paris par défaut)')),
            email: Text(300, 'E-mail de contact et de connexion'),
            phone: Type.Optional(Text(40)),
            password: Type.String({ maxLength: 300 }),
            invitation: Type.Optional(Text(200, "Lien d'invitation (SIGNUP=invite)")),
          }),
          response: {
            201: Type.Object({ email: Type.String(), slug: Type.String(), message: Type.String() }),
            ...errorResponses(400, 403, 409, 429),
          },
        },
      },
      async (request, reply) => {
        const created = await deps.signup.signUp(request.body);
        return reply.status(201).send({
          ...created,
          message: `Un e-mail vient d'être envoyé à ${created.email}. Ouvrez le lien qu'il contient (valable ${CONFIRM_HOURS} heures) pour confirmer votre adresse et mettre votre page en ligne.`,
        });
      },
    );

    app.post(
      '/api/signup/resend',
      {
        onRequest: deps.signupLimit,
        schema: {
          tags,
          summary: 'Recevoir un nouveau lien de confirmation',
          description: 'La réponse est la même qu’une inscription attende ou non avec cette adresse.',
          body: Type.Object({ email: Text(300) }),
          response: { 202: Type.Object({ message: Type.String() }), ...errorResponses(400, 403, 429) },
        },
      },
      async (request, reply) => {
        await deps.signup.resend(request.body.email);
        return reply.status(202).send({ message: RESEND_ANSWER });
      },
    );

    app.post(
      '/api/signup/confirm',
      {
        onRequest: deps.signupLimit,
        schema: {
          tags,
          summary: "Confirmer l'adresse avec le lien reçu : publie la page et connecte le gérant (cookie de session)",
          body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }),
          response: { 201: Me, ...errorResponses(400, 429) },
        },
      },
      async (request, reply) => {
        const confirmed = await deps.signup.confirm(request.body.token);
        deps.onPublished(confirmed.slug);
        const session = await deps.auth.signInConfirmed(confirmed.signInEmail);
        const maxAge = Math.floor((session.expiresMs - deps.clock.now()) / 1000);
        reply.setCookie(SESSION_COOKIE, session.sessionToken, cookieOptions(request, deps.publicBaseUrl, maxAge));
        return reply.status(201).send(await deps.auth.whoAmI(session.principal));
      },
    );
  };
}
