import type { DepositCapture } from '../../domain/artisan-settings.ts';

/** The artisan's capture strategy, as the back office reads and sets it. */
export interface PaymentSettingsStore {
  read(artisanId: string): Promise<DepositCapture>;
  write(artisanId: string, capture: DepositCapture): Promise<void>;
}
