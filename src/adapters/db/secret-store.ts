import type { Database } from './database.ts';

/**
 * A secret generated once and shared through the database, so every instance (and every
 * restart) signs and checks with the same one. The first writer wins a race.
 */
export async function sharedSecret(db: Database, name: string, generate: () => string): Promise<string> {
  await db.query(`INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, generate()]);
  const rows = await db.query<{ value: string }>(`SELECT value FROM app_secrets WHERE name = $1`, [name]);
  return rows[0]!.value;
}

/** A secret stored by `sharedSecret`, or undefined: nothing is generated. */
export async function storedSecret(db: Database, name: string): Promise<string | undefined> {
  const rows = await db.query<{ value: string }>(`SELECT value FROM app_secrets WHERE name = $1`, [name]);
  return rows[0]?.value;
}

