import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteThread } from '../src/adapters/db/pglite-thread.ts';
import { EXCLUSION_VIOLATION, sqlState, type Database } from '../src/adapters/db/database.ts';
import { TEST_DATA_DIR, templateNames } from './helpers/paths.ts';

// The embedded default runs PGlite on a worker thread (PGLITE_THREAD=worker): the driver must
// keep PostgreSQL's transaction semantics and error codes across the thread boundary.
describe('PGlite on a worker thread', () => {
  let db: Database;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(`${TEST_DATA_DIR}/thread-`);
    cpSync(templateNames().pgliteDir, dir, { recursive: true });
    db = await openPgliteThread(dir);
    await db.exec(`CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (0);
      CREATE TABLE slots (r tstzrange, EXCLUDE USING gist (r WITH &&));`);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query('UPDATE counter SET n = n + 1');
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('UPDATE counter SET n = n + 100');
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(await db.query('SELECT n FROM counter')).toEqual([{ n: 1 }]);
  });

  it('runs concurrent read-modify-write transactions one after the other', async () => {
    const before = (await db.query<{ n: number }>('SELECT n FROM counter'))[0]!.n;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          const [row] = await tx.query<{ n: number }>('SELECT n FROM counter');
          await tx.query('UPDATE counter SET n = $1', [row!.n + 1]);
        }),
      ),
    );
    expect(await db.query('SELECT n FROM counter')).toEqual([{ n: before + 20 }]);
  });

  it('passes PostgreSQL error codes through (exclusion violation, unknown table)', async () => {
    await db.query(`INSERT INTO slots VALUES ('[2027-01-01 09:00Z, 2027-01-01 10:00Z)')`);
    const overlap = await db.query(`INSERT INTO slots VALUES ('[2027-01-01 09:30Z, 2027-01-01 10:30Z)')`).catch((e: unknown) => e);
    expect(sqlState(overlap)).toBe(EXCLUSION_VIOLATION);
    const missing = await db.query('SELECT * FROM nowhere').catch((e: unknown) => e);
    expect(sqlState(missing)).toBe('42P01');
    // The connection is still usable after errors, inside and outside transactions.
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('returns timestamps as dates and parameters round-trip', async () => {
    const [row] = await db.query<{ t: Date; s: string }>(`SELECT $1::timestamptz AS t, $2::text AS s`, ['2027-03-28T01:30:00Z', 'Noël']);
    expect(row!.t).toBeInstanceOf(Date);
    expect(row!.t.toISOString()).toBe('2027-03-28T01:30:00.000Z');
    expect(row!.s).toBe('Noël');
  });
});
