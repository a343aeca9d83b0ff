// `npm run db:types`: writes src/adapters/db/schema.ts, the row types of every table, from the
// schema the migrations make (on a fresh in-memory PGlite). Run it after adding a migration;
// test/db-schema-types.test.ts fails while the file differs from the live schema.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { migrate } from '../src/adapters/db/migrate.ts';
import { schemaTypes } from './db-types-generate.ts';

const out = fileURLToPath(new URL('../src/adapters/db/schema.ts', import.meta.url));
const db = await openPglite('memory://');
try {
  await migrate(db);
  writeFileSync(out, await schemaTypes(db));
  console.error(`Wrote ${out}`);
} finally {
  await db.close();
}
