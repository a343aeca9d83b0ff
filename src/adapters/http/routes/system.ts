import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorBody } from '../errors.ts';

/** Runs one query against the database; rejects when it cannot. */
export type HealthCheck = () => Promise<{ database: 'pglite' | 'postgres' }>;

export async function systemRoutes(root: FastifyInstance, deps: { health: HealthCheck; version: string }): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['Système'],
        summary: 'État du service (vérifie la base de données)',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }),
          503: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (request, reply) => {
      try {
        const { database } = await deps.health();
        return { status: 'ok' as const, database };
      } catch (error) {
        request.log.error({ err: error }, 'health check failed');
        return reply.status(503).send(errorBody('SERVICE_UNAVAILABLE', 'Le service est momentanément indisponible.'));
      }
    },
  );
  app.get(
    '/api/version',
    {
      schema: {
        tags: ['Système'],
        summary: 'Version du service',
        response: { 200: Type.Object({ name: Type.String(), version: Type.String() }) },
      },
    },
    async () => ({ name: 'artisanconnect', version: deps.version }),
  );
}
