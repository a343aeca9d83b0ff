import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose, type Service } from '../src/main.ts';
import { ENGINES } from './helpers/db.ts';
import { operatorSessionHeaders } from './helpers/admin.ts';
import { startTestService, type TestService } from './helpers/service.ts';
import { addBusiness, type TestBusiness } from './helpers/tenants.ts';

/**
 * The operator changes a business's address (issue 19): its slug, checked as at sign-up, and
 * its own host name. The old address answers at once as an unknown business, here and, within
 * the directory stamp's second, on another instance on the same database.
 */

describe.each(ENGINES)("a business's address changed by the operator on %s", (engine) => {
  let t: TestService;
  let other: Service;
  let op: Record<string, string>;
  let zoe: TestBusiness;
  let demoId: string;
  const put = (id: string, body: unknown) => t.request('PUT', `/api/operator/businesses/${id}/address`, body, op);
  const artisanAt = async (on: { app: Service['app'] }, url: string, host = 'rdv.example.fr') => {
    const res = await on.app.inject({ method: 'GET', url, headers: { host } });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    t = await startTestService(engine, { env: { PUBLIC_BASE_URL: 'https://rdv.example.fr' } });
    demoId = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    zoe = await addBusiness(t.service.db, demoId, 'elec-zoe', 'Zoé Électricité');
    op = await operatorSessionHeaders(t.service);
    // Another instance of the service on the same database, with its own kept addresses.
    other = await compose(loadConfig({ LOG_LEVEL: 'silent', PUBLIC_BASE_URL: 'https://rdv.example.fr', RATE_LIMIT_READ_PER_MINUTE: '10000' }), {
      db: t.service.db,
      clock: t.clock,
      random: { uuid: () => randomUUID(), bytes: (n) => randomBytes(n) },
    });
    await other.app.ready();
  }, 120_000);
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('gives the slug-less demo an address; renames a business and gives it a host name: the old slug answers as unknown at once', async () => {
    const set = await put(demoId, { slug: 'plomberie-dupont' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toEqual({ slug: 'plomberie-dupont', hostName: null });
    expect((await artisanAt(t.service, '/plomberie-dupont/api/artisan')).body.artisan?.displayName).toBe('Marc Dupont - Plomberie');

    // Both instances have the address in hand.
    expect((await artisanAt(t.service, '/elec-zoe/api/artisan')).body.artisan?.displayName).toBe('Zoé Électricité');
    expect((await artisanAt(other, '/elec-zoe/api/artisan')).body.artisan?.displayName).toBe('Zoé Électricité');
    const unknown = await artisanAt(t.service, '/jamais-existe/api/artisan');
    expect(unknown.status).toBe(404);

    const moved = await put(zoe.id, { slug: '  Zoe-Electricite ', hostName: 'RDV.Zoe-Elec.fr.' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toEqual({ slug: 'zoe-electricite', hostName: 'rdv.zoe-elec.fr' });
    // Here, at once: the old slug is an unknown business, same status and body as one never made.
    const old = await artisanAt(t.service, '/elec-zoe/api/artisan');
    expect(old).toEqual(unknown);
    expect((await artisanAt(t.service, '/zoe-electricite/api/artisan')).body.artisan?.displayName).toBe('Zoé Électricité');
    expect((await artisanAt(t.service, '/api/artisan', 'rdv.zoe-elec.fr')).body.artisan?.displayName).toBe('Zoé Électricité');
    expect((await artisanAt(t.service, '/api/services', 'rdv.zoe-elec.fr')).status).toBe(200);

    // The other instance: within the stamp's second (its kept address would otherwise last 5 s).
    const startedMs = Date.now();
    await expect.poll(async () => (await artisanAt(other, '/elec-zoe/api/artisan')).status, { timeout: 2_500, interval: 100 }).toBe(404);
    expect(Date.now() - startedMs).toBeLessThan(2_500);
    expect(await artisanAt(other, '/elec-zoe/api/artisan')).toEqual(unknown);
    expect((await artisanAt(other, '/api/artisan', 'rdv.zoe-elec.fr')).body.artisan?.displayName).toBe('Zoé Électricité');

    // Removing the host name: that host is no business's any more.
    expect((await put(zoe.id, { slug: 'zoe-electricite', hostName: '' })).body).toEqual({ slug: 'zoe-electricite', hostName: null });
    expect((await artisanAt(t.service, '/api/artisan', 'rdv.zoe-elec.fr')).status).toBe(404);

    // The console lists the address; the audit says who changed what.
    const list = await t.request('GET', '/api/operator/businesses', undefined, op);
    expect(list.body.businesses.find((b: { artisanId: string }) => b.artisanId === zoe.id)).toMatchObject({ slug: 'zoe-electricite', hostName: null });
    const audit = await t.request('GET', '/api/operator/audit', undefined, op);
    expect(audit.body.entries.filter((e: { action: string }) => e.action === 'address').map((e: { artisanId: string; details: unknown }) => [e.artisanId, e.details])).toEqual([
      [zoe.id, { fromSlug: 'zoe-electricite', toSlug: 'zoe-electricite', fromHost: 'rdv.zoe-elec.fr', toHost: '' }],
      [zoe.id, { fromSlug: 'elec-zoe', toSlug: 'zoe-electricite', fromHost: '', toHost: 'rdv.zoe-elec.fr' }],
      [demoId, { fromSlug: '', toSlug: 'plomberie-dupont', fromHost: '', toHost: '' }],
    ]);
    // The same address again changes nothing and writes no entry.
    expect((await put(zoe.id, { slug: 'zoe-electricite', hostName: null })).status).toBe(200);
    expect((await t.request('GET', '/api/operator/audit', undefined, op)).body.total).toBe(audit.body.total);
  });

  it('refuses as at sign-up, every problem at once in French; a slug or host of another business is taken (409); nothing changes', async () => {
    const bad = await put(zoe.id, { slug: 'admin', hostName: 'https://rdv.zoe.fr/' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(['slug', 'hostName']);
    expect(bad.body.error.details[0].message).toMatch(/réservée/);
    expect((await put(zoe.id, { slug: 'Plomberie Dupont!' })).body.error.details[0].message).toMatch(/lettres minuscules/);
    expect((await put(zoe.id, { slug: 'zoe-electricite', hostName: 'rdv.example.fr' })).body.error.details[0].message).toMatch(/l'instance elle-même/);
    expect((await put(zoe.id, { slug: 'zoe-electricite', hostName: '192.0.2.10' })).status).toBe(400);

    const slugTaken = await put(zoe.id, { slug: 'plomberie-dupont' });
    expect(slugTaken.status).toBe(409);
    expect(slugTaken.body.error.code).toBe('SLUG_TAKEN');
    expect((await put(demoId, { slug: 'plomberie-dupont', hostName: 'rdv.plomberie-dupont.fr' })).status).toBe(200);
    const hostTaken = await put(zoe.id, { slug: 'zoe-electricite', hostName: 'rdv.plomberie-dupont.fr' });
    expect(hostTaken.status).toBe(409);
    expect(hostTaken.body.error.code).toBe('HOST_NAME_TAKEN');
    expect(hostTaken.body.error.message).toMatch(/nom d'hôte/);
    expect(await t.service.db.query('SELECT slug, host_name FROM artisans WHERE id = $1', [zoe.id])).toEqual([{ slug: 'zoe-electricite', host_name: null }]);

    const missing = await put('6f1c2b8e-3a57-4c1d-9b0e-2d4f6a8c0e13', { slug: 'nouvelle-adresse' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('BUSINESS_NOT_FOUND');
    // The operator's session and CSRF token only.
    expect((await t.request('PUT', `/api/operator/businesses/${zoe.id}/address`, { slug: 'x-y-z' })).status).toBe(401);
    expect((await t.request('PUT', `/api/operator/businesses/${zoe.id}/address`, { slug: 'x-y-z' }, { cookie: op.cookie! })).status).toBe(403);
  });
});
