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
