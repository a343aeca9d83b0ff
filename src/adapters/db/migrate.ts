import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Queryable } from './database.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const FUNCTIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'functions');
// Any constant works; it only has to be the same for every instance of the service.
const MIGRATION_LOCK = 7_314_202_611;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered SQL files (0001_name.sql), forward-only, in version order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

/** The current definition of one SQL function (and its triggers, if any): functions/<name>.sql. */
export interface SqlFunction {
  name: string;
  sql: string;
}

/** Every function file, in name order (the order they are applied in). */
export function loadFunctions(dir = FUNCTIONS_DIR): SqlFunction[] {
  return readdirSync(dir)
    .filter((f) => /^[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

// Line endings do not change a function: a Windows checkout must not re-apply every file.
const checksum = (sql: string): string => createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');

/**
 * The database holds a migration this code does not know: it was upgraded by a newer version
 * of the service. Running older code on it could write what the newer schema forbids, so
 * the service refuses to start. Branches may add migrations out of numerical order, so
 * "newer" means "applied, and not in this code's list", not "a higher number".
 */
export class SchemaNewerThanCodeError extends Error {
  constructor(
    readonly unknownVersions: number[],
    readonly databaseVersion: number,
    readonly codeVersion: number,
  ) {
    const list = unknownVersions.map(pad).join(', ');
    super(
      `La base de données a un schéma plus récent que ce programme : migration(s) ${list} appliquée(s) (schéma ${pad(databaseVersion)}) ` +
        `inconnue(s) de cette version, dont la dernière migration est ${pad(codeVersion)}. Installez la version du service qui a mis à jour la base ` +
        `(ou une plus récente) ; ne la démarrez pas avec une version plus ancienne.\n` +
        `The database schema is newer than this code: migration(s) ${list} are applied (schema ${pad(databaseVersion)}) ` +
        `but unknown to this version, whose latest migration is ${pad(codeVersion)}. Run the version of the service that upgraded the ` +
        `database (or a newer one); do not start an older one on it.`,
    );
    this.name = 'SchemaNewerThanCodeError';
  }
}

const pad = (v: number): string => String(v).padStart(4, '0');

export interface MigrationStatus {
  /** Versions in the code's list not applied to the database yet. */
  pending: number[];
  /** Versions applied to the database that the code does not know. */
  unknown: number[];
}

/** Compares the database with the code's migrations (readiness, start-up check). */
export async function migrationStatus(db: Queryable, migrations = loadMigrations()): Promise<MigrationStatus> {
  const exists = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  const applied = exists[0]?.t ? (await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)) : [];
  const known = new Set(migrations.map((m) => m.version));
  const done = new Set(applied);
  return {
    pending: migrations.map((m) => m.version).filter((v) => !done.has(v)),
    unknown: applied.filter((v) => !known.has(v)).sort((a, b) => a - b),
  };
}

export interface MigrateResult {
  /** Numbered migrations this call applied. */
  versions: number[];
  /** Function files this call (re-)applied: new, or changed since they were last applied. */
  functions: string[];
}

/**
 * Applies pending migrations, each in its own transaction (a migration that fails halfway
 * is rolled back whole: the database keeps the previous schema, usable by the previous
 * version). Instances starting together serialise on an advisory lock, so each migration
 * runs once. Refuses a database that holds a migration this code does not know.
 *
 * Then the function files (functions/<name>.sql), like the repeatable migrations of Flyway:
 * each file whose checksum differs from the one recorded in schema_functions is applied
 * again, all in one transaction under the same lock, after the numbered migrations. They
 * run last, so the bodies in the files win over the ones the (never edited) migrations
 * wrote, on a fresh database as on one migrated by an earlier version.
 */
export async function migrate(db: Database, migrations = loadMigrations(), functions = loadFunctions()): Promise<MigrateResult> {
  const versions: number[] = [];
  await createTableOnce(
    db,
    'schema_migrations',
    `CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  await refuseNewerSchema(db, migrations);
  for (const m of migrations) {
    // Migrations may rebuild a table or wait for another instance's: their own time bound.
    await db.transaction(async (tx) => {
      await lock(tx);
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (done.length > 0) return;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      versions.push(m.version);
    }, { maintenance: true });
  }
  return { versions, functions: await applyFunctions(db, functions) };
}

async function applyFunctions(db: Database, functions: SqlFunction[]): Promise<string[]> {
  await createTableOnce(
    db,
    'schema_functions',
    `CREATE TABLE IF NOT EXISTS schema_functions (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  return db.transaction(async (tx) => {
    await lock(tx);
    const rows = await tx.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_functions');
    const recorded = new Map(rows.map((r) => [r.name, r.checksum]));
    const changed = functions.filter((f) => recorded.get(f.name) !== checksum(f.sql));
    if (changed.length === 0) return [];
    // A function may call one defined by a later file. The first pass creates them all without
    // checking bodies (as pg_dump restores do); the second, with every function present,
    // creates them again with their bodies checked, so a mistake fails the start, not a request.
    await tx.exec('SET LOCAL check_function_bodies = off');
    for (const f of changed) await tx.exec(f.sql);
    await tx.exec('SET LOCAL check_function_bodies = on');
    for (const f of changed) {
      await tx.exec(f.sql);
      await tx.query(
        `INSERT INTO schema_functions (name, checksum) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()`,
        [f.name, checksum(f.sql)],
      );
    }
    return changed.map((f) => f.name);
  }, { maintenance: true });
}

async function createTableOnce(db: Database, table: string, ddl: string): Promise<void> {
  await db.query(ddl).catch(async (error) => {
    // Two instances may race on the very first CREATE TABLE; the loser finds it there.
    const rows = await db.query(`SELECT to_regclass($1) AS t`, [table]);
    if (!rows[0]?.t) throw error;
  });
}

async function refuseNewerSchema(db: Queryable, migrations: Migration[]): Promise<void> {
  const { unknown } = await migrationStatus(db, migrations);
  if (unknown.length === 0) return;
  const rows = await db.query<{ v: number }>('SELECT max(version) AS v FROM schema_migrations');
  throw new SchemaNewerThanCodeError(unknown, Number(rows[0]?.v ?? 0), Math.max(0, ...migrations.map((m) => m.version)));
}

export async function lock(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
}
