import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../../src/adapters/db/database.ts';

/** Copies a business's rows of `table` to another business (same ids unless `newIds`). */
async function copyRows(q: Queryable, table: string, from: string, to: string, newIds: boolean): Promise<void> {
  const columns = (
    await q.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
      [table],
    )
  ).map((c) => c.name);
  const select = columns.map((c) => (c === 'artisan_id' ? '$2::uuid' : c === 'id' && newIds ? 'gen_random_uuid()' : c)).join(', ');
  await q.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${select} FROM ${table} WHERE artisan_id = $1`, [from, to]);
}

export interface TestBusiness {
  id: string;
  slug: string;
  /** An API token with every scope for the business's back office. */
  token: string;
  tokenId: string;
}

/**
 * A second business on the instance, made like the demo one (same time zone, hours and service
 * ids: two plumbers both offering `diag`), with its own address and API token. Sign-up builds
 * businesses through the product; this makes one in a single statement batch for the tests
 * that need two.
 */
export async function addBusiness(db: Database, like: string, slug: string, displayName: string): Promise<TestBusiness> {
  const id = randomUUID();
  const token = `ac_${randomBytes(24).toString('base64url')}`;
  const tokenId = randomUUID();
  await db.transaction(async (q) => {
    await q.query(
      `INSERT INTO artisans (id, display_name, trade, email, phone, timezone, plan, slug, terms_of_sale)
       SELECT $1, $2, trade, $3, phone, timezone, plan, $4, terms_of_sale FROM artisans WHERE id = $5`,
      [id, displayName, `contact@${slug}.fr`, slug, like],
    );
    await copyRows(q, 'services', like, id, false);
    await copyRows(q, 'schedule_rules', like, id, true);
    await q.query(
      `INSERT INTO api_tokens (id, artisan_id, name, token_hash, prefix, created_at, scopes)
       VALUES ($1, $2, 'Tests', $3, $4, now(), ARRAY['bookings:read','bookings:write','settings','calendars','export','webhooks:manage'])`,
      [tokenId, id, createHash('sha256').update(token).digest('hex'), token.slice(0, 8)],
    );
  });
  return { id, slug, token, tokenId };
}
