import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { serviceForSuite } from './helpers/service.ts';
import { TEST_ADMIN_TOKEN, adminHeaders } from './helpers/admin.ts';

const START = Date.parse('2027-03-01T07:00:00Z');

describe.each(ENGINES)('admin authentication on %s', (engine) => {
  const t = serviceForSuite(engine, START);

  it('refuses admin routes without credentials, with a wrong token or a malformed header', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${TEST_ADMIN_TOKEN}x` }, { authorization: TEST_ADMIN_TOKEN }, { cookie: 'ac_session=forged' }];
    for (const headers of attempts) {
      const res = await t.request('GET', '/api/admin/me', undefined, headers);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect(res.body.error.message).toMatch(/connexion/i);
    }
  });

  it('accepts the API token of the configuration and says who is calling', async () => {
    const res = await t.request('GET', '/api/admin/me', undefined, adminHeaders());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ via: 'token', actor: 'token:ADMIN_API_TOKEN' });
    const artisan = await t.service.db.query<{ id: string }>('SELECT id FROM artisans');
    expect(res.body.artisanId).toBe(artisan[0]!.id);
  });

  it('documents the admin routes with both security schemes', async () => {
    const doc = (await t.request('GET', '/api/openapi.json')).body;
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.cookieAuth).toMatchObject({ type: 'apiKey', in: 'cookie' });
    expect(doc.paths['/api/admin/me'].get.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
    expect(doc.paths['/api/services'].get.security).toBeUndefined();
  });
});
