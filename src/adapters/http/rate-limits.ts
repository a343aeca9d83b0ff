import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/rate-limit';
import { RateLimitedError } from './errors.ts';

export type Bucket = 'manage' | 'create' | 'read' | 'login' | 'signup' | 'signupCheck';
/** An onRequest hook: resolves when the request is within its budget, throws RATE_LIMITED otherwise. */
export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Per-IP buckets of decisions §6. Lookup, cancel and reschedule share one bucket, so the
 * limiters use the plugin's shared store (in memory, or Redis when REDIS_URL is set, which
 * makes the counts hold across instances) rather than a store per route.
 */
export function makeRateLimiters(app: FastifyInstance, limits: Record<Bucket, number>): Record<Bucket, RateLimitHook> {
  const make = (bucket: Bucket): RateLimitHook => {
    const check = app.createRateLimit({
      max: limits[bucket],
      timeWindow: 60_000,
      keyGenerator: (req: FastifyRequest) => `${bucket}:${req.ip}`,
    });
    return async (request, reply) => {
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded) {
        reply.header('x-ratelimit-limit', String(result.max));
        throw new RateLimitedError(Math.max(1, result.ttlInSeconds));
      }
    };
  };
  return { manage: make('manage'), create: make('create'), read: make('read'), login: make('login'), signup: make('signup'), signupCheck: make('signupCheck') };
}

/**
 * For a customer's own booking, reached by GET: a request carrying a manage link's token
 * counts against the browsing budget (`read`), one with a code and an e-mail against the
 * guessing limit (`manage`). A token is signed (manage-link.ts): it cannot be guessed, so
 * only code + e-mail pairs are identity guesses. A customer who moves their booking browses
 * day after day; once they have proved who they are they hold a token (the e-mailed link,
 * or the one the code + e-mail lookup answers with) and browse without meeting the limit
 * meant for guessing codes.
 */
export function byProof(limits: Record<Bucket, RateLimitHook>): RateLimitHook {
  return (request, reply) => {
    const token = (request.query as { token?: unknown } | undefined)?.token;
    return (typeof token === 'string' && token !== '' ? limits.read : limits.manage)(request, reply);
  };
}
