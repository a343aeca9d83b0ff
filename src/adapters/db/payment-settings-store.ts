import type { DepositCapture, PaymentSettingsStore } from '../../app/ports.ts';
import type { Database } from './database.ts';

export function makePaymentSettingsStore(db: Database): PaymentSettingsStore {
  return {
    async read(artisanId) {
      const rows = await db.query<{ c: DepositCapture }>(`SELECT deposit_capture AS c FROM artisans WHERE id = $1`, [artisanId]);
      return rows[0]?.c ?? 'capture';
    },
    async write(artisanId, capture) {
      await db.query(`UPDATE artisans SET deposit_capture = $2 WHERE id = $1`, [artisanId, capture]);
    },
  };
}
