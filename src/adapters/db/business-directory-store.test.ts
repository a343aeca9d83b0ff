import { describe, expect, it } from 'vitest';
import type { Queryable } from './database.ts';
import { DIRECTORY_SIZE, DIRECTORY_STAMP_MS, DIRECTORY_TTL_MS, makeBusinessDirectory } from './business-directory-store.ts';

/**
 * A database that knows every slug and host, and counts the address reads it answers (the
 * directory stamp's own reads apart); `stamp` is the directory stamp (migration 0040).
 */
function countingDb(): Queryable & { reads: number; stampReads: number; stamp: number } {
  const db = {
    reads: 0,
    stampReads: 0,
    stamp: 1,
    async query<R>(text: string, params?: readonly unknown[]): Promise<R[]> {
      if (!/\bartisans\b/.test(text)) {
        db.stampReads++;
        return [{ version: String(db.stamp) } as R];
      }
      db.reads++;
      return [{ id: `id-of-${String(params?.[0])}`, version: String(db.stamp) } as R];
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

  it(`drops what it kept within ${DIRECTORY_STAMP_MS / 1000} s of the stamp moving (an address changed on another instance)`, async () => {
    const db = countingDb();
    let now = 0;
    const directory = makeBusinessDirectory(db, () => now);
    await directory.bySlug('premiere');
    await directory.byHost('rdv.premiere.fr');
    // A hit reads the stamp (the first time, then at most once a second).
    await directory.bySlug('premiere');
    db.stamp = 2;
    // The stamp is read at most once a second, whatever the number of requests.
    for (let i = 0; i < 50; i++) await directory.bySlug('premiere');
    expect(db.stampReads).toBe(1);
    expect(db.reads).toBe(2);
    now = DIRECTORY_STAMP_MS;
    await directory.bySlug('premiere');
    await directory.byHost('rdv.premiere.fr');
    expect(db.stampReads).toBe(2);
    expect(db.reads).toBe(4);
    // Unmoved: kept again.
    now = 2 * DIRECTORY_STAMP_MS;
    await directory.bySlug('premiere');
    expect(db.reads).toBe(4);
  });

  it('forgets every address at once when one was changed through this instance', async () => {
    const db = countingDb();
    const directory = makeBusinessDirectory(db, () => 0);
    await directory.bySlug('premiere');
    await directory.sole();
    directory.moved();
    await directory.bySlug('premiere');
    await directory.sole();
    expect(db.reads).toBe(4);
  });
});
