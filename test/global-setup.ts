import { rmSync } from 'node:fs';
import pg from 'pg';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { migrate } from '../src/adapters/db/migrate.ts';
import { PGLITE_TEMPLATE_DIR, PG_TEMPLATE_DB, adminUrl } from './helpers/paths.ts';

/**
 * Builds, once per run, a migrated PGlite data directory (and a template database on the
 * PostgreSQL server when TEST_DATABASE_URL is set). Each test file then starts from a copy:
 * ~0.3 s instead of the 2–4 s a fresh PGlite costs.
 */
export default async function setup(): Promise<void> {
  rmSync(PGLITE_TEMPLATE_DIR, { recursive: true, force: true });
  const db = await openPglite(PGLITE_TEMPLATE_DIR);
  await migrate(db);
  await db.close();

  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const admin = new pg.Client({ connectionString: adminUrl(url) });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${PG_TEMPLATE_DB}`);
    await admin.end();
    const templateUrl = new URL(url);
    templateUrl.pathname = `/${PG_TEMPLATE_DB}`;
    const { openPostgres } = await import('../src/adapters/db/postgres.ts');
    const tdb = await openPostgres(templateUrl.toString());
    await migrate(tdb);
    await tdb.close();
  }
}
