import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../src/adapters/db/database.ts';
import { openPglite } from '../../src/adapters/db/pglite.ts';
import { openPgliteThread } from '../../src/adapters/db/pglite-thread.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import { TEST_DATA_DIR, adminUrl, templateNames } from './paths.ts';

export type Engine = 'pglite' | 'postgres';

/** The engines this run tests: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const ENGINES: Engine[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase {
  db: Database;
  /** A connection URL (postgres) or data directory (pglite) for starting other processes on it. */
  location: string;
  engine: Engine;
  destroy(): Promise<void>;
}

/** A fresh, migrated, empty database of the given engine, private to the caller. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const location = await createTestLocation(engine);
  const db = engine === 'pglite' ? await openEmbedded(location) : await openPostgres(location);
  return {
    db,
    location,
    engine,
    async destroy() {
      await db.close();
      await dropTestLocation(engine, location);
    },
  };
}

/**
 * In-process tests open PGlite on the main thread, which keeps the suite light on two cores;
 * TEST_PGLITE_THREAD=worker runs them through the worker-thread driver the service uses by
 * default (which test/pglite-thread.test.ts and the npm-start smoke tests cover anyway).
 */
function openEmbedded(dir: string): Promise<Database> {
  return process.env.TEST_PGLITE_THREAD === 'worker' ? openPgliteThread(dir) : openPglite(dir);
}

/**
 * A fresh migrated database for the tests of one describe block, created before them and
 * destroyed after them: `const t = databaseForSuite(engine)`, then `t.db` inside the tests.
 */
export function databaseForSuite(engine: Engine): { readonly db: Database } {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await createTestDatabase(engine);
  }, 60_000);
  afterAll(async () => {
    await current?.destroy();
  });
  return {
    get db() {
      if (!current) throw new Error('the suite database is not open yet');
      return current.db;
    },
  };
}

/** Creates the storage only (for tests that start the service as a separate process). */
export async function createTestLocation(engine: Engine): Promise<string> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(`${TEST_DATA_DIR}/db-`);
    cpSync(templateNames().pgliteDir, dir, { recursive: true });
    return dir;
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const name = `artisanconnect_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl(url) });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateNames().pgDatabase}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** An empty (not migrated) database on the test server; drop it with `dropTestLocation('postgres', url)`. */
export async function createEmptyServerDatabase(prefix = 'artisanconnect_empty'): Promise<string> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl(url) });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropTestLocation(engine: Engine, location: string): Promise<void> {
  if (engine === 'pglite') {
    rmSync(location, { recursive: true, force: true });
    return;
  }
  const url = process.env.TEST_DATABASE_URL!;
  const admin = new pg.Client({ connectionString: adminUrl(url) });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${new URL(location).pathname.slice(1)} WITH (FORCE)`);
  await admin.end();
}

/** Empties the booking side between tests; the artisan, rules and services stay. */
/**
 * Whether a statement is the business directory's own (src/adapters/db/business-directory-store.ts):
 * which business an address names, and the stamp it rechecks at most once a second. Tests that
 * count a route's round trips leave these out: the directory keeps its answers a few seconds, so
 * whether a request pays for one depends on the test machine's speed, not on the route.
 */
export const isDirectoryRead = (text: string): boolean => /business_directory_stamp|"?unconfirmed_since"? is null/i.test(text);

export async function resetBookings(db: Database): Promise<void> {
  await db.exec(`TRUNCATE outbox, mailbox, notification_deliveries, booking_events, payment_events, busy_blocks, idempotency_keys, schedule_exceptions, booking_consents, calendar_exports, calendar_remote_events, calendar_connections, booking_notes, customer_notes, due_visits, completion_reports, maintenance_opt_outs, bookings`);
}

/** Adds an imported calendar event (an external busy block) for the demo artisan. */
export async function insertCalendarBlock(
  db: Database,
  block: { start: string; end: string; summary?: string; provider?: string },
): Promise<void> {
  await db.query(
    `INSERT INTO busy_blocks (id, artisan_id, provider_id, source, summary, starts_at, ends_at)
     SELECT $1, id, $2, 'external', $3, $4, $5 FROM artisans LIMIT 1`,
    [randomUUID(), block.provider ?? 'google', block.summary ?? 'Chantier privé', block.start, block.end],
  );
}
