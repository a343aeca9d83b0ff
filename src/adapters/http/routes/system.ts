import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorBody, serviceUnavailable } from '../errors.ts';
import type { ReadinessCheck } from '../../../app/readiness.ts';

/** Runs one query against the database; rejects when it cannot. */
export type HealthCheck = () => Promise<{ database: 'pglite' | 'postgres' }>;

/** Every check by name (database, migrations, worker); ready when all pass. */
export type ReadinessProbe = () => Promise<Record<string, ReadinessCheck>>;

export async function systemRoutes(root: FastifyInstance, deps: { health: HealthCheck; ready: ReadinessProbe; version: string }): Promise<void> {
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
    async (request) => {
      try {
        const { database } = await deps.health();
        return { status: 'ok' as const, database };
      } catch (error) {
        request.log.error({ err: error }, 'health check failed');
        // The one error handler answers it, with Retry-After.
        throw serviceUnavailable('Le service est momentanément indisponible.');
      }
    },
  );
  app.get(
    '/api/ready',
    {
      schema: {
        tags: ['Système'],
        summary: 'Prêt à servir (base joignable, migrations à jour, tâche de fond active) — pour les répartiteurs de charge',
        description:
          "200 quand tout va bien ; 503 sinon, avec `error.details` qui nomme chaque vérification en échec et `checks` l'état de chacune. `/api/health` reste la vivacité du processus.",
      },
    },
    async (request, reply) => {
      const checks = await deps.ready();
      const failing = Object.entries(checks).filter(([, c]) => !c.ok);
      if (failing.length === 0) return { status: 'ready', checks };
      request.log.warn({ failing: failing.map(([name]) => name) }, 'not ready');
      return reply.status(503).header('retry-after', '5').send({
        ...errorBody(
          'SERVICE_UNAVAILABLE',
          "Le service n'est pas prêt à recevoir du trafic.",
          failing.map(([field, c]) => ({ field, message: c.message ?? 'Vérification en échec.' })),
        ),
        status: 'not_ready',
        checks,
      });
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
