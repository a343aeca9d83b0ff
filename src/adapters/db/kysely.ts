import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { Queryable, QueryOptions } from './database.ts';
import type { DB } from './schema.ts';

/**
 * Typed queries (Kysely) over our own `Database` port, for both engines.
 *
 * Kysely builds and compiles the statement; the port runs it, inside or outside a transaction
 * (`db.transaction(tx => run(tx, …))`), so Kysely never holds a connection of its own and the
 * PGlite worker thread, the pg pool and the query timeouts stay where they are. The row types
 * come from `schema.ts`, generated from the migrated schema (`npm run db:types`) and checked
 * against the live schema by test/db-schema-types.test.ts.
 */
export const qb = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** Runs a query built with `qb` and answers its typed rows. */
export function run<O>(q: Queryable, query: { compile(): CompiledQuery<O> }, options?: QueryOptions): Promise<O[]> {
  const compiled = query.compile();
  return q.query<O>(compiled.sql, compiled.parameters, options);
}

/** The first row, or undefined. */
export async function first<O>(q: Queryable, query: { compile(): CompiledQuery<O> }): Promise<O | undefined> {
  return (await run(q, query))[0];
}

/**
 * A Kysely instance that really executes through the port, for tools that need one
 * (the schema introspection of `npm run db:types`). No transactions: use the port's.
 */
export function kyselyOver<T>(q: Queryable): Kysely<T> {
  const connection: DatabaseConnection = {
    async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
      return { rows: await q.query<R>(compiled.sql, compiled.parameters) };
    },
    // eslint-disable-next-line require-yield
    async *streamQuery() {
      throw new Error('streaming is not supported over the Database port');
    },
  };
  const driver: Driver = {
    async init() {},
    async acquireConnection() {
      return connection;
    },
    async beginTransaction() {
      throw new Error('use the Database port for transactions');
    },
    async commitTransaction() {},
    async rollbackTransaction() {},
    async releaseConnection() {},
    async destroy() {},
  };
  return new Kysely<T>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}
