import { join } from 'node:path';

export const TEST_DATA_DIR = join(process.cwd(), '.test-data');

/**
 * Templates are private to one test run (named after the run's process id, handed to the
 * test workers through the environment), so two runs side by side never share one.
 */
export function templateNames(runId = process.env.AC_TEST_RUN_ID ?? String(process.pid)) {
  return {
    pgliteDir: join(TEST_DATA_DIR, `pglite-template-${runId}`),
    pgDatabase: `artisanconnect_tpl_${runId}`,
  };
}

/** The server's maintenance connection (same server, database "postgres"). */
export function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}
