import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { HelmetOptions } from 'helmet';
import { errorBody } from '../errors.ts';
import { cspDirectives } from '../security-headers.ts';
import { slugOf, type BusinessResolver } from '../business.ts';

export interface WebPagesDeps {
  /** The Vite build (`npm run build`): `site/*.html`, `admin/index.html`, `assets/`. */
  distDir: string;
  embedAllowedOrigins: string[];
  stripe: boolean;
  business: BusinessResolver;
}

/** The HTML entry of each page, relative to the build directory. */
const PAGES = { booking: 'site/booking.html', manage: 'site/manage.html', admin: 'admin/index.html', operator: 'operator/index.html', signup: 'signup/index.html' } as const;
type PageName = keyof typeof PAGES;

/**
 * Serves the built front from the same origin as the API: the pages (their paths are the
 * customer's and the artisan's addresses) and the hashed assets (cached for good). The HTML
 * is read once; a build that is missing answers a French 503 instead of a stack trace.
 */
export function webPagesRoutes(deps: WebPagesDeps) {
  const dist = resolve(deps.distDir);
  const cache = new Map<PageName, string>();
  const html = async (name: PageName): Promise<string | undefined> => {
    const hit = cache.get(name);
    if (hit !== undefined) return hit;
    try {
      const text = await readFile(join(dist, PAGES[name]), 'utf8');
      cache.set(name, text);
      return text;
    } catch {
      return undefined;
    }
  };
  const send = async (reply: FastifyReply, name: PageName, base?: string): Promise<FastifyReply> => {
    let page = await html(name);
    if (page === undefined) {
      return reply.status(503).send(errorBody('FRONT_NOT_BUILT', "Les pages du site ne sont pas construites : lancez « npm run build » puis redémarrez le service."));
    }
    // A business's page under /{slug} calls its API under the same prefix (web/shared/api/client.ts).
    if (base !== undefined) page = page.replace('<head>', `<head><meta name="ac-business" content="${base}">`);
    // Pages are small and change with each build; the manage page's URL can carry a token.
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  };
  const framed: HelmetOptions = { contentSecurityPolicy: { useDefaults: false, directives: cspDirectives({ frameAncestors: deps.embedAllowedOrigins, stripe: deps.stripe }) } };
  const own: HelmetOptions = { contentSecurityPolicy: { useDefaults: false, directives: cspDirectives({ frameAncestors: [], stripe: deps.stripe }) } };
  const embedScript: HelmetOptions = { ...own, crossOriginResourcePolicy: { policy: 'cross-origin' } };

  return async function webPages(app: FastifyInstance): Promise<void> {
    await app.register(fastifyStatic, {
      root: join(dist, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      decorateReply: false,
      index: false,
    });
    const hide = { hide: true };
    // Only the booking page may be embedded (EMBED_ALLOWED_ORIGINS).
    /** A page under a business's address exists only for a business that does (404 otherwise). */
    const customerPage = (name: PageName) => async (request: FastifyRequest, reply: FastifyReply) => {
      const slug = slugOf(request);
      if (slug !== undefined) await deps.business.named(request);
      return send(reply, name, slug === undefined ? undefined : `/${slug}`);
    };
    app.get('/', { schema: hide, config: { securityHeaders: framed } }, customerPage('booking'));
    for (const path of ['/reservation', '/gerer']) app.get(path, { schema: hide, config: { securityHeaders: own } }, customerPage('manage'));
    // The embed snippet's script: loaded by other sites, so a short cache and a cross-origin CORP.
    app.get('/embed.js', { schema: hide, config: { securityHeaders: embedScript } }, async (_request, reply) => {
      try {
        const text = await readFile(join(dist, 'embed.js'), 'utf8');
        return reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(text);
      } catch {
        return reply.status(503).send(errorBody('FRONT_NOT_BUILT', "Les pages du site ne sont pas construites : lancez « npm run build » puis redémarrez le service."));
      }
    });
    for (const path of ['/admin', '/admin/*']) app.get(path, { schema: hide, config: { securityHeaders: own } }, (_request, reply) => send(reply, 'admin'));
    // The operator's console: its own app, never framed.
    // Sign-up (/inscription) and its confirmation link (/inscription/confirmer); the page reads SIGNUP from the API.
    for (const path of ['/inscription', '/inscription/confirmer']) app.get(path, { schema: hide, config: { securityHeaders: own } }, (_request, reply) => send(reply, 'signup'));
    for (const path of ['/operator', '/operator/*']) app.get(path, { schema: hide, config: { securityHeaders: own } }, (_request, reply) => send(reply, 'operator'));
  };
}
