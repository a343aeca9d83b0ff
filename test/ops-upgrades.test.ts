import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/main.ts';
import { loadFunctions, loadMigrations, migrate, SchemaNewerThanCodeError, type SqlFunction } from '../src/adapters/db/migrate.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import type { Database } from '../src/adapters/db/database.ts';
import { seedDemo } from '../src/adapters/db/seed.ts';
import { ENGINES, createTestLocation, createEmptyServerDatabase, dropTestLocation, type Engine } from './helpers/db.ts';
import { exitWithin, freePort, killAllServiceProcesses, openWeekdayAhead, startServiceProcess } from './helpers/process.ts';
import { TestClock, bookingBody, parisDate } from './helpers/service.ts';
import { TEST_ADMIN_TOKEN } from './helpers/admin.ts';
import { TEST_DATA_DIR } from './helpers/paths.ts';

/**
 * Upgrades: instances starting together on an empty server migrate it once; a migration
 * that fails halfway leaves the previous schema, usable; a schema newer than the code stops
 * the start with a French and English message naming both versions.
 */

const CODE_VERSIONS = loadMigrations().map((m) => m.version);
const FUNCTION_NAMES = loadFunctions().map((f) => f.name);
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
      // The function files likewise: applied once, by one of them.
      const functionsBy = (out: string): string[] =>
        out
          .split('\n')
          .filter((l) => l.includes('"functions applied"'))
          .flatMap((l) => (JSON.parse(l) as { functions: string[] }).functions);
      const functionsA = functionsBy(a.output());
      const functionsB = functionsBy(b.output());
      expect([...functionsA, ...functionsB].sort()).toEqual(FUNCTION_NAMES);
      expect(functionsA.length === 0 || functionsB.length === 0).toBe(true);

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
  /** A database as the previous version left it: numbered migrations only, applied its way. */
  async function migratedByPreviousVersion(): Promise<{ location: string; db: Database }> {
    const location = engine === 'pglite' ? mkdtempSync(`${TEST_DATA_DIR}/db-`) : await emptyServerDatabase();
    if (engine === 'pglite') cleanups.push(() => dropTestLocation(engine, location));
    const db = await open(engine, location);
    cleanups.push(() => db.close());
    await db.query(`CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const m of loadMigrations()) {
      await db.transaction(async (tx) => {
        await tx.exec(m.sql);
        await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      });
    }
    return { location, db };
  }

  const probe = (name: string, sql: string): SqlFunction => ({ name, sql });
  const recorded = async (db: Database, name: string) =>
    (await db.query<{ checksum: string; at: string }>(`SELECT checksum, applied_at::text AS at FROM schema_functions WHERE name = $1`, [name]))[0];

  it('a database made by the previous version gets every function file once, then takes bookings with them', async () => {
    const { db } = await migratedByPreviousVersion();
    expect(await db.query(`SELECT to_regclass('schema_functions') AS t`)).toEqual([{ t: null }]);

    expect(await migrate(db)).toEqual({ versions: [], functions: FUNCTION_NAMES });
    const rows = await db.query<{ name: string }>('SELECT name FROM schema_functions ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(FUNCTION_NAMES);
    // booking_is_hold exists only in a file (no migration creates it): the files ran.
    expect(await db.query(`SELECT booking_is_hold('awaiting_authentication') AS hold`)).toEqual([{ hold: true }]);
    expect(await migrate(db)).toEqual({ versions: [], functions: [] });

    await seedDemo(db, randomUUID);
    const clock = new TestClock();
    const service = await compose(loadConfig({ LOG_LEVEL: 'silent', ADMIN_API_TOKEN: TEST_ADMIN_TOKEN }), { db, clock });
    cleanups.push(() => service.close());
    const day = parisDate(clock, 2);
    const res = await service.app.inject({ method: 'POST', url: '/api/bookings', payload: bookingBody(day, '09:00') });
    expect(res.statusCode, res.body).toBe(201);
    const again = await service.app.inject({ method: 'POST', url: '/api/bookings', payload: bookingBody(day, '09:00', { customer: { name: 'Paul Durand', email: 'paul@example.com' } }) });
    expect(again.statusCode, again.body).toBe(409);
  }, 300_000);

  it('a changed function file is applied again at the next start; an unchanged one is not', async () => {
    const location = await createTestLocation(engine);
    cleanups.push(() => dropTestLocation(engine, location));
    const db = await open(engine, location);
    cleanups.push(() => db.close());
    // The template was migrated by this code: nothing to do.
    expect(await migrate(db)).toEqual({ versions: [], functions: [] });

    const v1 = probe('upgrade_probe', `CREATE OR REPLACE FUNCTION upgrade_probe() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;`);
    expect((await migrate(db, loadMigrations(), [...loadFunctions(), v1])).functions).toEqual(['upgrade_probe']);
    const first = await recorded(db, 'upgrade_probe');
    expect(await db.query(`SELECT upgrade_probe() AS v`)).toEqual([{ v: 1 }]);

    // Unchanged (line endings aside): not applied, its record untouched.
    const crlf = probe('upgrade_probe', v1.sql.replace(/\n/g, '\r\n'));
    expect((await migrate(db, loadMigrations(), [...loadFunctions(), crlf])).functions).toEqual([]);
    expect(await recorded(db, 'upgrade_probe')).toEqual(first);

    const v2 = probe('upgrade_probe', `CREATE OR REPLACE FUNCTION upgrade_probe() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 2 $$;`);
    expect((await migrate(db, loadMigrations(), [...loadFunctions(), v2])).functions).toEqual(['upgrade_probe']);
    expect(await db.query(`SELECT upgrade_probe() AS v`)).toEqual([{ v: 2 }]);
    expect((await recorded(db, 'upgrade_probe'))!.checksum).not.toBe(first!.checksum);
  });

  it('function files may call functions of later files; a signature change drops the old one first; a bad file changes nothing', async () => {
    const location = await createTestLocation(engine);
    cleanups.push(() => dropTestLocation(engine, location));
    const db = await open(engine, location);
    cleanups.push(() => db.close());
    // An SQL function's body is checked at creation: upgrade_probe_a needs upgrade_probe_b, a later file.
    const a = probe('upgrade_probe_a', `CREATE OR REPLACE FUNCTION upgrade_probe_a() RETURNS int LANGUAGE sql STABLE AS $$ SELECT upgrade_probe_b() + 1 $$;`);
    const b = probe('upgrade_probe_b', `CREATE OR REPLACE FUNCTION upgrade_probe_b() RETURNS int LANGUAGE sql STABLE AS $$ SELECT 41 $$;`);
    expect((await migrate(db, loadMigrations(), [...loadFunctions(), a, b])).functions).toEqual(['upgrade_probe_a', 'upgrade_probe_b']);
    expect(await db.query(`SELECT upgrade_probe_a() AS v`)).toEqual([{ v: 42 }]);

    // The return type changes: CREATE OR REPLACE alone is refused, and the whole batch with it.
    const c = probe('upgrade_probe_c', `CREATE OR REPLACE FUNCTION upgrade_probe_c(p int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT p $$;`);
    await migrate(db, loadMigrations(), [...loadFunctions(), a, b, c]);
    const b2 = probe('upgrade_probe_b', `CREATE OR REPLACE FUNCTION upgrade_probe_b() RETURNS int LANGUAGE sql STABLE AS $$ SELECT 99 $$;`);
    const cText = probe('upgrade_probe_c', `CREATE OR REPLACE FUNCTION upgrade_probe_c(p int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT p::text $$;`);
    await expect(migrate(db, loadMigrations(), [...loadFunctions(), a, b2, cText])).rejects.toThrow(/return type/);
    expect(await db.query(`SELECT upgrade_probe_a() AS a, upgrade_probe_c(7) AS c`)).toEqual([{ a: 42, c: 7 }]);
    // A body that does not compile fails the start too, before any request runs it.
    const broken = probe('upgrade_probe_b', `CREATE OR REPLACE FUNCTION upgrade_probe_b() RETURNS int LANGUAGE sql STABLE AS $$ SELECT no_such_column FROM artisans $$;`);
    await expect(migrate(db, loadMigrations(), [...loadFunctions(), a, broken, c])).rejects.toThrow(/no_such_column/);
    expect(await db.query(`SELECT upgrade_probe_a() AS a`)).toEqual([{ a: 42 }]);

    const cDropped = probe('upgrade_probe_c', `DROP FUNCTION IF EXISTS upgrade_probe_c(int);\n${cText.sql}`);
    expect((await migrate(db, loadMigrations(), [...loadFunctions(), a, b2, cDropped])).functions).toEqual(['upgrade_probe_b', 'upgrade_probe_c']);
    expect(await db.query(`SELECT upgrade_probe_a() AS a, upgrade_probe_c(7) AS c`)).toEqual([{ a: 100, c: '7' }]);
  });

  it('two starts at once apply a changed function file once', async () => {
    const location = await createTestLocation(engine);
    cleanups.push(() => dropTestLocation(engine, location));
    const db = await open(engine, location);
    cleanups.push(() => db.close());
    const v1 = probe('upgrade_probe', `CREATE OR REPLACE FUNCTION upgrade_probe() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;`);
    // Two instances: two pools on PostgreSQL; PGlite has one connection per data directory.
    const other = engine === 'postgres' ? await open(engine, location) : db;
    if (other !== db) cleanups.push(() => other.close());
    const [x, y] = await Promise.all([migrate(db, loadMigrations(), [...loadFunctions(), v1]), migrate(other, loadMigrations(), [...loadFunctions(), v1])]);
    expect([...x.functions, ...y.functions]).toEqual(['upgrade_probe']);
  });

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
