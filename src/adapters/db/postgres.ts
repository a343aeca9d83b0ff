import { createHash } from 'node:crypto';
import pg from 'pg';
import { isQueryReadTimeout, type Database, type Queryable, type QueryOptions } from './database.ts';
import { backupOf, pgDumpStream } from './backup.ts';

export interface PostgresOptions {
  maxConnections?: number;
  pgBinDir?: string;
  /** DATABASE_QUERY_TIMEOUT_MS: longest a request's statement may take. */
  queryTimeoutMs?: number;
  /** DATABASE_MIGRATION_TIMEOUT_MS: longest a migration's statement may take. */
  maintenanceTimeoutMs?: number;
}

/**
 * The server cancels a statement at its bound (statement_timeout); the client gives up this
 * much later, when no answer came at all (a silent server or network), and destroys the
 * connection: what it would read next belongs to the abandoned statement.
 */
const CLIENT_GRACE_MS = 1_000;

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  const maintenanceTimeoutMs = options.maintenanceTimeoutMs ?? 600_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    options: '-c TimeZone=UTC',
    statement_timeout: queryTimeoutMs,
    query_timeout: queryTimeoutMs + CLIENT_GRACE_MS,
    keepAlive: true,
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  /** One statement; pg.Pool.query releases a failed connection with its error, so the pool destroys it. */
  const run = async <R>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[], options?: QueryOptions, timeoutMs?: number): Promise<R[]> => {
    const values = params ? [...params] : undefined;
    const result = await client.query({
      text,
      values,
      ...(options?.prepared ? { name: statementName(text) } : {}),
      ...(timeoutMs ? { query_timeout: timeoutMs + CLIENT_GRACE_MS } : {}),
    });
    return result.rows as R[];
  };
  await run(pool, 'SELECT 1');
  return {
    kind: 'postgres',
    query: (text, params, options) => run(pool, text, params, options),
    exec: async (script) => void (await run(pool, script)),
    async transaction(fn, txOptions) {
      const client = await pool.connect();
      const timeoutMs = txOptions?.maintenance ? maintenanceTimeoutMs : undefined;
      const tx: Queryable = {
        query: (text, params, options) => run(client, text, params, options, timeoutMs),
        exec: async (script) => void (await run(client, script, undefined, undefined, timeoutMs)),
      };
      let result;
      try {
        await run(client, 'BEGIN');
        if (timeoutMs) await run(client, `SET LOCAL statement_timeout = ${Math.trunc(timeoutMs)}`);
        result = await fn(tx);
        await run(client, 'COMMIT');
      } catch (error) {
        // A silent connection would make ROLLBACK wait for its bound too: destroy it at once
        // (the server rolls back when the connection ends). So is one that cannot roll back.
        const broken = isQueryReadTimeout(error) || (await run(client, 'ROLLBACK').then(() => false, () => true));
        client.release(broken);
        throw error;
      }
      client.release();
      return result;
    },
    // pg_dump takes its own snapshot: the dump is consistent while bookings keep being written.
    backup: async () => backupOf('sql', pgDumpStream(url, options.pgBinDir)),
    close: () => pool.end(),
  };
}

const statementNames = new Map<string, string>();

/** A prepared statement's name: derived from its text, so every connection and instance agrees. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `ac_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}
