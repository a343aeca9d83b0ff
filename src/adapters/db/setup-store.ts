import type { SetupStore } from '../../app/first-start.ts';
import type { Database } from './database.ts';
import { lock } from './migrate.ts';
import { first, qb, run } from './kysely.ts';
import { sharedSecret, storedSecret } from './secret-store.ts';
import { insertBusiness } from './business-store.ts';

const SETUP_SECRET = 'setup_code';
/**
 * A published business: a sign-up waiting for its confirmation (SIGNUP=open) does not take the
 * instance's first start away from whoever holds the setup code.
 */
const publishedBusiness = () => qb.selectFrom('artisans').select('id').where('unconfirmed_since', 'is', null).limit(1);

/** The first start's storage: the code in app_secrets, the claim under the migration lock. */
export function makeSetupStore(db: Database): SetupStore {
  return {
    async hasArtisan() {
      return (await first(db, publishedBusiness())) !== undefined;
    },
    setupCode: (generate) => sharedSecret(db, SETUP_SECRET, generate),
    storedSetupCode: () => storedSecret(db, SETUP_SECRET),
    claim(a, nowMs) {
      return db.transaction(async (tx) => {
        // Same lock as migrations and the demo seed: two claims (or a claim and a seed) queue.
        await lock(tx);
        if ((await first(tx, publishedBusiness())) !== undefined) return false;
        await insertBusiness(tx, a, nowMs);
        await run(tx, qb.deleteFrom('app_secrets').where('name', '=', SETUP_SECRET));
        return true;
      });
    },
  };
}
