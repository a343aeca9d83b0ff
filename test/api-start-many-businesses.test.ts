import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose, type Service } from '../src/main.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './helpers/db.ts';
import { TestSmtp } from './helpers/smtp.ts';

/**
 * What a start costs and prints with many businesses (issue 19): a start hashes no password per
 * business (10,000 businesses without a login used to cost 10,000 hashes before the service
 * listened). Only the instance's sole business (the demo) gets a generated login, printed once.
 */

function capturedLog() {
  const lines: { msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

const BUSINESSES = 300;

describe.each(ENGINES)('a start on %s', { timeout: 120_000 }, (engine) => {
  let database: TestDatabase | undefined;
  let service: Service | undefined;
  const smtp = new TestSmtp();
  beforeAll(() => smtp.start());
  afterAll(() => smtp.stop());
  afterEach(async () => {
    await service?.close();
    await database?.destroy();
    service = database = undefined;
  });

  const start = async (env: Record<string, string> = {}) => {
    const captured = capturedLog();
    service = await compose(loadConfig({ LOG_LEVEL: 'info', ...env }), { db: database!.db, log: captured.log, random: { uuid: () => randomUUID(), bytes: (n) => randomBytes(n) } });
    await service.app.ready();
    return captured.lines.map((l) => l.msg);
  };
  const logins = async () => (await database!.db.query<{ n: number }>('SELECT count(*)::int AS n FROM admin_users'))[0]!.n;

  it(`gives no login to ${BUSINESSES} businesses written without one, and prints none`, async () => {
    database = await createTestDatabase(engine);
    await database.db.query(
      `INSERT INTO artisans (id, display_name, email, phone, timezone, plan, slug)
       SELECT gen_random_uuid(), 'Entreprise ' || i, 'contact' || i || '@exemple.fr', '+33612345678', 'Europe/Paris', 'starter', 'entreprise-' || i
         FROM generate_series(1, ${BUSINESSES}) AS i`,
    );
    const printed = await start();
    expect(await logins()).toBe(0);
    expect(printed.join('\n')).not.toMatch(/Connexion artisan créée/);
    // A second start neither.
    await service!.close();
    service = undefined;
    await start();
    expect(await logins()).toBe(0);
  });

  it('the one-business demo: the seeded business gets its login at the first start, printed once', async () => {
    database = await createTestDatabase(engine);
    const printed = (await start({ SEED_DEMO: 'true' })).join('\n');
    expect(await logins()).toBe(1);
    const [user] = await database.db.query<{ email: string }>('SELECT email FROM admin_users');
    expect(printed).toContain(`Connexion artisan créée — e-mail : ${user!.email} — mot de passe : `);
    const password = /mot de passe : (\S+)/.exec(printed)![1]!;
    const signIn = await service!.app.inject({ method: 'POST', url: '/api/admin/login', payload: { email: user!.email, password } });
    expect(signIn.statusCode, signIn.body).toBe(200);
    await service!.close();
    service = undefined;
    expect((await start({ SEED_DEMO: 'true' })).join('\n')).not.toMatch(/Connexion artisan créée/);
    expect(await logins()).toBe(1);
  });

  const signUp = () =>
    service!.app.inject({
      method: 'POST',
      url: '/api/signup',
      payload: { displayName: 'Plomberie Durand', slug: 'plomberie-durand', timezone: 'Europe/Paris', email: 'paul@plomberie-durand.fr', password: 'un-mot-de-passe-tres-solide' },
    });

  it('SIGNUP=open on a fresh embedded-style start: the demo at / with its sign-in and the operator code; a sign-up waiting for its confirmation hides none of it', async () => {
    database = await createTestDatabase(engine);
    // SIGNUP=open needs a mail server (config.ts refuses to start without SMTP_URL).
    const env = { SEED_DEMO: 'true', SIGNUP: 'open', SMTP_URL: smtp.url };
    const printed = (await start(env)).join('\n');
    expect(printed).toMatch(/Connexion artisan créée — e-mail : marc\.dupont@artisanconnect\.test — mot de passe : \S+/);
    expect(printed).toMatch(/code opérateur [A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/);
    const demoAtRoot = async () => (await service!.app.inject({ method: 'GET', url: '/api/artisan' })).json().artisan?.displayName;
    expect(await demoAtRoot()).toBe('Marc Dupont - Plomberie');
    expect((await signUp()).statusCode).toBe(201);
    expect(await database.db.query('SELECT 1 FROM artisans WHERE unconfirmed_since IS NOT NULL')).toHaveLength(1);
    expect(await demoAtRoot()).toBe('Marc Dupont - Plomberie');
    // Started again with the sign-up still waiting: the demo is still the instance's one business.
    await service!.close();
    service = undefined;
    const again = (await start(env)).join('\n');
    expect(await demoAtRoot()).toBe('Marc Dupont - Plomberie');
    expect((await service!.app.inject({ method: 'GET', url: '/api/services' })).json().services.map((x: { id: string }) => x.id)).toContain('diag');
    expect(again).toMatch(/code opérateur/);
    expect(again).not.toMatch(/Connexion artisan créée/);
  });

  it('SIGNUP=open without the demo: a sign-up waiting for its confirmation does not take the first start (its setup code stays valid)', async () => {
    database = await createTestDatabase(engine);
    const env = { SEED_DEMO: 'false', SIGNUP: 'open', SMTP_URL: smtp.url };
    const code = /code d'installation ([A-Z0-9-]+)/.exec((await start(env)).join('\n'))![1]!;
    expect((await signUp()).statusCode).toBe(201);
    expect((await service!.app.inject({ method: 'GET', url: '/api/setup/status' })).json()).toEqual({ setupRequired: true });
    await service!.close();
    service = undefined;
    expect((await start(env)).join('\n')).toContain(code);
    const setup = await service!.app.inject({
      method: 'POST',
      url: '/api/setup',
      payload: { setupCode: code, displayName: 'Sophie Martin Plomberie', contactEmail: 'contact@sophie.fr', signInEmail: 'sophie@sophie.fr', password: 'un-mot-de-passe-tres-solide', timezone: 'Europe/Paris' },
    });
    expect(setup.statusCode, setup.body).toBe(201);
    // The instance's one published business: its page at /.
    expect((await service!.app.inject({ method: 'GET', url: '/api/artisan' })).json().artisan.displayName).toBe('Sophie Martin Plomberie');
  });
});
