import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operatorAuthOn } from '../src/main.ts';
import { ENGINES } from './helpers/db.ts';
import { DEMO_ARTISAN_EMAIL, TEST_PASSWORD, loginAsArtisan, setDemoPassword } from './helpers/admin.ts';
import { startTestService, type TestService } from './helpers/service.ts';
import { TestSmtp } from './helpers/smtp.ts';

/**
 * "Mot de passe oublié" (issue 19, item 3): the link comes by e-mail through a real SMTP
 * server (smtp-server, parsed with mailparser), opens once, within the hour, ends the
 * account's sessions; asking for an unknown address answers exactly the same.
 */

const NEW_PASSWORD = 'un-nouveau-mot-de-passe-solide';
const OPERATOR_EMAIL = 'ops@hebergeur.fr';

async function mailsTo(smtp: TestSmtp, address: string, count: number) {
  for (let i = 0; i < 100 && smtp.to(address).length < count; i++) await new Promise((r) => setTimeout(r, 50));
  return smtp.to(address);
}

const linkIn = (text: string): URL => new URL(/https:\/\/rdv\.example\.fr\/\S+/.exec(text)![0]);
const tokenIn = (text: string): string => linkIn(text).searchParams.get('token')!;

describe.each(ENGINES)('password reset by e-mail on %s', (engine) => {
  const smtp = new TestSmtp();
  let t: TestService;

  beforeAll(async () => {
    await smtp.start();
    t = await startTestService(engine, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'ArtisanConnect <ne-pas-repondre@artisanconnect.test>', PUBLIC_BASE_URL: 'https://rdv.example.fr' } });
    await operatorAuthOn(t.service.db).create(OPERATOR_EMAIL, 'mot-de-passe-operateur-1');
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.received = [];
  });

  it('answers the same whether the address exists or not; the artisan gets a French e-mail with a single-use link', async () => {
    await setDemoPassword(t.service.db);
    const before = await loginAsArtisan(t);

    const unknown = await t.inject({ method: 'POST', url: '/api/admin/password/forgot', payload: { email: 'personne@nulle-part.fr' } });
    const known = await t.inject({ method: 'POST', url: '/api/admin/password/forgot', payload: { email: DEMO_ARTISAN_EMAIL.toUpperCase() } });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
    expect(unknown.headers['set-cookie']).toBeUndefined();
    expect(known.json().message).toMatch(/^Si un compte existe avec cette adresse/);

    const [mail] = await mailsTo(smtp, DEMO_ARTISAN_EMAIL, 1);
    expect(smtp.received).toHaveLength(1);
    expect(mail!.mail.subject).toBe('Choisissez un nouveau mot de passe — ArtisanConnect');
    expect(mail!.mail.text).toContain('votre espace artisan');
    expect(mail!.mail.text).toContain("dans l'heure");
    const link = linkIn(mail!.mail.text!);
    expect(link.pathname).toBe('/admin/mot-de-passe');
    const token = tokenIn(mail!.mail.text!);
    // Kept hashed: the link's secret is nowhere in the table.
    const [row] = await t.service.db.query<{ token_hash: string; artisan_id: string }>('SELECT token_hash, artisan_id FROM admin_password_resets');
    expect(token.startsWith(`${row!.artisan_id}.`)).toBe(true);
    expect(JSON.stringify(row)).not.toContain(token.split('.')[1]);

    const weak = await t.request('POST', '/api/admin/password/reset', { token, password: 'court' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details).toEqual([{ field: 'password', message: 'Le mot de passe doit contenir au moins 10 caractères.' }]);

    expect((await t.request('POST', '/api/admin/password/reset', { token, password: NEW_PASSWORD })).status).toBe(204);
    // The sessions opened before are ended; the old password no longer signs in, the new one does.
    expect((await t.request('GET', '/api/admin/me', undefined, { cookie: before.cookie })).status).toBe(401);
    expect((await t.request('POST', '/api/admin/login', { email: DEMO_ARTISAN_EMAIL, password: TEST_PASSWORD })).status).toBe(401);
    await loginAsArtisan(t, NEW_PASSWORD);

    const again = await t.request('POST', '/api/admin/password/reset', { token, password: 'encore-un-autre-mot-de-passe' });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('RESET_LINK_INVALID');
    expect(again.body.error.message).toMatch(/n'est plus valable/);
    await loginAsArtisan(t, NEW_PASSWORD);
  });

  it('a link expires after an hour; a token for another business or a made-up one opens nothing', async () => {
    await t.request('POST', '/api/admin/password/forgot', { email: DEMO_ARTISAN_EMAIL });
    const token = tokenIn((await mailsTo(smtp, DEMO_ARTISAN_EMAIL, 1))[0]!.mail.text!);
    const [artisanId, secret] = token.split('.');
    for (const forged of [`6d0f9d1e-0000-4000-8000-000000000000.${secret}`, secret!, `${artisanId}.${'A'.repeat(43)}`]) {
      expect((await t.request('POST', '/api/admin/password/reset', { token: forged, password: 'mot-de-passe-pirate' })).body.error.code).toBe('RESET_LINK_INVALID');
    }
    t.clock.advance(61);
    expect((await t.request('POST', '/api/admin/password/reset', { token, password: 'mot-de-passe-trop-tard' })).body.error.code).toBe('RESET_LINK_INVALID');
    await loginAsArtisan(t, NEW_PASSWORD);
  });

  it('at most three links an hour for one account; asking more answers the same and sends nothing', async () => {
    t.clock.advance(120);
    for (let i = 0; i < 5; i++) expect((await t.request('POST', '/api/admin/password/forgot', { email: DEMO_ARTISAN_EMAIL })).status).toBe(202);
    await mailsTo(smtp, DEMO_ARTISAN_EMAIL, 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.to(DEMO_ARTISAN_EMAIL)).toHaveLength(3);
  });

  it("the operator's reset works the same way, with its own link, and opens no artisan account", async () => {
    const login = await t.request('POST', '/api/operator/login', { email: OPERATOR_EMAIL, password: 'mot-de-passe-operateur-1' });
    const cookie = /ac_operator=[^;]+/.exec(String(login.headers['set-cookie']))![0];
    expect((await t.request('POST', '/api/operator/password/forgot', { email: OPERATOR_EMAIL })).status).toBe(202);
    const text = (await mailsTo(smtp, OPERATOR_EMAIL, 1))[0]!.mail.text!;
    expect(text).toContain('console opérateur');
    expect(linkIn(text).pathname).toBe('/operator/mot-de-passe');
    const token = tokenIn(text);
    // An operator's link is not an artisan's.
    expect((await t.request('POST', '/api/admin/password/reset', { token, password: NEW_PASSWORD })).body.error.code).toBe('RESET_LINK_INVALID');
    expect((await t.request('POST', '/api/operator/password/reset', { token, password: 'operateur-nouveau-mdp' })).status).toBe(204);
    expect((await t.request('GET', '/api/operator/me', undefined, { cookie })).status).toBe(401);
    expect((await t.request('POST', '/api/operator/login', { email: OPERATOR_EMAIL, password: 'operateur-nouveau-mdp' })).status).toBe(200);
    expect((await t.request('POST', '/api/operator/password/reset', { token, password: 'operateur-encore-autre' })).body.error.code).toBe('RESET_LINK_INVALID');
  });
});
