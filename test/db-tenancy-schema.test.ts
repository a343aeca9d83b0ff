import { describe, expect, it } from 'vitest';
import type { Queryable } from '../src/adapters/db/database.ts';
import { ENGINES, databaseForSuite } from './helpers/db.ts';

/**
 * Tenancy in the schema (issue 19): every table a business owns has `artisan_id` as the first
 * column of its primary key, every unique key and every foreign key between business tables
 * carries it, so that the schema can be distributed by business (docs/deployment.md). Read
 * from the live schema, on both engines.
 */

/** Tables that belong to the instance, not to a business, and why. */
const INSTANCE_TABLES: Record<string, string> = {
  schema_migrations: 'which migrations ran: the instance schema',
  schema_functions: 'which SQL function files ran: the instance schema',
  app_secrets: 'instance keys (manage-link signing, setup codes): never a business row',
  artisans: 'the business accounts themselves: their id is the distribution key',
  operator_users: "the operator's accounts: the company running the instance, above every business",
  operator_sessions: "the operator's sign-ins",
  operator_audit: "what the operator did to businesses (suspend, plan): the instance's own log",
  operator_password_resets: "the operator's reset links",
  signup_invites: 'sign-up invitations issued by the operator: they exist before their business does',
  business_directory_stamp: "one counter moved when any business's address changes: every instance drops the addresses it kept",
};

/**
 * Unique keys that must hold across the instance, because they find the business before it is
 * known (a booking code and e-mail, a token, a sign-in, an address). Under Citus they become
 * reference tables mapping the key to its business.
 */
const INSTANCE_UNIQUE: ReadonlySet<string> = new Set([
  'bookings(public_code)',
  'api_tokens(token_hash)',
  'calendar_feeds(token_hash)',
  'admin_users(email)',
  'admin_sessions(token_hash)',
  'artisans(slug)',
  'artisans(host_name)',
]);

interface Key {
  table: string;
  kind: 'p' | 'u' | 'f';
  columns: string[];
  references: string | null;
}

async function keys(db: Queryable): Promise<Key[]> {
  // Constraints, and unique indexes that are not constraints (CREATE UNIQUE INDEX).
  const rows = await db.query<{ table: string; kind: 'p' | 'u' | 'f'; columns: string[]; references: string | null }>(`
    SELECT c.conrelid::regclass::text AS table, c.contype AS kind,
           array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS columns,
           CASE WHEN c.contype = 'f' THEN c.confrelid::regclass::text END AS references
      FROM pg_constraint c
     WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('p', 'u', 'f')
    UNION ALL
    SELECT i.indrelid::regclass::text, 'u',
           array(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o)::text[], NULL
      FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
     WHERE x.relnamespace = 'public'::regnamespace AND i.indisunique AND NOT i.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))`);
  return rows.map((r) => ({ ...r, columns: [...r.columns] }));
}

async function tables(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** What breaks the rules, in words: empty when the schema is tenant-keyed. */
async function tenancyProblems(db: Queryable): Promise<string[]> {
  const problems: string[] = [];
  const all = await keys(db);
  for (const table of await tables(db)) {
    if (table in INSTANCE_TABLES) continue;
    const pk = all.find((k) => k.table === table && k.kind === 'p');
    if (!pk) problems.push(`${table}: no primary key`);
    else if (pk.columns[0] !== 'artisan_id') problems.push(`${table}: primary key (${pk.columns.join(', ')}) does not start with artisan_id`);
  }
  for (const k of all) {
    if (k.table in INSTANCE_TABLES) continue;
    const name = `${k.table}(${k.columns.join(', ')})`;
    if (k.kind === 'u' && !k.columns.includes('artisan_id') && !INSTANCE_UNIQUE.has(name)) problems.push(`${name}: unique without artisan_id`);
    if (k.kind === 'f' && k.references !== 'artisans' && !(k.references! in INSTANCE_TABLES) && k.columns[0] !== 'artisan_id') {
      problems.push(`${name} → ${k.references}: foreign key without artisan_id`);
    }
  }
  return problems;
}

describe.each(ENGINES)('tenancy in the live schema on %s', (engine) => {
  const t = databaseForSuite(engine);

  it('every business table is keyed by artisan_id first; every unique and foreign key carries it', async () => {
    expect(await tenancyProblems(t.db)).toEqual([]);
    // The allow-list names tables that exist: a renamed table cannot hide behind a stale entry.
    const present = await tables(t.db);
    for (const table of Object.keys(INSTANCE_TABLES)) expect(present, table).toContain(table);
    // Services are the business's own ids: two businesses may both have `diag`.
    const servicesPk = (await keys(t.db)).find((k) => k.table === 'services' && k.kind === 'p');
    expect(servicesPk?.columns).toEqual(['artisan_id', 'id']);
  });

  it('the check fails for a table, a unique key or a reference that forgets the business', async () => {
    await t.db.transaction(async (tx) => {
      await tx.exec(`CREATE TABLE forgetful_notes (id uuid PRIMARY KEY, artisan_id uuid NOT NULL, booking_id uuid, body text)`);
      await tx.exec(`ALTER TABLE bookings ADD CONSTRAINT bookings_customer_email_key UNIQUE (customer_email)`);
      await tx.exec(`CREATE TABLE booking_tags (artisan_id uuid, booking_id uuid, tag text, PRIMARY KEY (artisan_id, booking_id, tag))`);
      await tx.exec(`CREATE UNIQUE INDEX bookings_any_id ON bookings (id)`);
      await tx.exec(`ALTER TABLE booking_tags ADD CONSTRAINT booking_tags_booking FOREIGN KEY (booking_id) REFERENCES bookings (id)`);
      const problems = await tenancyProblems(tx);
      expect(problems).toEqual(
        expect.arrayContaining([
          'forgetful_notes: primary key (id) does not start with artisan_id',
          'bookings(customer_email): unique without artisan_id',
          'bookings(id): unique without artisan_id',
          'booking_tags(booking_id) → bookings: foreign key without artisan_id',
        ]),
      );
      // Undo the broken schema: the transaction rolls back on the way out.
      throw new Error('rollback');
    }).catch((error: unknown) => {
      if (!(error instanceof Error) || error.message !== 'rollback') throw error;
    });
    expect(await tenancyProblems(t.db)).toEqual([]);
  });
});
