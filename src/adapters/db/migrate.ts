import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Queryable } from './database.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
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

/**
 * Applies pending migrations, each in its own transaction (a migration that fails halfway
 * is rolled back whole: the database keeps the previous schema, usable by the previous
 * version). Instances starting together serialise on an advisory lock, so each migration
 * runs once. Refuses a database that holds a migration this code does not know.
 * Returns the versions this call applied.
 */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<number[]> {
  const applied: number[] = [];
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`).catch(async (error) => {
    // Two instances may race on the very first CREATE TABLE; the loser finds it there.
    const rows = await db.query(`SELECT to_regclass('schema_migrations') AS t`);
    if (!rows[0]?.t) throw error;
  });
  await refuseNewerSchema(db, migrations);
  for (const m of migrations) {
    // Migrations may rebuild a table or wait for another instance's: their own time bound.
    await db.transaction(async (tx) => {
      await lock(tx);
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (done.length > 0) return;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }, { maintenance: true });
  }
  return applied;
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
