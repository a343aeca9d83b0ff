import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type {} from '@fastify/rate-limit';
import { RateLimitedError } from './errors.ts';

export type Bucket = 'manage' | 'create' | 'read' | 'login';

/**
 * Per-IP buckets of decisions §6. Lookup, cancel and reschedule share one bucket, so the
 * limiters use the plugin's shared store (in memory, or Redis when REDIS_URL is set, which
 * makes the counts hold across instances) rather than a store per route.
 */
export function makeRateLimiters(app: FastifyInstance, limits: Record<Bucket, number>): Record<Bucket, onRequestHookHandler> {
  const make = (bucket: Bucket): onRequestHookHandler => {
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
  return { manage: make('manage'), create: make('create'), read: make('read'), login: make('login') };
}
