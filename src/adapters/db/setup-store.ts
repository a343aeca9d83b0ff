import type { SetupStore } from '../../app/first-start.ts';
import type { Database } from './database.ts';
import { lock } from './migrate.ts';
import { first, qb, run } from './kysely.ts';
import { sharedSecret, storedSecret } from './secret-store.ts';

const SETUP_SECRET = 'setup_code';

/** The first start's storage: the code in app_secrets, the claim under the migration lock. */
export function makeSetupStore(db: Database): SetupStore {
  return {
    async hasArtisan() {
      return (await first(db, qb.selectFrom('artisans').select('id').limit(1))) !== undefined;
    },
    setupCode: (generate) => sharedSecret(db, SETUP_SECRET, generate),
    storedSetupCode: () => storedSecret(db, SETUP_SECRET),
    claim(a, nowMs) {
      return db.transaction(async (tx) => {
        // Same lock as migrations and the demo seed: two claims (or a claim and a seed) queue.
        await lock(tx);
        if ((await first(tx, qb.selectFrom('artisans').select('id').limit(1))) !== undefined) return false;
        const now = new Date(nowMs);
        // A real artisan starts on the starter plan, closed every day, without services.
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
            // Not chosen yet: the back office's checklist asks for it (migration 0028).
            payments_chosen_at: null,
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
        await run(tx, qb.deleteFrom('app_secrets').where('name', '=', SETUP_SECRET));
        return true;
      });
    },
  };
}
