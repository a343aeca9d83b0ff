import type { DepositCapture } from '../../domain/artisan-settings.ts';

/** The artisan's capture strategy, as the back office reads and sets it. */
export interface PaymentSettingsStore {
  read(artisanId: string): Promise<DepositCapture>;
  /** Also records that the artisan has chosen (the setup checklist's "payments" item). */
  write(artisanId: string, capture: DepositCapture): Promise<void>;
  /** Whether the artisan has chosen how deposits are taken (saved the Paiements screen once). */
  chosen(artisanId: string): Promise<boolean>;
}
