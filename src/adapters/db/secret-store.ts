import type { Database } from './database.ts';
import { first, qb, run } from './kysely.ts';

/**
 * A secret generated once and shared through the database, so every instance (and every
 * restart) signs and checks with the same one. The first writer wins a race.
 */
export async function sharedSecret(db: Database, name: string, generate: () => string): Promise<string> {
  await run(db, qb.insertInto('app_secrets').values({ name, value: generate() }).onConflict((oc) => oc.column('name').doNothing()));
  return (await first(db, qb.selectFrom('app_secrets').select('value').where('name', '=', name)))!.value;
}

/** A secret stored by `sharedSecret`, or undefined: nothing is generated. */
export async function storedSecret(db: Database, name: string): Promise<string | undefined> {
  const rows = await db.query<{ value: string }>(`SELECT value FROM app_secrets WHERE name = $1`, [name]);
  return rows[0]?.value;
}

