// What an embedded (PGlite) backup must not carry, taken out of a raw snapshot of the data
// directory. Plain JavaScript: it runs in a worker thread of its own, which starts outside
// the TypeScript loader (see pglite-worker.mjs), so neither the service's database thread nor
// its HTTP thread waits for it.
import { Blob, Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createGzip } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import tar from 'tar-stream';

/**
 * Tables whose rows no backup holds: the instance's generated keys (manage links, calendar
 * credentials with a server and no SECRETS_KEY, the first-start code). pg_dump leaves out
 * their data; the embedded backup deletes it from its copy.
 */
export const TABLES_NOT_BACKED_UP = ['app_secrets'];

/** PostgreSQL's own files at the top of a data directory; nothing else in DATA_DIR (the key file) goes into a backup. */
const POSTGRES_FILE = /^(PG_VERSION|base|global|pg_[a-z_]+|pg_hba\.conf|pg_ident\.conf|postgresql(\.auto)?\.conf|postmaster\.opts)$/;

/**
 * The backup made of a raw snapshot (uncompressed tar): the snapshot is opened in memory and,
 * there, what was deleted or overwritten (an erased customer) is removed from the files, not
 * only from the live rows: fresh statistics of the tables (ANALYZE keeps sample values), every
 * table, index and the statistics rewritten without dead rows (VACUUM FULL), the write-ahead
 * log moved to a new segment and the old ones deleted rather than recycled (a recycled segment
 * keeps its bytes). Then only PostgreSQL's files are kept, gzipped.
 * @param {Uint8Array} snapshot
 * @returns {Promise<Uint8Array>}
 */
export async function scrubSnapshot(snapshot) {
  const pg = await PGlite.create({ loadDataDir: new Blob([snapshot]), extensions: { btree_gist } });
  let scrubbed;
  try {
    const tables = (
      await pg.query(
        `SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'm') AND s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg_toast%'`,
      )
    ).rows.map((r) => r.name);
    for (const table of TABLES_NOT_BACKED_UP) await pg.exec(`DELETE FROM ${table}`);
    await pg.exec('SET wal_recycle = off');
    if (tables.length > 0) {
      await pg.exec(`ANALYZE ${tables.join(', ')}`);
      await pg.exec(`VACUUM FULL ${tables.join(', ')}, pg_catalog.pg_statistic`);
    }
    for (const step of ['CHECKPOINT', 'SELECT pg_switch_wal()', 'CHECKPOINT']) await pg.exec(step);
    scrubbed = Buffer.from(await (await pg.dumpDataDir('none')).arrayBuffer());
  } finally {
    await pg.close();
  }
  return postgresFilesOnly(scrubbed);
}

/** The tar without the entries that are not PostgreSQL's, gzipped. */
async function postgresFilesOnly(tarBytes) {
  const extract = tar.extract();
  const pack = tar.pack();
  extract.on('entry', (header, stream, next) => {
    const top = header.name.replace(/^[./]+/, '').split('/')[0];
    if (top !== '' && !POSTGRES_FILE.test(top)) {
      stream.on('end', next);
      stream.resume();
      return;
    }
    stream.pipe(pack.entry(header, next));
  });
  extract.on('finish', () => pack.finalize());
  const gzipped = buffer(pack.pipe(createGzip()));
  await pipeline(Readable.from([tarBytes]), extract);
  return new Uint8Array(await gzipped);
}

// As a worker: workerData.snapshot in, {bytes} or {error} out.
if (!isMainThread && workerData?.scrub) {
  scrubSnapshot(workerData.snapshot).then(
    (bytes) => parentPort.postMessage({ bytes }, [bytes.buffer]),
    (error) => parentPort.postMessage({ error: String(error?.stack ?? error) }),
  );
}
