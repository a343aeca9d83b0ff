import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { PasswordReset } from '../../../app/password-reset.ts';
import { Email, errorResponses } from '../schemas.ts';

/** What asking for a link always answers, whether the address has an account or not. */
export const RESET_REQUESTED =
  'Si un compte existe avec cette adresse, un e-mail vient de lui être envoyé avec un lien pour choisir un nouveau mot de passe. Le lien est valable une heure.';

/**
 * "Mot de passe oublié" for the artisans (/api/admin/password/…) and the operators
 * (/api/operator/password/…): reachable signed out, in the sign-in's rate-limit bucket.
 */
export function passwordResetRoutes(deps: { artisan: PasswordReset; operator: PasswordReset; loginLimit: onRequestHookHandler }) {
  return async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    for (const [prefix, reset, tag, who] of [
      ['/api/admin', deps.artisan, 'Administration', "l'artisan"],
      ['/api/operator', deps.operator, 'Opérateur', "l'opérateur"],
    ] as const) {
      app.post(
        `${prefix}/password/forgot`,
        {
          onRequest: deps.loginLimit,
          schema: {
            tags: [tag],
            summary: `Mot de passe oublié de ${who} : envoie un lien à usage unique (valable 1 h)`,
            description: 'La réponse est la même que l’adresse ait un compte ou non.',
            body: Type.Object({ email: Email }),
            response: { 202: Type.Object({ message: Type.String() }), ...errorResponses(400, 429) },
          },
        },
        async (request, reply) => {
          reset.request(request.body.email);
          return reply.status(202).send({ message: RESET_REQUESTED });
        },
      );
      app.post(
        `${prefix}/password/reset`,
        {
          onRequest: deps.loginLimit,
          schema: {
            tags: [tag],
            summary: `Choisir un nouveau mot de passe avec le lien reçu (${who}) ; ferme toutes ses sessions`,
            body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 200 }) }),
            response: { 204: Type.Null(), ...errorResponses(400, 429) },
          },
        },
        async (request, reply) => {
          await reset.reset(request.body.token, request.body.password);
          return reply.status(204).send(null);
        },
      );
    }
  };
}
