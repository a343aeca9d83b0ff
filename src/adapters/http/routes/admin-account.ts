import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

/** Who is signed in (inside the authenticated admin scope). */
export async function adminAccountRoutes(root: FastifyInstance): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/me',
    {
      schema: {
        summary: 'Compte connecté',
        response: {
          200: Type.Object({ artisanId: Type.String(), actor: Type.String(), via: Type.Union([Type.Literal('session'), Type.Literal('token')]) }),
          401: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (request) => request.admin,
  );
}
