import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CreateRateLimitOptions } from '@fastify/rate-limit';
import { RateLimitedError } from './errors.ts';

export type Bucket = 'manage' | 'create' | 'read' | 'login' | 'signup' | 'signupCheck';
/** The buckets a business has of its own, for the routes its address reaches. */
export type BusinessBucket = 'read' | 'create';
/** An onRequest hook: resolves when the request is within its budget, throws RATE_LIMITED otherwise. */
export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface RateLimiters extends Record<Bucket, RateLimitHook> {
  /** The client's bucket, then the business's: for the routes a business's address reaches. */
  business: Record<BusinessBucket, RateLimitHook>;
}

/**
 * How many counters each bucket keeps in memory (an LRU: the least recently used goes first).
 * A flood from many addresses or on many businesses cannot grow the process; with Redis each
 * counter is a key that expires with its window instead.
 */
export const RATE_LIMIT_KEYS = 10_000;

/**
 * Per-IP buckets of decisions §6. Lookup, cancel and reschedule share one bucket, so the
 * limiters use the plugin's shared store (in memory, or Redis when REDIS_URL is set, which
 * makes the counts hold across instances) rather than a store per route.
 *
 * The public routes of a business (services, availability, booking) also count against a
 * bucket of that business, all clients together (issue 19 item 7): a flood on one business's
 * page is refused there and does not take the instance from the others. A client's own bucket
 * is checked first, so a client over its limit does not spend its business's budget.
 */
/**
 * Per API key (issue 21): every admin request made with one token counts against that token's
 * budget, whatever address it comes from. Over it: 429 with Retry-After until the window ends,
 * never a lockout. Keyed by the token's id (never the secret).
 */
export function makeApiKeyLimit(app: FastifyInstance, perMinute: number): (request: FastifyRequest, tokenId: string) => Promise<void> {
  const keyOf = new WeakMap<FastifyRequest, string>();
  const options: CreateRateLimitOptions & { cache: number } = { max: perMinute, timeWindow: 60_000, keyGenerator: (req) => `api-key:${keyOf.get(req) ?? ''}`, cache: RATE_LIMIT_KEYS };
  const check = app.createRateLimit(options);
  return async (request, tokenId) => {
    keyOf.set(request, tokenId);
    const result = await check(request);
    if (!result.isAllowed && result.isExceeded) throw new RateLimitedError(Math.max(1, result.ttlInSeconds));
  };
}

export function makeRateLimiters(
  app: FastifyInstance,
  limits: Record<Bucket, number>,
  perBusiness: { limits: Record<BusinessBucket, number>; businessOf(request: FastifyRequest): Promise<string> },
): RateLimiters {
  const make = (max: number, keyOf: (request: FastifyRequest) => string) => {
    // Each limiter gets its own in-memory store, sized by `cache` from these options
    // (LocalStore.child); the plugin's types leave that option out.
    const options: CreateRateLimitOptions & { cache: number } = { max, timeWindow: 60_000, keyGenerator: keyOf, cache: RATE_LIMIT_KEYS };
    const check = app.createRateLimit(options);
    return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded) {
        reply.header('x-ratelimit-limit', String(result.max));
        throw new RateLimitedError(Math.max(1, result.ttlInSeconds));
      }
    };
  };
  const ofClient = (bucket: Bucket): RateLimitHook => make(limits[bucket], (req) => `${bucket}:${req.ip}`);
  const clients = {
    manage: ofClient('manage'),
    create: ofClient('create'),
    read: ofClient('read'),
    login: ofClient('login'),
    signup: ofClient('signup'),
    signupCheck: ofClient('signupCheck'),
  };
  const ofBusiness = (bucket: BusinessBucket): RateLimitHook => {
    const client = clients[bucket];
    const business = make(perBusiness.limits[bucket], (req) => `business-${bucket}:${req.business ?? ''}`);
    return async (request, reply) => {
      await client(request, reply);
      // A request for no business is answered 404 by its route: it has no business bucket.
      const id = await perBusiness.businessOf(request).catch(() => undefined);
      if (id !== undefined) await business(request, reply);
    };
  };
  return {
    ...clients,
    business: { read: ofBusiness('read'), create: ofBusiness('create') },
  };
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
