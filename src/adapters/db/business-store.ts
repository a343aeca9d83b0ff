import type { NewArtisan } from '../../app/first-start.ts';
import type { Queryable } from './database.ts';
import { qb, run } from './kysely.ts';

/**
 * The one place a business is written (first start and sign-up): its row and its owner's
 * sign-in, inside the caller's transaction. A new business starts on the starter plan, closed
 * every day, without services, the deposit's handling not chosen yet (the back office's
 * checklist asks for each).
 */
export async function insertBusiness(tx: Queryable, a: NewArtisan, nowMs: number, options: { slug?: string; unconfirmed?: boolean } = {}): Promise<void> {
  const now = new Date(nowMs);
  await run(
    tx,
    qb.insertInto('artisans').values({
      id: a.artisanId,
      display_name: a.displayName,
      trade: a.trade,
      email: a.contactEmail,
      phone: a.phone,
      timezone: a.timezone,
      plan: 'starter',
      slug: options.slug ?? null,
      // Not chosen yet: the back office's checklist asks for it (migration 0028).
      payments_chosen_at: null,
      unconfirmed_since: options.unconfirmed ? now : null,
      created_at: now,
      updated_at: now,
    }),
  );
  await run(
    tx,
    qb.insertInto('admin_users').values({
      id: a.userId,
      artisan_id: a.artisanId,
      email: a.signInEmail,
      password_hash: a.passwordHash,
      password_changed_at: now,
      created_at: now,
    }),
  );
}
