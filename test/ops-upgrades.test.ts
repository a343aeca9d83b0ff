import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/main.ts';
import { loadMigrations, migrate, SchemaNewerThanCodeError } from '../src/adapters/db/migrate.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import type { Database } from '../src/adapters/db/database.ts';
import { seedDemo } from '../src/adapters/db/seed.ts';
import { ENGINES, createTestLocation, createEmptyServerDatabase, dropTestLocation, type Engine } from './helpers/db.ts';
import { exitWithin, freePort, killAllServiceProcesses, openWeekdayAhead, startServiceProcess } from './helpers/process.ts';
import { TestClock, bookingBody, parisDate } from './helpers/service.ts';
import { TEST_ADMIN_TOKEN } from './helpers/admin.ts';

/**
 * Upgrades: instances starting together on an empty server migrate it once; a migration
 * that fails halfway leaves the previous schema, usable; a schema newer than the code stops
 * the start with a French and English message naming both versions.
 */

const CODE_VERSIONS = loadMigrations().map((m) => m.version);
const LATEST = Math.max(...CODE_VERSIONS);
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await killAllServiceProcesses();
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const open = (engine: Engine, location: string): Promise<Database> => (engine === 'pglite' ? openPglite(location) : openPostgres(location));

/** An empty database on the test server (not the migrated template). */
async function emptyServerDatabase(): Promise<string> {
  const url = await createEmptyServerDatabase('artisanconnect_empty');
  cleanups.push(() => dropTestLocation('postgres', url));
  return url;
}

if (ENGINES.includes('postgres')) {
  describe('several instances on an empty PostgreSQL on postgres', () => {
    it('two server processes started together apply each migration exactly once, and both serve', async () => {
      const url = await emptyServerDatabase();
      const env = { DATABASE_URL: url, LOG_LEVEL: 'info', ADMIN_API_TOKEN: TEST_ADMIN_TOKEN, SEED_DEMO: 'true' };
      const [a, b] = [startServiceProcess('node', env, await freePort()), startServiceProcess('node', env, await freePort())];
      await Promise.all([a.waitForHealth(60_000), b.waitForHealth(60_000)]);

      // Each process logs the versions it applied; together they are the code's list, with no overlap.
      const appliedBy = (out: string): number[] =>
        out
          .split('\n')
          .filter((l) => l.includes('"migrations applied"'))
          .flatMap((l) => (JSON.parse(l) as { versions: number[] }).versions);
      const fromA = appliedBy(a.output());
      const fromB = appliedBy(b.output());
      expect([...fromA, ...fromB].sort((x, y) => x - y)).toEqual(CODE_VERSIONS);
      expect(fromA.filter((v) => fromB.includes(v))).toEqual([]);

      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const rows = (await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
      // Seeded once too: one demo artisan, not two.
      const artisans = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM artisans')).rows[0]!.n;
      await client.end();
      expect(rows).toEqual(CODE_VERSIONS);
      expect(artisans).toBe(1);

      // Both serve the same data: a booking made on one is seen as taken on the other.
      const day = openWeekdayAhead(3);
      const made = await fetch(`${a.baseUrl}/api/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bookingBody(day, '09:00')),
      });
      expect(made.status).toBe(201);
      const slots = (await (await fetch(`${b.baseUrl}/api/availability?serviceId=diag&date=${day}`)).json()) as { slots: { time: string; available: boolean }[] };
      expect(slots.slots.find((s) => s.time === '09:00')?.available).toBe(false);
    }, 120_000);
  });
}

describe.each(ENGINES)('upgrades on %s', (engine) => {
  it('a migration failing halfway is rolled back whole: the previous version keeps working on the database', async () => {
    const location = await createTestLocation(engine); // migrated to the code's current schema
    cleanups.push(() => dropTestLocation(engine, location));
    const db = await open(engine, location);
    cleanups.push(() => db.close());
    await seedDemo(db, randomUUID);
    const broken = {
      version: 9001,
      name: '9001_broken',
      sql: `CREATE TABLE upgrade_half (id int);
            ALTER TABLE bookings ADD COLUMN upgrade_note text NOT NULL DEFAULT 'x';
            UPDATE artisans SET display_name = 'changé';
            SELECT 1 / 0;`,
    };
    await expect(migrate(db, [...loadMigrations(), broken])).rejects.toThrow(/division by zero/);

    expect(await db.query(`SELECT to_regclass('upgrade_half') AS t`)).toEqual([{ t: null }]);
    expect(await db.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'bookings' AND column_name = 'upgrade_note'`)).toEqual([]);
    expect(await db.query(`SELECT display_name FROM artisans`)).toEqual([{ display_name: 'Marc Dupont - Plomberie' }]);
    expect((await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(CODE_VERSIONS);

    // The previous version (this code) starts on it and takes a booking.
    const clock = new TestClock();
    const service = await compose(loadConfig({ LOG_LEVEL: 'silent', ADMIN_API_TOKEN: TEST_ADMIN_TOKEN }), { db, clock });
    cleanups.push(() => service.close());
    const res = await service.app.inject({ method: 'POST', url: '/api/bookings', payload: bookingBody(parisDate(clock, 2), '09:00') });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('a database with a migration this code does not know refuses to start, in French and English, naming both versions', async () => {
    const location = await createTestLocation(engine);
    cleanups.push(() => dropTestLocation(engine, location));
    // A newer release applied a migration numbered below this code's latest (branches land out of order).
    const unknown = CODE_VERSIONS.includes(LATEST - 1) ? LATEST + 7 : LATEST - 1;
    const db = await open(engine, location);
    await db.query(`INSERT INTO schema_migrations (version, name) VALUES ($1, 'from_the_future')`, [unknown]);
    await expect(migrate(db)).rejects.toBeInstanceOf(SchemaNewerThanCodeError);
    await db.close();

    const env: Record<string, string> = engine === 'pglite' ? { DATA_DIR: location, PGLITE_THREAD: 'main' } : { DATABASE_URL: location, SEED_DEMO: 'true' };
    const child = startServiceProcess('node', { ...env, LOG_LEVEL: 'info' }, await freePort());
    const exit = await exitWithin(child, 60_000);
    expect(exit.code).toBe(65);
    const out = child.output();
    const pad = (v: number) => String(v).padStart(4, '0');
    expect(out).toMatch(/schéma plus récent/);
    expect(out).toMatch(/schema is newer than this code/);
    expect(out).toContain(`migration(s) ${pad(unknown)}`);
    expect(out).toContain(`latest migration is ${pad(LATEST)}`);
    expect(out).toContain(`dernière migration est ${pad(LATEST)}`);
    expect(out).not.toContain('prêt sur');

    // Nothing was changed by the refused start.
    const after = await open(engine, location);
    const versions = (await after.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version);
    await after.close();
    expect(versions).toEqual([...CODE_VERSIONS, unknown].sort((x, y) => x - y));
  }, 90_000);
});
