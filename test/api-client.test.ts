import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTypesOf, SCHEMA_FILE } from '../scripts/api-client.ts';
import { startTestService, type TestService } from './helpers/service.ts';

/**
 * The front's typed client (web/shared/api/schema.d.ts) is generated from the service's own
 * /api/openapi.json: this fails as soon as a route's schema changes without regenerating it,
 * so the front cannot drift from the API. Fix: `npm run api:client`.
 */
describe('the generated API client', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService('pglite');
  });
  afterAll(async () => t?.close());

  it('is up to date with /api/openapi.json (run `npm run api:client` when this fails)', async () => {
    const fresh = await apiTypesOf(t.service.app);
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed === fresh, 'web/shared/api/schema.d.ts is out of date: run `npm run api:client`').toBe(true);
  });

  it('describes the routes the pages call', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    for (const path of ['/api/services', '/api/availability', '/api/bookings', '/api/bookings/public', '/api/bookings/manage']) {
      expect(committed).toContain(`"${path}": {`);
    }
  });
});
