import type { Database } from './database.ts';
import { first, qb } from './kysely.ts';

/**
 * A secret generated once and shared through the database, so every instance (and every
 * restart) signs and checks with the same one. The first writer wins a race.
 */
export async function sharedSecret(db: Database, name: string, generate: () => string): Promise<string> {
  // One statement: the stored value, or ours when there is none. Two statements (insert, then
  // read) read nothing when another transaction deletes the row in between (a setup code
  // forgotten by the claim that won), and the caller got a 500.
  const row = await first(
    db,
    qb
      .insertInto('app_secrets')
      .values({ name, value: generate() })
      .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb.ref('app_secrets.value') })))
      .returning('value'),
  );
  return row!.value;
}

/** A secret stored by `sharedSecret`, or undefined: nothing is generated. */
export async function storedSecret(db: Database, name: string): Promise<string | undefined> {
  const rows = await db.query<{ value: string }>(`SELECT value FROM app_secrets WHERE name = $1`, [name]);
  return rows[0]?.value;
}

