import type { BusinessDataStore } from '../../app/business-data.ts';
import type { Database, Queryable } from './database.ts';

/**
 * A business's rows across the schema, found from the live catalog rather than a list: every
 * table whose primary key starts with `artisan_id` (the tenancy rule, checked by
 * test/db-tenancy-schema.test.ts) is the business's, plus its own row in `artisans`. Instance
 * tables (operator_audit names a business but outlives it) have another key and are left alone.
 */

export interface BusinessTable {
  name: string;
  /** Column names in their order, generated columns included. */
  columns: string[];
  primaryKey: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The business tables of the live schema, by name. */
export async function businessTables(q: Queryable): Promise<BusinessTable[]> {
  const rows = await q.query<{ name: string; columns: string[]; pk: string[] }>(`
    SELECT c.relname AS name,
           array(SELECT a.attname FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)::text[] AS columns,
           array(SELECT a.attname FROM unnest(p.conkey) WITH ORDINALITY k(n, i)
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.n ORDER BY k.i)::text[] AS pk
      FROM pg_class c JOIN pg_constraint p ON p.conrelid = c.oid AND p.contype = 'p'
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
     ORDER BY c.relname`);
  return rows.map((r) => ({ name: r.name, columns: [...r.columns], primaryKey: [...r.pk] })).filter((t) => t.primaryKey[0] === 'artisan_id');
}

/**
 * The business tables in an order where a table comes before every table it references, so
 * deleting in this order never trips a foreign key (references to itself set aside).
 */
export async function deletionOrder(q: Queryable, tables: string[]): Promise<string[]> {
  const edges = await q.query<{ child: string; parent: string }>(
    `SELECT DISTINCT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
       FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace AND c.conrelid <> c.confrelid`,
  );
  return deletionOrderOf(tables, edges);
}

/** The ordering itself: referencing tables first; refuses a cycle, naming its tables. */
export function deletionOrderOf(tables: string[], edges: readonly { child: string; parent: string }[]): string[] {
  const pending = new Set(tables);
  const order: string[] = [];
  while (pending.size > 0) {
    // A table goes once no pending table still references it.
    const ready = [...pending].filter((t) => !edges.some((e) => e.parent === t && e.child !== t && pending.has(e.child))).sort();
    if (ready.length === 0) throw new Error(`foreign keys form a cycle between ${[...pending].sort().join(', ')}: no deletion order`);
    for (const t of ready) {
      order.push(t);
      pending.delete(t);
    }
  }
  return order;
}

const FETCH = 500;

/** One table's rows of the business through a cursor, FETCH rows at a time (bounded memory). */
async function streamRows(tx: Queryable, sql: string, line: (json: string) => Promise<void>): Promise<number> {
  await tx.query(`DECLARE business_export NO SCROLL CURSOR FOR ${sql}`);
  let n = 0;
  for (;;) {
    const rows = await tx.query<{ line: string }>(`FETCH ${FETCH} FROM business_export`);
    for (const r of rows) await line(r.line);
    n += rows.length;
    if (rows.length < FETCH) break;
  }
  await tx.query('CLOSE business_export');
  return n;
}

export function makeBusinessDataStore(db: Database): BusinessDataStore & {
  /** Deletes every row of a business whose deletion is due, then the business; see operator-console-store. */
  purgeRows(tx: Queryable, artisanId: string): Promise<number>;
} {
  return {
    async exportRows(artisanId, withheld, sink) {
      // Only ids from our own routes reach here, but the literal is checked anyway: a cursor takes no parameters.
      if (!UUID.test(artisanId)) return undefined;
      const id = `'${artisanId}'::uuid`;
      return db.transaction(async (tx) => {
        // One snapshot for every table (PostgreSQL; PGlite runs one transaction at a time anyway).
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const [artisan] = await tx.query<{ id: string; display_name: string; slug: string | null }>('SELECT id, display_name, slug FROM artisans WHERE id = $1', [artisanId]);
        if (!artisan) return undefined;
        const select = (t: { name: string; columns: string[] }, where: string, order: string[]) => {
          const kept = t.columns.filter((c) => !(withheld[t.name] ?? []).includes(c)).map(ident);
          return `SELECT row_to_json(x)::text AS line FROM (SELECT ${kept.join(', ')} FROM ${ident(t.name)} WHERE ${where} ORDER BY ${order.map(ident).join(', ')}) x`;
        };
        const counts: Record<string, number> = {};
        const [self] = await tx.query<{ columns: string[] }>(
          `SELECT array(SELECT attname FROM pg_attribute WHERE attrelid = 'public.artisans'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum)::text[] AS columns`,
        );
        await sink.table('artisans');
        counts.artisans = await streamRows(tx, select({ name: 'artisans', columns: [...self!.columns] }, `id = ${id}`, ['id']), sink.line);
        for (const t of await businessTables(tx)) {
          await sink.table(t.name);
          counts[t.name] = await streamRows(tx, select(t, `artisan_id = ${id}`, t.primaryKey), sink.line);
        }
        return { business: { id: artisan.id, displayName: artisan.display_name, slug: artisan.slug }, counts };
      });
    },

    async purgeRows(tx, artisanId) {
      const tables = await businessTables(tx);
      let rows = 0;
      for (const table of await deletionOrder(tx, tables.map((t) => t.name))) {
        const [r] = await tx.query<{ n: number }>(`WITH gone AS (DELETE FROM ${ident(table)} WHERE artisan_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`, [artisanId]);
        rows += Number(r?.n ?? 0);
      }
      return rows;
    },
  };
}
