import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import type { Database, Queryable } from './database.ts';
import { pgliteBackup, snapshotPglite } from './backup.ts';

/**
 * Embedded PostgreSQL in DATA_DIR. PGlite has a single connection: its transaction()
 * holds it exclusively, so concurrent requests queue instead of interleaving.
 */
export async function openPglite(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create({ dataDir, extensions: { btree_gist } });
  await pg.exec('SET TIME ZONE UTC');
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<R>(text: string, params?: readonly unknown[]) {
      const result = await q.query<R>(text, params ? [...params] : undefined);
      return result.rows;
    },
    async exec(script: string) {
      await q.exec(script);
    },
  });
  const base = wrap(pg);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    backup: async () => pgliteBackup(await snapshotPglite(pg)),
    async close() {
      if (!pg.closed) await pg.close();
    },
  };
}
