import type { DepositCapture } from '../../domain/artisan-settings.ts';
import type { PaymentSettingsStore } from '../../app/ports/payment-settings-store.ts';
import type { Database } from './database.ts';
import { sql } from 'kysely';
import { first, qb, run } from './kysely.ts';

/** The CHECK on artisans.deposit_capture (migration 0013) admits only these two. */
const storedCapture = (v: string): DepositCapture => (v === 'authorize' ? 'authorize' : 'capture');

export function makePaymentSettingsStore(db: Database): PaymentSettingsStore {
  return {
    async read(artisanId) {
      const r = await first(db, qb.selectFrom('artisans').select('deposit_capture').where('id', '=', artisanId));
      return r ? storedCapture(r.deposit_capture) : 'capture';
    },
    async write(artisanId, capture) {
      // The first choice is the one the checklist records; later changes keep its date.
      await run(
        db,
        qb
          .updateTable('artisans')
          .set({ deposit_capture: capture, payments_chosen_at: sql<Date>`coalesce(payments_chosen_at, now())` })
          .where('id', '=', artisanId),
      );
    },
    async chosen(artisanId) {
      const r = await first(db, qb.selectFrom('artisans').select('payments_chosen_at').where('id', '=', artisanId));
      return r?.payments_chosen_at != null;
    },
  };
}
