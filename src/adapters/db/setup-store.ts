import type { SetupStore } from '../../app/first-start.ts';
import type { Database } from './database.ts';
import { lock } from './migrate.ts';
import { sharedSecret } from './secret-store.ts';

const SETUP_SECRET = 'setup_code';

/** The first start's storage: the code in app_secrets, the claim under the migration lock. */
export function makeSetupStore(db: Database): SetupStore {
  return {
    async hasArtisan() {
      return (await db.query('SELECT 1 FROM artisans LIMIT 1')).length > 0;
    },
    setupCode: (generate) => sharedSecret(db, SETUP_SECRET, generate),
    claim(a, nowMs) {
      return db.transaction(async (tx) => {
        // Same lock as migrations and the demo seed: two claims (or a claim and a seed) queue.
        await lock(tx);
        if ((await tx.query('SELECT 1 FROM artisans LIMIT 1')).length > 0) return false;
        const now = new Date(nowMs).toISOString();
        // A real artisan starts on the starter plan, closed every day, without services.
        await tx.query(
          `INSERT INTO artisans (id, display_name, trade, email, phone, timezone, plan, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'starter', $7, $7)`,
          [a.artisanId, a.displayName, a.trade, a.contactEmail, a.phone, a.timezone, now],
        );
        await tx.query(
          `INSERT INTO admin_users (id, artisan_id, email, password_hash, password_changed_at, created_at) VALUES ($1, $2, $3, $4, $5, $5)`,
          [a.userId, a.artisanId, a.signInEmail, a.passwordHash, now],
        );
        await tx.query('DELETE FROM app_secrets WHERE name = $1', [SETUP_SECRET]);
        return true;
      });
    },
  };
}
