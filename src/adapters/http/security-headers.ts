import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's security headers where they differ from the defaults below (merged over them). */
    securityHeaders?: HelmetOptions;
  }
}

/** Stripe.js and its frames: the only outside origin a page may reach, and only with the Stripe provider. */
const STRIPE = { script: ['https://js.stripe.com'], frame: ['https://js.stripe.com', 'https://hooks.stripe.com'], connect: ['https://api.stripe.com'] };

export interface PageSecurity {
  /** Who may put the page in an iframe: 'none' unless listed (EMBED_ALLOWED_ORIGINS). */
  frameAncestors: string[];
  /** Whether the page may load Stripe.js (PAYMENT_PROVIDER=stripe). */
  stripe: boolean;
}

/** The Content-Security-Policy of a built page: own-origin scripts and styles only, no inline code. */
export function cspDirectives(page: PageSecurity): Record<string, string[]> {
  return {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'", ...(page.stripe ? STRIPE.script : [])],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'", ...(page.stripe ? STRIPE.connect : [])],
    frameSrc: page.stripe ? STRIPE.frame : ["'none'"],
    manifestSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    objectSrc: ["'none'"],
    frameAncestors: page.frameAncestors.length > 0 ? page.frameAncestors : ["'none'"],
  };
}

/**
 * Helmet on every answer: nosniff (API included), no referrer (manage links carry a token in
 * the URL), the strict CSP above (pages override frame-ancestors per route through
 * `config.securityHeaders`). X-Frame-Options is left out: CSP frame-ancestors is what says
 * which sites may embed the booking page, and an X-Frame-Options SAMEORIGIN next to it would
 * contradict the allowed list. Helmet's middleware is built once per configuration, not per
 * request (the Fastify plugin built it, CSP parsing included, on every request: about 8 % of
 * the server's time on the hot paths).
 */
export async function securityHeaders(app: FastifyInstance, options: { stripe: boolean }): Promise<void> {
  const defaults: HelmetOptions = {
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives({ frameAncestors: [], stripe: options.stripe }) },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: false,
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
  };
  const everywhere = helmet(defaults);
  const byRoute = new WeakMap<HelmetOptions, ReturnType<typeof helmet>>();
  const forRoute = (own: HelmetOptions): ReturnType<typeof helmet> => {
    let middleware = byRoute.get(own);
    if (!middleware) byRoute.set(own, (middleware = helmet({ ...defaults, ...own } as HelmetOptions)));
    return middleware;
  };
  app.addHook('onRequest', (request, reply, done) => {
    const own = request.routeOptions.config?.securityHeaders;
    (own ? forRoute(own) : everywhere)(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  });
}
