import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose, type Service } from '../src/main.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { ENGINES, createEmptyServerDatabase, createTestLocation, dropTestLocation, type Engine } from './helpers/db.ts';
import { TEST_DATA_DIR } from './helpers/paths.ts';
import { runCli } from './helpers/process.ts';
import { TEST_ADMIN_TOKEN, adminHeaders, operatorSessionHeaders } from './helpers/admin.ts';
import { startCalendarServer } from './helpers/calendar-server.ts';
import { manageLinkIn } from './helpers/smtp.ts';
import { TestClock, bookingBody, parisDate, startTestService } from './helpers/service.ts';

/**
 * The security probe's findings on backups (issue 18): what a backup may carry and what a
 * restore may do with a file it is handed.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** A scratch directory for files; `data` inside it is a missing (so empty) DATA_DIR. */
function scratch(): string {
  mkdirSync(TEST_DATA_DIR, { recursive: true });
  const dir = mkdtempSync(join(TEST_DATA_DIR, 'backup-sec-'));
  cleanups.push(async () => dropTestLocation('pglite', dir));
  return dir;
}

/** An empty restore target of the engine, as the CLI's environment. */
async function emptyTarget(engine: Engine, dir: string): Promise<Record<string, string>> {
  if (engine === 'pglite') return { DATA_DIR: join(dir, 'data') };
  const url = await createEmptyServerDatabase('artisanconnect_restore');
  cleanups.push(() => dropTestLocation('postgres', url));
  return { DATABASE_URL: url };
}


/** The bytes a backup of either engine holds, as a reader of the file would see them (gunzipped tar, or the SQL). */
const rawBytes = (payload: Buffer, engine: Engine): Buffer => (engine === 'pglite' ? gunzipSync(payload) : payload);

describe.each(ENGINES)('the keys and backups on %s', (engine: Engine) => {
  it('a backup holds no key; a restore plus the original key opens the calendar credentials and accepts old manage links', async () => {
    const calendars = await startCalendarServer();
    cleanups.push(() => calendars.close());
    const secretPath = `/private/${randomBytes(8).toString('hex')}/basic.ics`;
    calendars.set(secretPath, { body: readFileSync(new URL('./fixtures/calendars/google.ics', import.meta.url), 'utf8') });
    const clock = new TestClock();
    // As deployed: the embedded database keeps its generated key file in DATA_DIR; a server has SECRETS_KEY.
    const secretsKey = randomBytes(32).toString('base64url');
    const where = (location: string): Record<string, string> => (engine === 'pglite' ? { DATA_DIR: location } : { DATABASE_URL: location, SECRETS_KEY: secretsKey, SEED_DEMO: 'true' });
    const start = (location: string): Promise<Service> =>
      compose(loadConfig({ LOG_LEVEL: 'silent', ADMIN_API_TOKEN: TEST_ADMIN_TOKEN, CALENDAR_ALLOW_PRIVATE_URLS: 'true', ...where(location) }), { clock });

    const location = await createTestLocation(engine);
    cleanups.push(() => dropTestLocation(engine, location));
    const service = await start(location);
    const connected = await service.app.inject({ method: 'POST', url: '/api/admin/calendars', headers: adminHeaders(), payload: { providerId: 'ics', name: 'Agenda perso', url: calendars.url(secretPath) } });
    expect(connected.statusCode, connected.body).toBe(201);
    const made = await service.app.inject({ method: 'POST', url: '/api/bookings', payload: bookingBody(parisDate(clock, 2), '09:00') });
    expect(made.statusCode, made.body).toBe(201);
    const code = made.json().booking.publicCode as string;
    while ((await service.worker.runOnce()) > 0);
    const messages = await service.app.inject({ method: 'GET', url: `/api/admin/messages?bookingCode=${code}&channel=email`, headers: adminHeaders() });
    const mail = (messages.json().messages as { recipientKind: string; text: string }[]).find((m) => m.recipientKind === 'customer');
    const token = new URL(manageLinkIn(mail!.text)).searchParams.get('token')!;
    const backup = await service.app.inject({ method: 'GET', url: '/api/operator/backup', headers: await operatorSessionHeaders(service) });
    expect(backup.statusCode).toBe(200);
    await service.close();

    const key = engine === 'pglite' ? readFileSync(join(location, 'secrets.key'), 'utf8').trim() : secretsKey;
    const raw = rawBytes(backup.rawPayload, engine);
    expect(raw.includes(code), 'the backup holds the data').toBe(true);
    expect(raw.includes(key), 'the backup holds the key').toBe(false);

    const dir = scratch();
    const file = join(dir, engine === 'pglite' ? 'backup.tar.gz' : 'backup.sql');
    writeFileSync(file, backup.rawPayload);
    const target = await emptyTarget(engine, dir);
    const restored = await runCli('restore', file, target);
    expect(restored.code, restored.out).toBe(0);
    const targetLocation = target.DATA_DIR ?? target.DATABASE_URL!;

    // Without the key, the service says what is missing instead of starting with credentials it cannot open.
    if (engine === 'pglite') {
      await expect(start(targetLocation)).rejects.toThrow(/la clé manque[\s\S]*secrets\.key[\s\S]*the key is missing/);
      expect(existsSync(join(targetLocation, 'secrets.key')), 'no new key was made').toBe(false);
      copyFileSync(join(location, 'secrets.key'), join(targetLocation, 'secrets.key'));
    } else {
      const wrong = compose(loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: targetLocation, SECRETS_KEY: randomBytes(32).toString('base64url') }), { clock });
      await expect(wrong).rejects.toThrow(/ne s'ouvrent pas avec la clé de SECRETS_KEY[\s\S]*do not open with the key from SECRETS_KEY/);
    }

    const again = await start(targetLocation);
    cleanups.push(() => again.close());
    const opened = await again.app.inject({ method: 'GET', url: `/api/bookings/manage?token=${token}` });
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json().booking.publicCode).toBe(code);
    const hitsBefore = calendars.hits.get(secretPath) ?? 0;
    clock.advance(60);
    await again.calendarSync.runDue();
    expect(calendars.hits.get(secretPath), 'the secret calendar address was decrypted and fetched').toBe(hitsBefore + 1);
    const listed = await again.app.inject({ method: 'GET', url: '/api/admin/calendars', headers: adminHeaders() });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().calendars.map((c: { name: string }) => c.name)).toEqual(['Agenda perso']);
  }, 240_000);

  it('an erased customer is in no byte of a backup taken after the erasure', async () => {
    const t = await startTestService(engine);
    cleanups.push(() => t.close());
    const customer = { name: 'Gwendoline Kerjean', email: 'gwendoline.kerjean@example.com', phone: '+33611223344' };
    const erased = await t.request('POST', '/api/bookings', bookingBody(parisDate(t.clock, 2), '09:00', { customer }));
    expect(erased.status, JSON.stringify(erased.body)).toBe(201);
    const kept = await t.request('POST', '/api/bookings', bookingBody(parisDate(t.clock, 2), '14:00', { customer: { name: 'Hervé Quéméner', email: 'herve.quemener@example.com' } }));
    expect(kept.status).toBe(201);
    while ((await t.service.worker.runOnce()) > 0);
    // The embedded service refreshes its statistics every hour (sample values included).
    if (engine === 'pglite') await t.service.db.exec('ANALYZE');
    t.clock.advance(4 * 24 * 60);
    const erasure = await t.request('POST', '/api/admin/customers/erase', { email: customer.email }, adminHeaders());
    expect(erasure.status, JSON.stringify(erasure.body)).toBe(200);

    const backup = await t.inject({ method: 'GET', url: '/api/operator/backup', headers: await operatorSessionHeaders(t.service) });
    expect(backup.statusCode).toBe(200);
    const raw = rawBytes(backup.rawPayload, engine);
    expect(raw.includes('herve.quemener@example.com'), 'the other customer is in the backup').toBe(true);
    expect(raw.includes(customer.email)).toBe(false);
    expect(raw.includes(customer.name)).toBe(false);
  }, 240_000);
});

describe.each(ENGINES)('restoring a tampered backup into %s', (engine: Engine) => {
  it('a .sql backup carrying a psql meta-command (\\! …) is refused before anything runs', async () => {
    const dir = scratch();
    const marker = join(dir, 'command-ran');
    const file = join(dir, 'tampered.sql');
    writeFileSync(
      file,
      [
        '--',
        '-- PostgreSQL database dump',
        '--',
        '',
        'SET statement_timeout = 0;',
        `\\! id > ${marker}`,
        'CREATE TABLE t (id int);',
        '',
        '--',
        '-- PostgreSQL database dump complete',
        '--',
        '',
      ].join('\n'),
    );
    const result = await runCli('restore', file, await emptyTarget(engine, dir));
    expect(result.code, result.out).toBe(1);
    expect(existsSync(marker)).toBe(false);
    expect(result.out).toMatch(/commande psql/);
    expect(result.out).toMatch(/psql meta-command/);
    if (engine === 'pglite') expect(existsSync(join(dir, 'data')) && readdirSync(join(dir, 'data')).length > 0).toBe(false);
  }, 60_000);
});

describe('restoring a truncated embedded backup', () => {
  it('a .tar.gz cut short is refused with a clear message and no stack trace', async () => {
    const location = await createTestLocation('pglite');
    cleanups.push(() => dropTestLocation('pglite', location));
    const db = await openPglite(location);
    const backup = await db.backup!();
    const chunks: Buffer[] = [];
    for await (const chunk of backup.stream) chunks.push(chunk as Buffer);
    await db.close();
    const bytes = Buffer.concat(chunks);
    const dir = scratch();
    const file = join(dir, 'truncated.tar.gz');
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));

    const result = await runCli('restore', file, { DATA_DIR: join(dir, 'data') });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/Sauvegarde incomplète/);
    expect(result.out).toMatch(/Incomplete backup/);
    expect(result.out).not.toMatch(/\n\s+at /); // no stack frame
    expect(result.out).not.toMatch(/Z_BUF_ERROR|triggerUncaughtException/);
    expect(existsSync(join(dir, 'data')) && readdirSync(join(dir, 'data')).length > 0).toBe(false);
    expect(readFileSync(file).length).toBeLessThan(bytes.length);
  }, 60_000);
});
