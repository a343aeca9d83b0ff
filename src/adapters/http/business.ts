import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../domain/errors.ts';
import { mayBeSlug } from '../../domain/slug.ts';
import type { BusinessDirectory } from '../../app/ports/business-directory.ts';

/**
 * Which business a public request is for (issue 19), from, in order:
 *  1. the path prefix `/{slug}`: `/{slug}` is its booking page, `/{slug}/reservation` its
 *     manage page, `/{slug}/api/…` its public API (the contract's paths after the prefix);
 *  2. the host name, when the business has its own (custom domain or subdomain);
 *  3. the instance's only business, when it has one: the contract's paths unchanged.
 */

/** The public paths a slug may prefix; the back office, setup and operator paths never take one. */
const PREFIXABLE = /^\/(?:$|reservation$|gerer$|api\/(?!admin\b|setup\b|operator\b|payments\/webhook))/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The business the request reached by its address (undefined: no slug and no business host). */
    business?: string;
  }
}

type SluggedRequest = IncomingMessage & { businessSlug?: string };

/** Whether a path of the instance is also under each business's address (`/{slug}` + path). */
export const takesBusinessPrefix = (path: string): boolean => PREFIXABLE.test(path);

/** Fastify's rewriteUrl: `/{slug}/api/services` is routed as `/api/services`, the slug kept on the request. */
export function rewriteBusinessUrl(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const match = /^\/([^/?#]+)(\/[^?#]*)?([?#].*)?$/.exec(url);
  if (!match) return url;
  const [, segment, rest = '', query = ''] = match;
  if (!mayBeSlug(segment!)) return url;
  const path = rest === '' ? '/' : rest;
  if (!PREFIXABLE.test(path)) return url;
  (req as SluggedRequest).businessSlug = segment;
  return path + query;
}

/** The slug the request's path carried (rewriteBusinessUrl), if any. */
export const slugOf = (request: FastifyRequest): string | undefined => (request.raw as SluggedRequest).businessSlug;

export const businessNotFound = (): NotFoundError =>
  new NotFoundError('BUSINESS_NOT_FOUND', "Cette entreprise n'existe pas sur ArtisanConnect. Vérifiez l'adresse de sa page.");

export interface BusinessResolver {
  /** The business the request is for; BUSINESS_NOT_FOUND when none can be told. */
  required(request: FastifyRequest): Promise<string>;
  /** The business named by the request's address (slug or host) only; undefined otherwise. */
  named(request: FastifyRequest): Promise<string | undefined>;
  /** Whether the booking code is this business's: asked within the business, so another's and a made-up one cost the same. */
  hasCode(artisanId: string, publicCode: string): Promise<boolean>;
}

export function makeBusinessResolver(directory: BusinessDirectory, options: { instanceHost?: string } = {}): BusinessResolver {
  const named = async (request: FastifyRequest): Promise<string | undefined> => {
    const slug = slugOf(request);
    if (slug !== undefined) {
      const id = await directory.bySlug(slug);
      if (id === undefined) throw businessNotFound();
      return id;
    }
    const host = request.hostname.toLowerCase();
    if (host === options.instanceHost || host === 'localhost' || host === '127.0.0.1' || host === '') return undefined;
    return directory.byHost(host);
  };
  return {
    named,
    hasCode: (artisanId, code) => directory.hasBookingCode(artisanId, code),
    async required(request) {
      // Resolved once per request: the business's rate limit asks first, the route again.
      if (request.business !== undefined) return request.business;
      const id = (await named(request)) ?? (await directory.sole());
      if (id === undefined) throw businessNotFound();
      request.business = id;
      return id;
    },
  };
}

/** Registers the request decoration the public routes read. */
export function decorateBusiness(app: FastifyInstance): void {
  app.decorateRequest('business', undefined);
}
