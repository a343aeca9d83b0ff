import type { PaymentAccountStore } from '../../app/ports/payment-accounts.ts';
import type { Database } from './database.ts';
import { first, qb, run } from './kysely.ts';

const PROVIDER = 'stripe';
const epoch = (v: Date | string): number => (v instanceof Date ? v.getTime() : Date.parse(v));

/** Each business's Stripe Connect account (migration 0032). */
export function makePaymentAccountStore(db: Database): PaymentAccountStore {
  return {
    async find(artisanId) {
      const row = await first(
        db,
        qb
          .selectFrom('payment_accounts')
          .select(['account_id', 'details_submitted', 'charges_enabled', 'updated_at'])
          .where('artisan_id', '=', artisanId)
          .where('provider', '=', PROVIDER),
      );
      return row
        ? { accountId: row.account_id, detailsSubmitted: row.details_submitted, chargesEnabled: row.charges_enabled, updatedMs: epoch(row.updated_at) }
        : undefined;
    },
    async save(artisanId, account, nowMs) {
      const state = { details_submitted: account.detailsSubmitted, charges_enabled: account.chargesEnabled, updated_at: new Date(nowMs) };
      // The business's first account stays its account: a state for another id changes nothing.
      await run(
        db,
        qb
          .insertInto('payment_accounts')
          .values({ artisan_id: artisanId, provider: PROVIDER, account_id: account.accountId, created_at: new Date(nowMs), ...state })
          .onConflict((oc) =>
            oc
              .columns(['artisan_id', 'provider'])
              .doUpdateSet(state)
              .where('payment_accounts.account_id', '=', account.accountId),
          ),
      );
    },
    async ownerOf(accountId) {
      // The one lookup not scoped by a business: it is how a webhook finds its business.
      const rows = await run(
        db,
        qb.selectFrom('payment_accounts').select('artisan_id').where('account_id', '=', accountId).where('provider', '=', PROVIDER).limit(2),
      );
      return rows.length === 1 ? rows[0]!.artisan_id : undefined;
    },
  };
}
