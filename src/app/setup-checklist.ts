import type { PaymentSettingsStore } from './ports/payment-settings-store.ts';
import type { ServiceCatalog } from './ports/service-catalog.ts';
import type { SettingsStore } from './ports/settings-store.ts';
import { artisanNotFound } from './admin-settings.ts';

/** What the booking page still lacks before it can take a booking, item by item (true: done). */
export interface SetupChecklist {
  /** At least one weekly opening range: without one, every day is closed. */
  hours: boolean;
  /** At least one active service: the page has nothing to book otherwise. */
  service: boolean;
  /**
   * The artisan chose how deposits are taken (saved the Paiements screen), or every active
   * service is free of deposit, so there is nothing to take.
   */
  payments: boolean;
  /** All of the above: the page can take a booking. */
  ready: boolean;
}

/**
 * The one source of the setup's progress: the wizard resumes at the first step not done and the
 * agenda's checklist lists what is left, both from this (the server's state, not the browser's).
 */
export function makeSetupChecklist(deps: {
  settings: Pick<SettingsStore, 'readArtisan'>;
  services: Pick<ServiceCatalog, 'listServices'>;
  payments: Pick<PaymentSettingsStore, 'chosen'>;
}) {
  return async (artisanId: string): Promise<SetupChecklist> => {
    const [profile, services, chosen] = await Promise.all([
      deps.settings.readArtisan(artisanId),
      deps.services.listServices(artisanId),
      deps.payments.chosen(artisanId),
    ]);
    if (!profile) throw artisanNotFound();
    const active = services.filter((s) => s.isActive);
    const hours = profile.openingRules.length > 0;
    const service = active.length > 0;
    const payments = chosen || (service && active.every((s) => s.depositRate === 0));
    return { hours, service, payments, ready: hours && service && payments };
  };
}

export type ReadSetupChecklist = ReturnType<typeof makeSetupChecklist>;
