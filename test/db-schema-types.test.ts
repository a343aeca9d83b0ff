import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaTypes } from '../scripts/db-types-generate.ts';
import { ENGINES, databaseForSuite } from './helpers/db.ts';

/**
 * The row types the typed queries use (src/adapters/db/schema.ts) are the live schema's: a
 * migration that adds, drops or retypes a column fails here until `npm run db:types` is run,
 * on the embedded engine and on the server alike.
 */
describe.each(ENGINES)('row types against the live schema on %s', (engine) => {
  const t = databaseForSuite(engine);

  it('src/adapters/db/schema.ts is what the migrated schema generates', async () => {
    const committed = readFileSync(new URL('../src/adapters/db/schema.ts', import.meta.url), 'utf8');
    expect(await schemaTypes(t.db)).toBe(committed);
  });

  it('a column the schema gains shows in the generated types (the check can fail)', async () => {
    await t.db.exec('ALTER TABLE busy_blocks ADD COLUMN colour text');
    const generated = await schemaTypes(t.db);
    expect(generated).toMatch(/export interface BusyBlocks \{[^}]*\n {2}colour: string \| null;/);
    expect(generated).not.toBe(readFileSync(new URL('../src/adapters/db/schema.ts', import.meta.url), 'utf8'));
  });
});
