import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { maskUrlForLog } from './log-url.ts';
import rateLimit from '@fastify/rate-limit';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import type { IdempotencyStore } from '../../app/idempotency.ts';
import { errorBody, handleError } from './errors.ts';
import { makeRateLimiters } from './rate-limits.ts';
import { publicApi } from './routes/public-api.ts';
import { systemRoutes, type HealthCheck } from './routes/system.ts';
import { webPagesRoutes } from './routes/web-pages.ts';
import { securityHeaders } from './security-headers.ts';
import { adminScope, SESSION_COOKIE, type AdminAuthenticator, type AdminRoutes } from './admin-scope.ts';
import { adminLoginRoutes } from './routes/admin-account.ts';
import type { AdminAuth } from '../../app/admin-auth.ts';
import { ErrorResponse } from './schemas.ts';
import type { UseCases } from './use-cases.ts';

export interface HttpDeps {
  config: Pick<Config, 'bodyLimitBytes' | 'trustProxy' | 'logLevel' | 'rateLimits' | 'publicBaseUrl' | 'embedAllowedOrigins' | 'webDistDir' | 'paymentProvider'>;
  useCases: UseCases;
  idempotency: IdempotencyStore;
  health: HealthCheck;
  clock: { now(): number };
  redis?: Redis;
  version: string;
  admin: { auth: AdminAuth & AdminAuthenticator; routes: AdminRoutes[] };
}

/** Plugins load in order: external (docs, rate limit), then error handling, then routes. */
export async function buildHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ajv: { customOptions: { removeAdditional: true, coerceTypes: 'array', useDefaults: true, allErrors: true } },
    logger: {
      level: deps.config.logLevel,
      // Customers' contact details never reach the logs.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.email', '*.phone', '*.customer'], censor: '[masqué]' },
      serializers: {
        // Fastify's own request fields, with the e-mail and manage token masked in the URL.
        req: (req: FastifyRequest) => ({
          method: req.method,
          url: maskUrlForLog(req.url),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket ? req.socket.remotePort : undefined,
        }),
      },
    },
    return503OnClosing: true,
  });

  // The API speaks JSON only: drop Fastify's built-in text/plain parser so such bodies get 415.
  app.removeContentTypeParser('text/plain');
  app.addSchema(ErrorResponse);
  const stripe = (deps.config.paymentProvider as string) === 'stripe';
  await securityHeaders(app, { stripe });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ArtisanConnect API',
        version: deps.version,
        description: "API de réservation d'ArtisanConnect : prestations, disponibilités, réservations avec acompte, gestion par code + e-mail.",
      },
      servers: [{ url: deps.config.publicBaseUrl }],
      tags: [
        { name: 'Réservation', description: 'Parcours client public' },
        { name: 'Administration', description: "Espace de l'artisan (session ou jeton d'API)" },
        { name: 'Système' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: "Jeton d'API (intégrations)" },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: "Session de l'artisan (écritures protégées par l'en-tête X-CSRF-Token)" },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  // The reference page brings its own CSP (its scripts and styles), replacing the strict one.
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { docExpansion: 'list', deepLinking: true } });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    // A store error (Redis down) lets the request through rather than failing it.
    skipOnError: true,
    ...(deps.redis ? { redis: deps.redis, nameSpace: 'ac-rl:' } : {}),
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('NOT_FOUND', "Cette adresse n'existe pas."));
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const limits = makeRateLimiters(app, deps.config.rateLimits);
  await app.register(async (scope) => publicApi(scope, { useCases: deps.useCases, idempotency: deps.idempotency, limits, clock: deps.clock }));
  await app.register(adminLoginRoutes({ auth: deps.admin.auth, loginLimit: limits.login, publicBaseUrl: deps.config.publicBaseUrl, clock: deps.clock }));
  await adminScope(app, { authenticator: deps.admin.auth, routes: deps.admin.routes, loginLimit: limits.login });
  await app.register(async (scope) => systemRoutes(scope, { health: deps.health, version: deps.version }));
  await app.register(webPagesRoutes({ distDir: deps.config.webDistDir, embedAllowedOrigins: deps.config.embedAllowedOrigins, stripe }));
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
