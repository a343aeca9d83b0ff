import { describe, expect, it } from 'vitest';
import type { Queryable } from './database.ts';
import { DIRECTORY_SIZE, DIRECTORY_TTL_MS, makeBusinessDirectory } from './business-directory-store.ts';

/** A database that knows every slug and host, and counts the reads it answers. */
function countingDb(): Queryable & { reads: number } {
  const db = {
    reads: 0,
    async query<R>(_text: string, params?: readonly unknown[]): Promise<R[]> {
      db.reads++;
      return [{ id: `id-of-${String(params?.[0])}` } as R];
    },
    async exec() {},
  };
  return db;
}

describe('business directory cache', () => {
  it(`keeps at most ${DIRECTORY_SIZE} addresses, whatever the number of businesses visited`, async () => {
    const db = countingDb();
    const directory = makeBusinessDirectory(db, () => 0);
    expect(await directory.bySlug('premiere')).toBe('id-of-premiere');
    expect(await directory.bySlug('premiere')).toBe('id-of-premiere');
    expect(db.reads).toBe(1);
    // Up to the bound, every address is kept: the first one still costs no read.
    for (let i = 1; i < DIRECTORY_SIZE; i++) await directory.bySlug(`entreprise-${i}`);
    const kept = db.reads;
    await directory.bySlug('premiere');
    expect(db.reads).toBe(kept);
    // One address more than the bound: the cache was emptied rather than grown.
    await directory.byHost('rdv.une-de-plus.fr');
    await directory.bySlug('premiere');
    await directory.bySlug(`entreprise-${DIRECTORY_SIZE - 1}`);
    expect(db.reads).toBe(kept + 3);
  });

  it(`trusts an address for ${DIRECTORY_TTL_MS / 1000} s, then reads it again`, async () => {
    const db = countingDb();
    let now = 0;
    const directory = makeBusinessDirectory(db, () => now);
    await directory.bySlug('premiere');
    now = DIRECTORY_TTL_MS - 1;
    await directory.bySlug('premiere');
    expect(db.reads).toBe(1);
    now = DIRECTORY_TTL_MS;
    await directory.bySlug('premiere');
    expect(db.reads).toBe(2);
  });
});
