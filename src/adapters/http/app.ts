import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { maskUrlForLog } from './log-url.ts';
import rateLimit from '@fastify/rate-limit';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { businessOpenApi } from './business-openapi.ts';
import { businessAddress } from '../../domain/business-address.ts';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import type { Logger } from 'pino';
import { answerClientError, errorBody, handleError, maskedError, serviceUnavailable } from './errors.ts';
import { hasContact } from '../mask-contacts.ts';
import { registerJsonParser } from './json-body.ts';
import { makeApiKeyLimit, makeRateLimiters } from './rate-limits.ts';
import { publicApi } from './routes/public-api.ts';
import { systemRoutes, type HealthCheck, type ReadinessProbe } from './routes/system.ts';
import type { Metrics } from './metrics.ts';
import { webPagesRoutes } from './routes/web-pages.ts';
import { securityHeaders } from './security-headers.ts';
import { adminScope, SESSION_COOKIE, type AdminAuthenticator, type AdminRoutes } from './admin-scope.ts';
import { adminLoginRoutes } from './routes/admin-account.ts';
import { setupRoutes, type SetupRouteDeps } from './routes/setup.ts';
import type { AdminAuth } from '../../app/admin-auth.ts';
import type { PasswordReset } from '../../app/password-reset.ts';
import type { RoleCheck } from '../../app/member-roles.ts';
import { OPERATOR_COOKIE, operatorRoutes, type OperatorRouteDeps } from './routes/operator.ts';
import { passwordResetRoutes } from './routes/password-reset.ts';
import { signupRoutes } from './routes/signup.ts';
import type { Signup } from '../../app/signup.ts';
import { ErrorResponse } from './schemas.ts';
import { SHARED_ADMIN_SCHEMAS } from './admin-schemas.ts';
import type { UseCases } from './use-cases.ts';
import { decorateBusiness, makeBusinessResolver, rewriteBusinessUrl } from './business.ts';
import type { BusinessDirectory } from '../../app/ports/business-directory.ts';

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
/** A client's request id worth keeping: short, plain characters, nothing that looks like a contact. */
export function isSafeRequestId(id: string): boolean {
  return REQUEST_ID_RE.test(id) && !hasContact(id);
}

export interface HttpDeps {
  log: Logger;
  config: Pick<Config, 'bodyLimitBytes' | 'trustProxy' | 'logLevel' | 'rateLimits' | 'businessRateLimits' | 'publicBaseUrl' | 'embedAllowedOrigins' | 'webDistDir' | 'paymentProvider'>;
  useCases: UseCases;
  health: HealthCheck;
  ready: ReadinessProbe;
  /** Prometheus metrics; `/metrics` exists only when a token is given (METRICS_TOKEN). */
  metrics?: { metrics: Metrics; token: string | undefined };
  clock: { now(): number };
  redis?: Redis;
  version: string;
  admin: { auth: AdminAuth & AdminAuthenticator; routes: AdminRoutes[]; roles?: RoleCheck };
  paymentProvider: 'stripe' | 'simulated';
  /** Route plugins registered after the public API (payments config, webhooks). */
  routes?: ((app: FastifyInstance) => Promise<void>)[];
  /** The first start of a real artisan (GET /api/setup/status, POST /api/setup). */
  setup: Pick<SetupRouteDeps, 'firstStart' | 'onCreated'>;
  /** Which business a visitor reaches: /{slug}, its host name, or the instance's only one. */
  businesses: BusinessDirectory;
  /** The operator's console API (/api/operator). */
  operator: Pick<OperatorRouteDeps, 'auth' | 'console' | 'data'>;
  /** Self-service sign-up (/inscription, /api/signup…; SIGNUP). */
  signup: Signup;
  /** "Mot de passe oublié" of the artisans and the operators. */
  passwordResets: { artisan: PasswordReset; operator: PasswordReset };
}

/** Plugins load in order: external (docs, rate limit), then error handling, then routes. */
export async function buildHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: deps.config.bodyLimitBytes,
    // Only the configured proxies (never `true`, which would believe the client's own entries).
    trustProxy: deps.config.trustProxy.length > 0 ? deps.config.trustProxy : false,
    // A client's X-Request-Id is kept only when it is a short safe token (it is echoed and logged).
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && isSafeRequestId(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: true, coerceTypes: 'array', useDefaults: true, allErrors: true } },
    // The service's logger, with contact details masked by value (URL, error messages).
    loggerInstance: (deps.log as FastifyBaseLogger).child(
      {},
      {
        redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.email', '*.phone', '*.customer'], censor: '[masqué]' },
        serializers: {
          req: (req: FastifyRequest) => ({
            method: req.method,
            url: maskUrlForLog(req.url),
            host: req.host,
            remoteAddress: req.ip,
            remotePort: req.socket ? req.socket.remotePort : undefined,
          }),
          err: maskedError,
        },
      },
    ),
    // Requests arriving while the server closes are answered by the closing hook below, in the
    // contract's body with Retry-After (Fastify's own 503 is English and has none).
    return503OnClosing: false,
    frameworkErrors: (error, request, reply) => void handleError(error, request, reply),
    // A business's pages and public API under its address: /{slug}/api/services is /api/services.
    rewriteUrl: rewriteBusinessUrl,
    clientErrorHandler: answerClientError,
  });

  // The API speaks JSON only: drop Fastify's built-in text/plain parser so such bodies get 415.
  app.removeContentTypeParser('text/plain');
  registerJsonParser(app);
  app.addSchema(ErrorResponse);
  for (const schema of SHARED_ADMIN_SCHEMAS) app.addSchema(schema);
  const stripe = deps.config.paymentProvider === 'stripe';
  const business = makeBusinessResolver(deps.businesses, { instanceHost: new URL(deps.config.publicBaseUrl).hostname.toLowerCase() });
  /** The address of the business a request's address names (slug or host name); undefined on the instance's own. */
  const businessAddressOf = async (request: FastifyRequest): Promise<string | undefined> => {
    const id = await business.named(request);
    if (id === undefined) return undefined;
    return businessAddress(deps.config.publicBaseUrl, (await deps.businesses.addressOf(id)) ?? { slug: null, hostName: null }).base;
  };
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
        { name: 'Opérateur', description: "Console de l'entreprise qui exploite l'instance (session propre)" },
        { name: 'Inscription', description: 'Création de son entreprise par un artisan (selon SIGNUP)' },
        { name: 'Système' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: "Jeton d'API (intégrations)" },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: "Session de l'artisan (écritures protégées par l'en-tête X-CSRF-Token)" },
          operatorCookie: { type: 'apiKey', in: 'cookie', name: OPERATOR_COOKIE, description: "Session de l'opérateur (écritures protégées par l'en-tête X-CSRF-Token)" },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  // The reference page brings its own CSP (its scripts and styles), replacing the strict one.
  // Under a business's address it describes that business's API (its server, its paths).
  const documentAddress = new WeakMap<FastifyRequest, string>();
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true },
    uiHooks: {
      preHandler: async (request, _reply) => {
        const address = await businessAddressOf(request);
        if (address !== undefined) documentAddress.set(request, address);
      },
    },
    transformSpecification: (doc, request) => {
      const address = documentAddress.get(request as FastifyRequest);
      return address === undefined ? doc : businessOpenApi(doc, address);
    },
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    // A store error (Redis down) lets the request through rather than failing it.
    skipOnError: true,
    ...(deps.redis ? { redis: deps.redis, nameSpace: 'ac-rl:' } : {}),
  });

  app.setErrorHandler(handleError);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (closing) {
      reply.header('connection', 'close');
      throw serviceUnavailable('Le service redémarre. Merci de réessayer dans quelques secondes.');
    }
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('NOT_FOUND', "Cette adresse n'existe pas."));
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  if (deps.metrics) {
    deps.metrics.metrics.instrument(app);
    if (deps.metrics.token) deps.metrics.metrics.route(app, deps.metrics.token);
  }

  decorateBusiness(app);
  const limits = makeRateLimiters(app, deps.config.rateLimits, { limits: deps.config.businessRateLimits, businessOf: business.required });
  await app.register(async (scope) =>
    publicApi(scope, { useCases: deps.useCases, limits, clock: deps.clock, paymentProvider: deps.paymentProvider, business }),
  );
  for (const routes of deps.routes ?? []) await app.register(routes);
  await app.register(adminLoginRoutes({ auth: deps.admin.auth, loginLimit: limits.login, publicBaseUrl: deps.config.publicBaseUrl, clock: deps.clock }));
  await app.register(setupRoutes({ ...deps.setup, auth: deps.admin.auth, loginLimit: limits.login, publicBaseUrl: deps.config.publicBaseUrl, clock: deps.clock }));
  await app.register(operatorRoutes({ ...deps.operator, signup: deps.signup, loginLimit: limits.login, publicBaseUrl: deps.config.publicBaseUrl, clock: deps.clock }));
  await app.register(passwordResetRoutes({ ...deps.passwordResets, loginLimit: limits.login }));
  await app.register(
    signupRoutes({
      signup: deps.signup,
      auth: deps.admin.auth,
      signupLimit: limits.signup,
      checkLimit: limits.signupCheck,
      publicBaseUrl: deps.config.publicBaseUrl,
      clock: deps.clock,
      onPublished: (slug) => deps.businesses.published(slug),
    }),
  );
  await adminScope(app, {
    authenticator: deps.admin.auth,
    routes: deps.admin.routes,
    loginLimit: limits.login,
    roles: deps.admin.roles,
    apiKeyLimit: makeApiKeyLimit(app, deps.config.rateLimits.apiKey),
  });
  await app.register(async (scope) => systemRoutes(scope, { health: deps.health, ready: deps.ready, version: deps.version }));
  await app.register(webPagesRoutes({ distDir: deps.config.webDistDir, embedAllowedOrigins: deps.config.embedAllowedOrigins, stripe, business }));
  // Under a business's address (/{slug}/api/openapi.json, its host name) the document is that business's own.
  app.get('/api/openapi.json', { schema: { hide: true } }, async (request) => {
    const address = await businessAddressOf(request);
    return address === undefined ? app.swagger() : businessOpenApi(app.swagger(), address);
  });
  return app;
}
