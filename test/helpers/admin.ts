import { expect } from 'vitest';
import type { Database } from '../../src/adapters/db/database.ts';
import { adminAuthOn, operatorAuthOn, type Service } from '../../src/main.ts';
import type { TestService } from './service.ts';

/** The API token every test service is started with (ADMIN_API_TOKEN). */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const DEMO_ARTISAN_EMAIL = 'marc.dupont@artisanconnect.test';
export const TEST_PASSWORD = 'un-mot-de-passe-solide';

/** Headers that authenticate an admin request with the test API token. */
export const adminHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
  authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
  ...extra,
});

/** Sets the demo artisan's password the way `npm run admin:password` does. */
export async function setDemoPassword(db: Database, password = TEST_PASSWORD): Promise<void> {
  await adminAuthOn(db).setPassword(DEMO_ARTISAN_EMAIL, password);
}

/** Logs in as the demo artisan; returns the cookie header and the CSRF token of the session. */
export async function loginAsArtisan(t: TestService, password = TEST_PASSWORD): Promise<{ cookie: string; csrf: string }> {
  const res = await t.request('POST', '/api/admin/login', { email: DEMO_ARTISAN_EMAIL, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const setCookie = String(res.headers['set-cookie']);
  const cookie = /ac_session=[^;]+/.exec(setCookie)![0];
  return { cookie, csrf: res.body.csrfToken as string };
}

/**
 * Headers of a signed-in artisan's session (cookie + CSRF token), for the actions a token may
 * not do (token management, password, backup). Sets the demo password first.
 */
export async function artisanSessionHeaders(t: TestService): Promise<Record<string, string>> {
  await setDemoPassword(t.service.db);
  const { cookie, csrf } = await loginAsArtisan(t);
  return { cookie, 'x-csrf-token': csrf };
}

export const TEST_OPERATOR = { email: 'exploitation@hebergeur.test', password: 'une-phrase-de-passe-operateur' };

/**
 * Headers of a signed-in operator (cookie + CSRF token), for what belongs to the operator's
 * console: instance backups, exports and deletions. Creates the account on first use.
 */
export async function operatorSessionHeaders(service: Pick<Service, 'app' | 'db'>): Promise<Record<string, string>> {
  const taken = await service.db.query('SELECT 1 FROM operator_users WHERE email = $1', [TEST_OPERATOR.email]);
  if (taken.length === 0) await operatorAuthOn(service.db).create(TEST_OPERATOR.email, TEST_OPERATOR.password);
  const res = await service.app.inject({ method: 'POST', url: '/api/operator/login', payload: TEST_OPERATOR });
  expect(res.statusCode, res.body).toBe(200);
  return { cookie: /ac_operator=[^;]+/.exec(String(res.headers['set-cookie']))![0], 'x-csrf-token': res.json().csrfToken };
}
