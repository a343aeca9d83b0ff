import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspDirectives } from '../src/adapters/http/security-headers.ts';
import { startTestService, type TestService } from './helpers/service.ts';

/** Parses a Content-Security-Policy header into its directives. */
function csp(header: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of String(header).split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out[name] = values;
  }
  return out;
}

/**
 * The pages are served by the API's own process (one origin) with helmet's headers: strict
 * CSP, nosniff, no referrer; the API answers carry nosniff too. Embedding is refused unless
 * EMBED_ALLOWED_ORIGINS lists the site.
 */
describe('the front served by the service', () => {
  let t: TestService;
  let embed: TestService;
  beforeAll(async () => {
    t = await startTestService('pglite');
    embed = await startTestService('pglite', { env: { EMBED_ALLOWED_ORIGINS: 'https://www.plombier-dupont.fr, http://localhost:8080' } });
  });
  afterAll(async () => {
    await t?.close();
    await embed?.close();
  });

  it('serves the booking page with a strict CSP, nosniff and no referrer, never embeddable by default', async () => {
    const res = await t.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<html lang="fr">');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const policy = csp(res.headers['content-security-policy']);
    expect(policy['default-src']).toEqual(["'none'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['style-src']).toEqual(["'self'"]);
    expect(policy['connect-src']).toEqual(["'self'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    // No inline code for the CSP to allow: the page loads its own hashed files only.
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.body).not.toMatch(/<style/);
    expect(res.body).toMatch(/<script type="module" crossorigin src="\/assets\/[^"]+\.js">/);
  });

  it('lets only the listed sites embed the booking page, and no other page', async () => {
    const page = await embed.inject({ method: 'GET', url: '/' });
    expect(csp(page.headers['content-security-policy'])['frame-ancestors']).toEqual(['https://www.plombier-dupont.fr', 'http://localhost:8080']);
    expect(page.headers['x-frame-options']).toBeUndefined();
    const manage = await embed.inject({ method: 'GET', url: '/reservation' });
    expect(csp(manage.headers['content-security-policy'])['frame-ancestors']).toEqual(["'none'"]);
  });

  it('serves the built assets with a long cache, and nosniff on every API answer', async () => {
    const page = await t.inject({ method: 'GET', url: '/' });
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)![1]!;
    const asset = await t.inject({ method: 'GET', url: script });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    for (const url of ['/api/services', '/api/health', '/api/nope', '/api/bookings/public?code=x']) {
      const res = await t.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it('serves the manage page and the back office shell on their addresses', async () => {
    for (const url of ['/reservation', '/admin', '/admin/reservations']) {
      const res = await t.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('answers a French 503, not a stack trace, when the front was not built', async () => {
    const bare = await startTestService('pglite', { env: { WEB_DIST_DIR: '/nonexistent/web-dist' } });
    try {
      const res = await bare.request('GET', '/');
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'FRONT_NOT_BUILT' });
      expect(res.body.error.message).toContain('npm run build');
      expect((await bare.request('GET', '/api/services')).status).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it('allows Stripe.js (js.stripe.com) only with the Stripe provider, and no other outside origin', () => {
    const simulated = cspDirectives({ frameAncestors: [], stripe: false });
    expect(Object.values(simulated).flat().filter((v) => v.startsWith('http'))).toEqual([]);
    const stripe = cspDirectives({ frameAncestors: [], stripe: true });
    expect(stripe.scriptSrc).toEqual(["'self'", 'https://js.stripe.com']);
    expect(stripe.frameSrc).toEqual(['https://js.stripe.com', 'https://hooks.stripe.com']);
    expect(stripe.connectSrc).toEqual(["'self'", 'https://api.stripe.com']);
    expect(new Set(Object.values(stripe).flat().filter((v) => v.startsWith('http')).map((v) => new URL(v).hostname.split('.').slice(-2).join('.')))).toEqual(new Set(['stripe.com']));
  });

  it('a service running with the Stripe provider sends the CSP that lets the page load Stripe.js', async () => {
    const stripe = await startTestService('pglite', {
      env: { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_webpages', STRIPE_PUBLISHABLE_KEY: 'pk_test_webpages', STRIPE_WEBHOOK_SECRET: 'whsec_webpages', STRIPE_API_URL: 'http://127.0.0.1:9' },
    });
    try {
      const policy = csp((await stripe.inject({ method: 'GET', url: '/' })).headers['content-security-policy']);
      expect(policy['script-src']).toEqual(["'self'", 'https://js.stripe.com']);
      expect(policy['frame-src']).toEqual(['https://js.stripe.com', 'https://hooks.stripe.com']);
      expect((await stripe.request('GET', '/api/payments/config')).body).toEqual({ provider: 'stripe', publishableKey: 'pk_test_webpages' });
    } finally {
      await stripe.close();
    }
  });
});
