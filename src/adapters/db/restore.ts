import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pgDump } from '@electric-sql/pglite-tools/pg_dump';
import { PG_DUMP_ARGS, type BackupFormat } from './backup.ts';

/** A restore that cannot go ahead; the message is for the operator (French and English). */
export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefusedError';
  }
}

const GZIP_MAGIC = [0x1f, 0x8b];
const SQL_COMPLETE = '-- PostgreSQL database dump complete';

const incomplete = (fr: string, en: string): RestoreRefusedError =>
  new RestoreRefusedError(`Sauvegarde incomplète : ${fr} (copie interrompue ?). / Incomplete backup: ${en} (interrupted copy?).`);

/** Which kind of backup the bytes are; refuses anything else, and a truncated SQL dump or archive. */
export function backupFormatOf(bytes: Uint8Array): BackupFormat {
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    // Checked here, whole: PGlite reading a damaged archive fails later, outside any handler.
    try {
      gunzipSync(bytes);
    } catch {
      throw incomplete("l'archive .tar.gz est tronquée ou abîmée", 'the .tar.gz archive is truncated or damaged');
    }
    return 'pglite';
  }
  const text = Buffer.from(bytes.subarray(0, 4096)).toString('utf8');
  if (/^(\s*\\restrict \S+\s*)?--\s*\n-- PostgreSQL database dump/.test(text.replace(/^\uFEFF/, ''))) {
    const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 4096))).toString('utf8');
    if (!tail.includes(SQL_COMPLETE)) throw incomplete('la fin du fichier SQL manque', 'the SQL dump has no end marker');
    return 'sql';
  }
  throw new RestoreRefusedError(
    `Ce fichier n'est pas une sauvegarde ArtisanConnect (ni archive PGlite .tar.gz, ni export SQL pg_dump). / Not an ArtisanConnect backup (neither a PGlite .tar.gz nor a pg_dump SQL file); it starts with ${JSON.stringify(text.slice(0, 40))}.`,
  );
}

/**
 * The dump as plain SQL for the database itself: without pg_dump 17+'s psql meta-commands
 * (`\restrict`, `\unrestrict`, which only guard psql) and session settings older servers do
 * not know. Nothing here goes through psql, so no meta-command in a file can run.
 */
function portableSql(sql: string): string {
  return sql
    .split('\n')
    .filter((line) => !/^\\(un)?restrict\b/.test(line))
    .filter((line) => line !== 'SET transaction_timeout = 0;') // PostgreSQL 17+ only; 0 is the default anyway
    .join('\n');
}

export type RestoreTarget = { dataDir: string } | { databaseUrl: string };

/**
 * Loads a backup (either format) into an empty target and returns what it found there.
 * Refuses a target that holds anything. A failed restore leaves the target as it was
 * (a data directory it created is removed; the SQL runs in one transaction).
 */
export async function restoreBackup(file: string, target: RestoreTarget): Promise<{ format: BackupFormat; migrations: number }> {
  if (!existsSync(file)) throw new RestoreRefusedError(`Fichier introuvable / file not found: ${file}`);
  const bytes = readFileSync(file);
  const format = backupFormatOf(bytes);
  if ('dataDir' in target) return { format, migrations: await restoreIntoDataDir(bytes, format, target.dataDir) };
  return { format, migrations: await restoreIntoServer(bytes, format, target.databaseUrl) };
}

async function restoreIntoDataDir(bytes: Buffer, format: BackupFormat, dataDir: string): Promise<number> {
  const existed = existsSync(dataDir);
  if (existed && readdirSync(dataDir).length > 0) {
    throw new RestoreRefusedError(
      `Le répertoire ${dataDir} n'est pas vide : la restauration se fait dans un DATA_DIR vide (ou absent). / ${dataDir} is not empty: restore into an empty (or missing) DATA_DIR.`,
    );
  }
  mkdirSync(dataDir, { recursive: true });
  let db: PGlite | undefined;
  try {
    if (format === 'pglite') {
      db = await PGlite.create({ dataDir, loadDataDir: new Blob([new Uint8Array(bytes)]), extensions: { btree_gist } });
    } else {
      db = await PGlite.create({ dataDir, extensions: { btree_gist } });
      await runDump(async (script) => void (await db!.exec(script)), bytes.toString('utf8'));
    }
    const count = await countMigrations((sql) => db!.query<{ n: number }>(sql).then((r) => r.rows));
    await db.close();
    return count;
  } catch (error) {
    await db?.close().catch(() => {});
    if (existed) for (const entry of readdirSync(dataDir)) rmSync(`${dataDir}/${entry}`, { recursive: true, force: true });
    else rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function restoreIntoServer(bytes: Buffer, format: BackupFormat, url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
        WHERE s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg_toast%' AND s.nspname NOT LIKE 'pg_temp%'
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')`,
    );
    if ((rows[0]?.n ?? 0) > 0) {
      throw new RestoreRefusedError(
        `La base ${new URL(url).pathname.slice(1)} n'est pas vide (${rows[0]!.n} tables ou séquences) : restaurez dans une base vide (createdb). / The database is not empty: restore into an empty database (createdb).`,
      );
    }
    const sql = format === 'sql' ? bytes.toString('utf8') : await sqlOfPgliteBackup(bytes);
    await runDump(async (script) => void (await client.query(script)), sql);
    return await countMigrations(async (q) => (await client.query<{ n: number }>(q)).rows);
  } finally {
    await client.end();
  }
}

/**
 * Runs a dump's SQL in one transaction through the database driver (simple query protocol):
 * the database parses every statement, so a psql meta-command in the file (`\! command`, `\i`…)
 * is a syntax error there, never a command run on this machine; it is reported as such.
 */
async function runDump(exec: (script: string) => Promise<void>, sql: string): Promise<void> {
  const script = `BEGIN;\n${portableSql(sql)}\nCOMMIT;`;
  try {
    await exec(script);
  } catch (error) {
    const { code, position } = error as { code?: string; position?: string };
    const at = Number(position) - 1;
    if (code === '42601' && script[at] === '\\') {
      const line = /^[^\n]*/.exec(script.slice(at))![0].slice(0, 60);
      throw new RestoreRefusedError(
        `Ce fichier contient une commande psql (${line}) : une sauvegarde ArtisanConnect n'en contient pas, le fichier a été modifié. Rien n'a été restauré ni exécuté. / The file holds a psql meta-command (${line}), which no ArtisanConnect backup does: it was tampered with. Nothing was restored or run.`,
      );
    }
    throw new Error(`the SQL failed; nothing was restored: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** An embedded backup as SQL: loaded into a throwaway in-memory PGlite, dumped with PGlite's pg_dump. */
async function sqlOfPgliteBackup(bytes: Buffer): Promise<string> {
  const mem = await PGlite.create({ loadDataDir: new Blob([new Uint8Array(bytes)]), extensions: { btree_gist } });
  try {
    const file = await pgDump({ pg: mem, args: PG_DUMP_ARGS });
    return await file.text();
  } finally {
    await mem.close();
  }
}

async function countMigrations(query: (sql: string) => Promise<{ n: number }[]>): Promise<number> {
  const rows = await query(`SELECT count(*)::int AS n FROM public.schema_migrations`);
  return Number(rows[0]?.n ?? 0);
}
