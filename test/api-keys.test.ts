import { beforeAll, describe, expect, it } from 'vitest';
import { artisanSessionHeaders } from './helpers/admin.ts';
import { ENGINES } from './helpers/db.ts';
import { serviceForSuite } from './helpers/service.ts';

/**
 * API keys for integrations (issue 21, item 4): the admin API tokens with a name, an expiry
 * and a last use, the finer scopes (availability read, services read/write), an expired or
 * revoked key refused at once, and each key's own rate limit (429 with Retry-After).
 * Clock: Monday 2027-03-01 08:00 Paris.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const HOUR = 3_600_000;

describe.each(ENGINES)('API keys on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  let session: Record<string, string>;
  beforeAll(async () => {
    session = await artisanSessionHeaders(t);
  });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  async function key(name: string, scopes: string[], expiresAt?: string): Promise<{ token: string; id: string }> {
    const res = await t.request('POST', '/api/admin/tokens', { name, scopes, ...(expiresAt ? { expiresAt } : {}) }, session);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { token: res.body.token as string, id: res.body.apiToken.id as string };
  }
  const AVAILABILITY = '/api/admin/availability?serviceId=diag&date=2027-03-10';

  it('each scope opens its routes and no other: a missing scope is 403 naming it', async () => {
    const availability = await key('Site vitrine', ['availability:read']);
    expect((await t.request('GET', AVAILABILITY, undefined, bearer(availability.token))).status).toBe(200);
    const refused = await t.request('GET', '/api/admin/services', undefined, bearer(availability.token));
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'TOKEN_SCOPE_MISSING', message: expect.stringContaining('services:read') });
    expect((await t.request('GET', '/api/admin/bookings', undefined, bearer(availability.token))).status).toBe(403);

    const reader = await key('Catalogue', ['services:read']);
    expect((await t.request('GET', '/api/admin/services', undefined, bearer(reader.token))).status).toBe(200);
    const write = await t.request('PATCH', '/api/admin/services/diag', { basePriceCents: 4500 }, bearer(reader.token));
    expect(write.status).toBe(403);
    expect(write.body.error.message).toContain('services:write');
    expect((await t.request('GET', AVAILABILITY, undefined, bearer(reader.token))).status).toBe(403);

    const writer = await key('Catalogue (écriture)', ['services:write']);
    const patched = await t.request('PATCH', '/api/admin/services/diag', { basePriceCents: 4500 }, bearer(writer.token));
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.service.basePriceCents).toBe(4500);
    expect((await t.request('GET', '/api/admin/services', undefined, bearer(writer.token))).status).toBe(200);
    expect((await t.request('GET', '/api/admin/webhook-endpoints', undefined, bearer(writer.token))).status).toBe(403);

    // Keys made before the finer scopes keep what they could do: settings opens the services, bookings:read the availability.
    const older = await key('Ancienne', ['settings', 'bookings:read']);
    expect((await t.request('PATCH', '/api/admin/services/diag', { basePriceCents: 4000 }, bearer(older.token))).status).toBe(200);
    expect((await t.request('GET', AVAILABILITY, undefined, bearer(older.token))).status).toBe(200);

    const hooks = await key('Zapier', ['webhooks:manage']);
    expect((await t.request('GET', '/api/admin/webhook-endpoints', undefined, bearer(hooks.token))).status).toBe(200);
    expect((await t.request('GET', '/api/admin/customers/export?email=jean@example.com', undefined, bearer(hooks.token))).status).toBe(403);

    const doc = (await t.request('GET', '/api/openapi.json')).body;
    expect(doc.paths['/api/admin/services'].get.security).toEqual([{ bearerAuth: ['services:read'] }, { cookieAuth: [] }]);
    expect(doc.paths['/api/admin/services'].post.security).toEqual([{ bearerAuth: ['services:write'] }, { cookieAuth: [] }]);
    expect(doc.paths['/api/admin/availability'].get.security).toEqual([{ bearerAuth: ['availability:read'] }, { cookieAuth: [] }]);
  });

  it('a key with an expiry works until then and is refused (401) from that instant, even just used; its last use is shown', async () => {
    const expiring = await key('Prestataire', ['bookings:read'], new Date(START + HOUR).toISOString());
    expect((await t.request('GET', '/api/admin/bookings', undefined, bearer(expiring.token))).status).toBe(200);
    const listed = (await t.request('GET', '/api/admin/tokens', undefined, session)).body.tokens.find((x: { id: string }) => x.id === expiring.id);
    expect(listed).toMatchObject({ name: 'Prestataire', expiresAt: new Date(START + HOUR).toISOString(), lastUsedAt: new Date(START).toISOString(), revokedAt: null });
    t.clock.ms = START + HOUR - 1;
    expect((await t.request('GET', '/api/admin/bookings', undefined, bearer(expiring.token))).status).toBe(200);
    // The same process checked it a moment ago: the expiry still holds at once.
    t.clock.ms = START + HOUR;
    const refused = await t.request('GET', '/api/admin/bookings', undefined, bearer(expiring.token));
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');

    // A date already past, or not a date: 400 naming the field, and no key made.
    const before = (await t.request('GET', '/api/admin/tokens', undefined, session)).body.tokens.length;
    const past = await t.request('POST', '/api/admin/tokens', { name: 'Trop tard', scopes: ['bookings:read'], expiresAt: new Date(START).toISOString() }, session);
    expect(past.status).toBe(400);
    expect(past.body.error.details).toEqual([{ field: 'expiresAt', message: expect.stringContaining('date à venir') }]);
    expect((await t.request('POST', '/api/admin/tokens', { name: 'Pas une date', scopes: ['bookings:read'], expiresAt: 'demain' }, session)).status).toBe(400);
    expect((await t.request('GET', '/api/admin/tokens', undefined, session)).body.tokens).toHaveLength(before);
  });

  it('a revoked key is refused (401) at once, though it was just used', async () => {
    const revoked = await key('Ancien CRM', ['bookings:read']);
    expect((await t.request('GET', '/api/admin/bookings', undefined, bearer(revoked.token))).status).toBe(200);
    expect((await t.request('DELETE', `/api/admin/tokens/${revoked.id}`, undefined, session)).status).toBe(204);
    expect((await t.request('GET', '/api/admin/bookings', undefined, bearer(revoked.token))).status).toBe(401);
  });
});

describe.each(ENGINES)('the rate limit of each API key on %s', (engine) => {
  const t = serviceForSuite(engine, START, { env: { RATE_LIMIT_API_KEY_PER_MINUTE: '3' } });
  let session: Record<string, string>;
  beforeAll(async () => {
    session = await artisanSessionHeaders(t);
  });

  it('over its budget a key gets 429 with Retry-After, another key from the same address and the session do not', async () => {
    const make = async (name: string) => (await t.request('POST', '/api/admin/tokens', { name, scopes: ['bookings:read'] }, session)).body.token as string;
    const busy = await make('Synchronisation');
    const calm = await make('Tableau de bord');
    for (let i = 0; i < 3; i++) expect((await t.request('GET', '/api/admin/bookings', undefined, { authorization: `Bearer ${busy}` })).status).toBe(200);
    const limited = await t.request('GET', '/api/admin/bookings', undefined, { authorization: `Bearer ${busy}` });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await t.request('GET', '/api/admin/bookings', undefined, { authorization: `Bearer ${calm}` })).status).toBe(200);
    expect((await t.request('GET', '/api/admin/bookings', undefined, session)).status).toBe(200);
    // A wrong key is 401, not counted against anyone.
    expect((await t.request('GET', '/api/admin/bookings', undefined, { authorization: 'Bearer ac_inconnu' })).status).toBe(401);
  });
});
