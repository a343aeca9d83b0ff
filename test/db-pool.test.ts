import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/main.ts';
import { ENGINES, createTestLocation, dropTestLocation } from './helpers/db.ts';

// PostgreSQL only: nothing is registered on a PGlite-only run (no skipped test).
describe.each(ENGINES.filter((e) => e === 'postgres'))('the PostgreSQL pool on %s', (engine) => {
  let url: string | undefined;
  afterAll(async () => {
    if (url) await dropTestLocation(engine, url);
  });

  it('DATABASE_POOL_SIZE bounds the connections an instance opens, however many queries wait', async () => {
    url = await createTestLocation(engine);
    const db = await openDatabase(loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '3' }));
    try {
      const rows = await Promise.all(
        Array.from({ length: 9 }, () => db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid FROM pg_sleep(0.1)')),
      );
      const pids = new Set(rows.map((r) => r[0]!.pid));
      expect(pids.size).toBe(3);
    } finally {
      await db.close();
    }
  });
});
