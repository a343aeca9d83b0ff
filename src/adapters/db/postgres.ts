import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database, Queryable, QueryOptions } from './database.ts';
import { backupOf, pgDumpStream } from './backup.ts';

export async function openPostgres(url: string, options: { maxConnections?: number; pgBinDir?: string } = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    options: '-c TimeZone=UTC',
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const run = async <R>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]> => {
    const values = params ? [...params] : undefined;
    const result = options?.prepared ? await client.query({ name: statementName(text), text, values }) : await client.query(text, values);
    return result.rows as R[];
  };
  await run(pool, 'SELECT 1');
  return {
    kind: 'postgres',
    query: (text, params, options) => run(pool, text, params, options),
    exec: async (script) => void (await pool.query(script)),
    async transaction(fn) {
      const client = await pool.connect();
      const tx: Queryable = {
        query: (text, params, options) => run(client, text, params, options),
        exec: async (script) => void (await client.query(script)),
      };
      let result;
      try {
        await client.query('BEGIN');
        result = await fn(tx);
        await client.query('COMMIT');
      } catch (error) {
        // A connection that cannot even roll back is broken: destroy it rather than reuse it.
        const broken = await client.query('ROLLBACK').then(() => false, () => true);
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
