import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose, type Service } from '../src/main.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './helpers/db.ts';

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

describe.each(ENGINES)('a start on %s', (engine) => {
  let database: TestDatabase | undefined;
  let service: Service | undefined;
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
});
