import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/main.ts';
import type { Database } from '../src/adapters/db/database.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { openPgliteThread } from '../src/adapters/db/pglite-thread.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { restoreBackup } from '../src/adapters/db/restore.ts';
import { makeBackupSchedule } from '../src/adapters/db/backup-schedule.ts';
import { ENGINES, createTestLocation, createEmptyServerDatabase, dropTestLocation, type Engine } from './helpers/db.ts';
import { TEST_DATA_DIR } from './helpers/paths.ts';
import { runCli } from './helpers/process.ts';
import { TEST_ADMIN_TOKEN, adminHeaders, artisanSessionHeaders, operatorSessionHeaders } from './helpers/admin.ts';
import { TestClock, bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';

/**
 * Backups and restore with the engines' own tools: a backup over HTTP while bookings are
 * being written, `npm run backup` / `npm run restore`, the move from the embedded database to
 * PostgreSQL, refusals (non-empty target, truncated file) and scheduled backups.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

function freshDir(): string {
  mkdirSync(TEST_DATA_DIR, { recursive: true });
  const dir = join(mkdtempSync(join(TEST_DATA_DIR, 'restore-')), 'data');
  cleanups.push(async () => dropTestLocation('pglite', join(dir, '..')));
  return dir;
}

async function emptyServerDatabase(): Promise<string> {
  const url = await createEmptyServerDatabase('artisanconnect_restore');
  cleanups.push(() => dropTestLocation('postgres', url));
  return url;
}

const cli = runCli;

const codesIn = async (db: Database): Promise<Map<string, string>> =>
  new Map((await db.query<{ public_code: string; status: string }>('SELECT public_code, status FROM bookings')).map((r) => [r.public_code, r.status]));

/** Slots of the demo artisan, from the test clock's day after tomorrow to the end of its 90-day horizon. */
function* slots(clock: TestClock): Generator<{ date: string; time: string }> {
  for (let d = 2; d < 90; d++) {
    for (const time of ['08:30', '09:30', '10:30', '11:30', '14:00', '15:00', '16:00', '17:00']) yield { date: parisDate(clock, d), time };
  }
}

describe.each(ENGINES)('backup over HTTP on %s', (engine: Engine) => {
  it('a backup taken while bookings are written restores into a fresh target with every booking committed before it began', async () => {
    const t: TestService = await startTestService(engine);
    cleanups.push(() => t.close());
    // The whole database is the operator's: no artisan session or token opens it.
    expect((await t.request('GET', '/api/operator/backup')).status).toBe(401);
    expect((await t.inject({ method: 'GET', url: '/api/operator/backup', headers: await artisanSessionHeaders(t) })).statusCode).toBe(401);
    expect((await t.inject({ method: 'GET', url: '/api/operator/backup', headers: adminHeaders() })).statusCode).toBe(401);
    expect((await t.inject({ method: 'GET', url: '/api/admin/backup', headers: await artisanSessionHeaders(t) })).statusCode).toBe(404);
    const operator = await operatorSessionHeaders(t.service);

    const created: string[] = [];
    const free = slots(t.clock);
    let writing = true;
    let refused = 0;
    let exhausted = false;
    const writer = async (n: number): Promise<void> => {
      while (writing) {
        const next = free.next();
        // A slow backup can outlast the horizon's free slots: the writers then stop early.
        if (next.done) {
          exhausted = true;
          return;
        }
        const slot = next.value;
        const res = await t.request('POST', '/api/bookings', bookingBody(slot.date, slot.time, { customer: { name: `Client ${n}`, email: `client${n}-${created.length}@example.com` } }));
        if (res.status === 201) created.push(res.body.booking.publicCode as string);
        else refused++; // a public holiday or a closed day: not offered
      }
    };
    const writers = [writer(1), writer(2)];
    while (created.length < 6) await new Promise((r) => setTimeout(r, 20));

    const committedBefore = [...created];
    const response = await t.inject({ method: 'GET', url: '/api/operator/backup', headers: operator });
    const duringOrAfter = created.length;
    // Keep writing a little after the backup, then stop.
    while (created.length < duringOrAfter + 2 && !exhausted) await new Promise((r) => setTimeout(r, 20));
    writing = false;
    await Promise.all(writers);

    expect(response.statusCode).toBe(200);
    const extension = engine === 'pglite' ? '.tar.gz' : '.sql';
    expect(response.headers['content-type']).toMatch(engine === 'pglite' ? /^application\/gzip/ : /^application\/sql/);
    expect(response.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="artisanconnect-${engine}-\\d{8}T\\d{6}Z${extension.replace('.', '\\.')}"$`));
    expect(response.headers['cache-control']).toBe('no-store');
    const file = join(freshDir(), '..', `backup${extension}`);
    writeFileSync(file, response.rawPayload);

    // Restore into a fresh target of the same engine.
    let restored: Database;
    if (engine === 'pglite') {
      const dir = freshDir();
      await restoreBackup(file, { dataDir: dir });
      restored = await openPglite(dir);
    } else {
      const url = await emptyServerDatabase();
      await restoreBackup(file, { databaseUrl: url });
      restored = await openPostgres(url);
    }
    cleanups.push(() => restored.close());
    const inBackup = await codesIn(restored);
    for (const code of committedBefore) expect(inBackup.get(code), code).toBe('confirmed');
    // Nothing the service did not write; a booking caught between its hold and its confirmation is
    // a pending hold, which the stale-hold recovery settles as in a crash.
    for (const [code, status] of inBackup) {
      expect(created, code).toContain(code);
      expect(['confirmed', 'pending_payment']).toContain(status);
    }
    // Each booking's transaction is whole: every confirmed booking has its busy block and its confirmation job.
    expect(
      await restored.query(`SELECT b.public_code FROM bookings b WHERE b.status = 'confirmed' AND (
        NOT EXISTS (SELECT 1 FROM busy_blocks k WHERE k.booking_id = b.id) OR
        NOT EXISTS (SELECT 1 FROM outbox o WHERE o.booking_id = b.id AND o.topic = 'notify.booking_confirmed'))`),
    ).toEqual([]);

    // The restored database is a working service: it starts and shows a booking with its history.
    const again = await compose(loadConfig({ LOG_LEVEL: 'silent', ADMIN_API_TOKEN: TEST_ADMIN_TOKEN }), { db: restored, clock: t.clock });
    cleanups.push(() => again.close());
    const one = await again.app.inject({ method: 'GET', url: `/api/admin/bookings/${committedBefore[0]}`, headers: adminHeaders() });
    expect(one.statusCode).toBe(200);
    expect(one.json().booking.status).toBe('confirmed');
    expect(refused).toBeLessThan(created.length + 10);
  }, 120_000);
});

describe('npm run backup / npm run restore on pglite', () => {
  it('backs up a stopped embedded database and restores it into an empty DATA_DIR; refuses a non-empty one and a truncated file', async () => {
    const location = await createTestLocation('pglite');
    cleanups.push(() => dropTestLocation('pglite', location));
    const clock = new TestClock();
    const db = await openPglite(location);
    const service = await compose(loadConfig({ LOG_LEVEL: 'silent' }), { db, clock });
    const made = await service.app.inject({ method: 'POST', url: '/api/bookings', payload: bookingBody(parisDate(clock, 2), '09:00') });
    expect(made.statusCode).toBe(201);
    await service.close();
    await db.close();

    const file = join(freshDir(), '..', 'cli-backup.tar.gz');
    const backup = await cli('backup', file, { DATA_DIR: location });
    expect(backup.code, backup.out).toBe(0);
    expect(backup.out).toContain('Sauvegarde écrite');
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(existsSync(`${file}.partial`)).toBe(false);

    const target = freshDir();
    const restored = await cli('restore', file, { DATA_DIR: target });
    expect(restored.code, restored.out).toBe(0);
    expect(restored.out).toContain('Restauration terminée');
    const refused = await cli('restore', file, { DATA_DIR: target });
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/n'est pas vide/);
    expect(refused.out).toMatch(/is not empty/);

    const check = await openPglite(target);
    const codes = await codesIn(check);
    await check.close();
    expect([...codes]).toEqual([[made.json().booking.publicCode, 'confirmed']]);

    // A truncated SQL dump and a file that is no backup are refused, and leave the target untouched.
    const truncated = join(target, '..', 'truncated.sql');
    writeFileSync(truncated, '--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nCREATE TABLE t (id int);\n');
    const empty = freshDir();
    const bad = await cli('restore', truncated, { DATA_DIR: empty });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/incomplète/);
    expect(existsSync(empty) && readdirSync(empty).length > 0).toBe(false);
    const other = join(target, '..', 'notes.txt');
    writeFileSync(other, 'bonjour');
    expect((await cli('restore', other, { DATA_DIR: empty })).out).toMatch(/n'est pas une sauvegarde/);

    // A backup of a directory that holds no database is refused rather than creating one.
    const nothing = await cli('backup', join(target, '..', 'none.tar.gz'), { DATA_DIR: freshDir() });
    expect(nothing.code).toBe(1);
    expect(nothing.out).toMatch(/Aucune base intégrée/);
  }, 120_000);

  it('scheduled backups keep the newest BACKUP_KEEP files (through the worker-thread driver the service uses)', async () => {
    const location = await createTestLocation('pglite');
    cleanups.push(() => dropTestLocation('pglite', location));
    const db = await openPgliteThread(location);
    cleanups.push(() => db.close());
    const dir = freshDir();
    let now = Date.parse('2027-03-01T02:00:00Z');
    const schedule = makeBackupSchedule({ backup: () => db.backup!(), dir, intervalHours: 24, keep: 2, now: () => now, log: pino({ level: 'silent' }) });
    const written: string[] = [];
    for (let i = 0; i < 3; i++) {
      written.push(await schedule.runOnce());
      now += 86_400_000;
    }
    expect(readdirSync(dir).sort()).toEqual(['artisanconnect-20270302T020000Z.tar.gz', 'artisanconnect-20270303T020000Z.tar.gz']);
    expect(written[2]).toBe(join(dir, 'artisanconnect-20270303T020000Z.tar.gz'));
    const into = freshDir();
    await restoreBackup(written[2]!, { dataDir: into });
    const check = await openPglite(into);
    expect((await check.query('SELECT count(*)::int AS n FROM schema_migrations'))[0]).toEqual({ n: expect.any(Number) });
    await check.close();
    // Three embedded backups, each scrubbed in a PGlite of its own (issue 18): slow on busy cores.
  }, 240_000);
});

describe.each(ENGINES)("the operator console's instance backups on %s", (engine: Engine) => {
  it('lists BACKUP_DIR, writes one on request and downloads it (operator session only); without BACKUP_DIR it says so', async () => {
    const dir = freshDir();
    const t = await startTestService(engine, { env: { BACKUP_DIR: dir } });
    cleanups.push(() => t.close());
    const operator = await operatorSessionHeaders(t.service);
    expect((await t.request('GET', '/api/operator/backups', undefined, await artisanSessionHeaders(t))).status).toBe(401);
    expect((await t.request('GET', '/api/operator/backups', undefined, operator)).body).toEqual({ configured: true, engine, backups: [] });
    // A write needs the CSRF token.
    expect((await t.request('POST', '/api/operator/backups', undefined, { cookie: operator.cookie! })).status).toBe(403);

    const made = await t.request('POST', '/api/operator/backups', undefined, operator);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const extension = engine === 'pglite' ? '.tar.gz' : '.sql';
    expect(made.body.name).toBe(`artisanconnect-20270301T070000Z${extension}`);
    expect(made.body.sizeBytes).toBeGreaterThan(1000);
    expect(readdirSync(dir)).toEqual([made.body.name]);
    const listed = await t.request('GET', '/api/operator/backups', undefined, operator);
    expect(listed.body.backups).toEqual([{ name: made.body.name, sizeBytes: made.body.sizeBytes, createdAt: expect.any(String) }]);

    const download = await t.inject({ method: 'GET', url: `/api/operator/backups/${made.body.name}`, headers: operator });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="${made.body.name}"`);
    expect(download.rawPayload.equals(readFileSync(join(dir, made.body.name)))).toBe(true);
    // Only a backup's name opens a file: no other file of the directory, no path.
    writeFileSync(join(dir, 'notes.txt'), 'secret');
    for (const name of ['notes.txt', '..%2F..%2Fetc%2Fpasswd', `${made.body.name}.partial`]) {
      const res = await t.request('GET', `/api/operator/backups/${name}`, undefined, operator);
      expect(res.status, name).toBe(404);
    }
    expect((await t.inject({ method: 'GET', url: `/api/operator/backups/${made.body.name}`, headers: await artisanSessionHeaders(t) })).statusCode).toBe(401);

    const without = await startTestService(engine);
    cleanups.push(() => without.close());
    const op2 = await operatorSessionHeaders(without.service);
    expect((await without.request('GET', '/api/operator/backups', undefined, op2)).body).toEqual({ configured: false, engine, backups: [] });
    const refused = await without.request('POST', '/api/operator/backups', undefined, op2);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('BACKUPS_NOT_CONFIGURED');
  }, 120_000);
});

if (ENGINES.includes('postgres')) {
  describe('moving from the embedded database to PostgreSQL on postgres', () => {
    it('an embedded backup restored into PostgreSQL (npm run restore) serves the same bookings', async () => {
      const t = await startTestService('pglite');
      cleanups.push(() => t.close());
      const day = parisDate(t.clock, 2);
      const bodies = [
        bookingBody(day, '09:00', { customer: { name: 'Hélène Lefèvre', email: 'helene@example.com', phone: '+33612345670', address: { street: '3 rue des Lilas', postalCode: '75011', city: 'Paris' } } }),
        bookingBody(day, '14:00', { customer: { name: 'Jean Martin', email: 'jean@example.com' } }),
      ];
      const codes: string[] = [];
      for (const body of bodies) {
        const res = await t.request('POST', '/api/bookings', body);
        expect(res.status).toBe(201);
        codes.push(res.body.booking.publicCode);
      }
      // The bookings as their customers look them up. The manage link in the answer is signed with
      // the instance's key, which no backup carries (docs/deployment.md): it is left out here.
      const lookups = async (inject: TestService['inject']) =>
        Promise.all(
          codes.map(async (code, i) => (await inject({ method: 'GET', url: `/api/bookings/public?code=${code}&email=${encodeURIComponent(bodies[i]!.customer.email)}` })).json().booking),
        );
      const before = await lookups(t.inject);
      const availabilityBefore = (await t.inject({ method: 'GET', url: `/api/availability?serviceId=diag&date=${day}` })).json();

      const response = await t.inject({ method: 'GET', url: '/api/operator/backup', headers: await operatorSessionHeaders(t.service) });
      const file = join(freshDir(), '..', 'move.tar.gz');
      writeFileSync(file, response.rawPayload);

      const url = await emptyServerDatabase();
      const restored = await cli('restore', file, { DATABASE_URL: url });
      expect(restored.code, restored.out).toBe(0);
      // The server now refuses a second restore.
      const again = await cli('restore', file, { DATABASE_URL: url });
      expect(again.code).toBe(1);
      expect(again.out).toMatch(/n'est pas vide/);

      const db = await openPostgres(url);
      cleanups.push(() => db.close());
      const service = await compose(loadConfig({ LOG_LEVEL: 'silent', ADMIN_API_TOKEN: TEST_ADMIN_TOKEN }), { db, clock: t.clock });
      cleanups.push(() => service.close());
      const inject: TestService['inject'] = (o) => service.app.inject(o);
      expect(await lookups(inject)).toEqual(before);
      expect((await inject({ method: 'GET', url: `/api/availability?serviceId=diag&date=${day}` })).json()).toEqual(availabilityBefore);
      // The same demo artisan, its sign-in and the manage-link secret came along: a new booking works too.
      expect((await inject({ method: 'POST', url: '/api/bookings', payload: bookingBody(day, '16:00') })).statusCode).toBe(201);
      expect((await inject({ method: 'GET', url: '/api/admin/bookings', headers: adminHeaders() })).json().total).toBe(3);
    }, 120_000);

    it('npm run backup of a PostgreSQL database restores into an empty server database and into an empty DATA_DIR', async () => {
      const location = await createTestLocation('postgres');
      cleanups.push(() => dropTestLocation('postgres', location));
      const clock = new TestClock();
      const db = await openPostgres(location);
      const service = await compose(loadConfig({ LOG_LEVEL: 'silent' }), { db, clock });
      const made = await service.app.inject({ method: 'POST', url: '/api/bookings', payload: bookingBody(parisDate(clock, 2), '09:00') });
      expect(made.statusCode).toBe(201);
      await service.close();
      await db.close();

      const file = join(freshDir(), '..', 'server.sql');
      const backup = await cli('backup', file, { DATABASE_URL: location });
      expect(backup.code, backup.out).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('-- PostgreSQL database dump complete');
      expect((await cli('restore', file, { DATABASE_URL: location })).out).toMatch(/n'est pas vide/);

      const url = await emptyServerDatabase();
      expect((await cli('restore', file, { DATABASE_URL: url })).code).toBe(0);
      const dir = freshDir();
      const intoDir = await cli('restore', file, { DATA_DIR: dir });
      expect(intoDir.code, intoDir.out).toBe(0);
      for (const target of [await openPostgres(url), await openPglite(dir)]) {
        expect([...(await codesIn(target))]).toEqual([[made.json().booking.publicCode, 'confirmed']]);
        await target.close();
      }
    }, 120_000);
  });
}
