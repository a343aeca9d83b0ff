import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { TABLES_NOT_BACKED_UP } from './backup-scrub.mjs';

/**
 * Backups use the engines' own tools, never a table copier:
 * - embedded (PGlite): `dumpDataDir`, PGlite's tar of its data directory, taken with no
 *   transaction open (a checkpoint first), so it restores as it was at that instant; then
 *   scrubbed in a worker thread (backup-scrub.mjs): no dead rows, no old WAL, no key file;
 * - PostgreSQL server: `pg_dump` (plain SQL, one consistent snapshot for the whole dump,
 *   rows as INSERTs so the file also loads into PGlite).
 * Neither holds the keys that open what the database keeps sealed (TABLES_NOT_BACKED_UP, the
 * key file): the operator keeps them apart (docs/deployment.md, Backups and restore).
 * `restore.ts` loads either kind into an empty data directory or an empty server.
 */
export type BackupFormat = 'pglite' | 'sql';

export interface Backup {
  format: BackupFormat;
  /** File name extension: `.tar.gz` (PGlite data directory) or `.sql` (pg_dump). */
  extension: string;
  contentType: string;
  /** The bytes; errors mid-way (pg_dump failing) destroy the stream with the error. */
  stream: Readable;
}

export const BACKUP_EXTENSIONS: Record<BackupFormat, string> = { pglite: '.tar.gz', sql: '.sql' };
const CONTENT_TYPES: Record<BackupFormat, string> = { pglite: 'application/gzip', sql: 'application/sql; charset=utf-8' };

export function backupOf(format: BackupFormat, stream: Readable): Backup {
  return { format, extension: BACKUP_EXTENSIONS[format], contentType: CONTENT_TYPES[format], stream };
}

/**
 * PGlite's own snapshot of its data directory (an uncompressed tar). A checkpoint first (less
 * to replay on restore), then the dump while holding PGlite's transaction lock: it waits for
 * the transaction in progress and new ones wait for it, so the copy is at a transaction
 * boundary, with everything committed before it began. (PGlite's standalone queries take
 * that lock too, so nothing may query inside it.) pglite-worker.mjs takes the same steps.
 */
export async function snapshotPglite(pg: PGlite): Promise<Uint8Array> {
  await pg.exec('CHECKPOINT');
  const blob = await pg._runExclusiveTransaction(() => pg.dumpDataDir('none'));
  return new Uint8Array(await blob.arrayBuffer());
}

/** The embedded backup of a raw snapshot, scrubbed in a worker thread of its own (backup-scrub.mjs). */
export function pgliteBackup(snapshot: Uint8Array): Promise<Backup> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./backup-scrub.mjs', import.meta.url), { workerData: { scrub: true, snapshot }, transferList: [snapshot.buffer as ArrayBuffer] });
    worker.once('message', (msg: { bytes?: Uint8Array; error?: string }) => {
      if (msg.bytes) resolve(backupOf('pglite', bytesStream(msg.bytes)));
      else reject(new Error(`the embedded backup could not be prepared: ${msg.error}`));
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** PostgreSQL's `pg_dump`, from PG_BIN_DIR when set. */
export function pgDumpTool(binDir: string | undefined): string {
  return binDir ? join(binDir, 'pg_dump') : 'pg_dump';
}

/**
 * A libpq connection for pg_dump: the URL without its password, which goes in
 * PGPASSWORD (the command line is visible to every user of the machine).
 */
export function libpqConnection(url: string): { dbname: string; env: Record<string, string> } {
  const u = new URL(url);
  const env: Record<string, string> = {};
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.toString(), env };
}

/**
 * Options of every SQL dump: portable between servers and PGlite, restorable by any role, rows
 * as INSERTs (no `COPY … FROM stdin` data blocks: a restore runs the file through the
 * database driver, never psql).
 */
export const PG_DUMP_ARGS = ['--format=plain', '--no-owner', '--no-privileges', '--no-comments', '--inserts', '--rows-per-insert=200'];

/** Streams `pg_dump` of the database at `url`; the stream fails if pg_dump exits in error. */
export function pgDumpStream(url: string, binDir: string | undefined): Readable {
  const { dbname, env } = libpqConnection(url);
  const leftOut = TABLES_NOT_BACKED_UP.map((t) => `--exclude-table-data=${t}`);
  const child = spawn(pgDumpTool(binDir), [...PG_DUMP_ARGS, ...leftOut, `--dbname=${dbname}`], {
    // eslint-disable-next-line no-restricted-properties -- the client tool inherits the environment (PATH, locale, PG*) plus its password
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.pipe(out, { end: false });
  child.on('error', (error) => out.destroy(new Error(`pg_dump could not run (${error.message}); install the PostgreSQL client tools or set PG_BIN_DIR`)));
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new Error(`pg_dump failed (exit ${code}): ${stderr.trim().slice(0, 500)}`));
  });
  // A client that goes away stops the dump.
  out.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return out;
}

export function bytesStream(bytes: Uint8Array): Readable {
  return Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
}
