import { join } from 'node:path';

export const TEST_DATA_DIR = join(process.cwd(), '.test-data');
export const PGLITE_TEMPLATE_DIR = join(TEST_DATA_DIR, 'pglite-template');
export const PG_TEMPLATE_DB = 'artisanconnect_test_template';

/** The server's maintenance connection (same server, database "postgres"). */
export function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}
