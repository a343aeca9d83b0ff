import { describe, expect, it } from 'vitest';
import { loadFunctions } from '../src/adapters/db/migrate.ts';
import { ENGINES, databaseForSuite } from './helpers/db.ts';

/**
 * The live body of every SQL function is the one in src/adapters/db/functions/<name>.sql:
 * a reader of the code finds it there and nowhere else. The migrations wrote earlier bodies;
 * the files, applied after them, win.
 */
describe.each(ENGINES)('SQL function files on %s', (engine) => {
  const t = databaseForSuite(engine);

  it('every function of the schema (extensions aside) has its file, and runs the body written there', async () => {
    const live = await t.db.query<{ name: string; args: string; body: string }>(
      `SELECT p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args, p.prosrc AS body
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
        ORDER BY p.proname`,
    );
    const files = loadFunctions();
    // One definition per name: an overload left behind by a signature change would show here.
    expect(live.map((f) => f.name)).toEqual(files.map((f) => f.name));
    for (const file of files) {
      const body = /AS \$\$([\s\S]*)\$\$;/.exec(file.sql)?.[1];
      expect({ name: file.name, body: live.find((f) => f.name === file.name)?.body }).toEqual({ name: file.name, body });
    }
  });
});
