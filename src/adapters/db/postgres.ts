import pg from 'pg';
import type { Database, Queryable } from './database.ts';
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
  const run = async <R>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]): Promise<R[]> => {
    const result = await client.query(text, params ? [...params] : undefined);
    return result.rows as R[];
  };
  await run(pool, 'SELECT 1');
  return {
    kind: 'postgres',
    query: (text, params) => run(pool, text, params),
    exec: async (script) => void (await pool.query(script)),
    async transaction(fn) {
      const client = await pool.connect();
      const tx: Queryable = {
        query: (text, params) => run(client, text, params),
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
