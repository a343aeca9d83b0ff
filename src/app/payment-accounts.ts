import { ConflictError, UnavailableError } from '../domain/errors.ts';
import { phoneForReading } from '../domain/phone-format.ts';
import type { Clock } from './ports/clock.ts';
import type { ConnectedAccount, ConnectProvider, PaymentAccountStore } from './ports/payment-accounts.ts';
import { PaymentUnavailableError } from './ports/payments.ts';
import type { SettingsStore } from './ports/settings-store.ts';

/** What the Paiements screen shows: the business's connected account, if any, and its state. */
export interface ConnectStatus {
  account: (ConnectedAccount & { updatedMs: number }) | null;
}

/** The back office's Paiements screen, where Stripe's onboarding sends the artisan back. */
export const PAYMENTS_SCREEN_PATH = '/admin/paiements';

const stripeUnavailable = (cause: unknown): UnavailableError => {
  const error = new UnavailableError('PAYMENT_UNAVAILABLE', 'Stripe ne répond pas pour le moment. Merci de réessayer dans quelques minutes.');
  (error as { cause?: unknown }).cause = cause;
  return error;
};

/** A deposit asked of a business that cannot take one online (no connected account, or not enabled yet). */
export const depositsNotOnline = (phone: string | null): ConflictError =>
  new ConflictError(
    'DEPOSIT_NOT_ONLINE',
    `Cet artisan ne prend pas encore d’acompte en ligne : la réservation n’a pas été enregistrée et rien n’a été débité. ${
      phone ? `Appelez-le au ${phoneForReading(phone)} pour prendre rendez-vous.` : 'Contactez-le directement pour prendre rendez-vous.'
    }`,
  );

/**
 * Stripe Connect (STRIPE_MODE=connect): each business connects its own Stripe account from the
 * Paiements screen (Account Links) and takes deposits only once Stripe enables charges on it.
 */
export function makePaymentAccounts(deps: {
  store: PaymentAccountStore;
  connect: ConnectProvider;
  settings: Pick<SettingsStore, 'readArtisan'>;
  clock: Clock;
  publicBaseUrl: string;
}) {
  const ask = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof PaymentUnavailableError) throw stripeUnavailable(error);
      throw error;
    }
  };
  /** Stripe's word on the account, stored (the screen and the deposits go by it). */
  const refresh = async (artisanId: string, accountId: string) => {
    const account = await ask(() => deps.connect.retrieveAccount(accountId));
    await deps.store.save(artisanId, account, deps.clock.now());
    return deps.store.find(artisanId);
  };

  return {
    /** The account's state; `refresh` re-reads it from Stripe first (back from the onboarding). */
    async status(artisanId: string, options: { refresh?: boolean } = {}): Promise<ConnectStatus> {
      const known = await deps.store.find(artisanId);
      if (!known) return { account: null };
      return { account: (options.refresh ? await refresh(artisanId, known.accountId) : known) ?? null };
    },

    /** Creates the business's account when it has none, then a fresh onboarding link to it. */
    async startOnboarding(artisanId: string): Promise<{ url: string; expiresMs: number }> {
      let account = await deps.store.find(artisanId);
      if (!account) {
        const artisan = await deps.settings.readArtisan(artisanId);
        if (!artisan) throw new Error(`no artisan ${artisanId}`);
        const created = await ask(() =>
          deps.connect.createAccount({ idempotencyKey: `connect-account-${artisanId}`, email: artisan.email, businessName: artisan.displayName, artisanId }),
        );
        await deps.store.save(artisanId, created, deps.clock.now());
        account = await deps.store.find(artisanId);
      }
      const screen = new URL(PAYMENTS_SCREEN_PATH, deps.publicBaseUrl);
      const link = (stripe: string) => Object.assign(new URL(screen), { search: `?stripe=${stripe}` }).toString();
      return ask(() => deps.connect.onboardingLink({ accountId: account!.accountId, refreshUrl: link('lien-expire'), returnUrl: link('retour') }));
    },

    /** `account.updated`: Stripe's current state of the account, if it is this business's. */
    async accountUpdated(artisanId: string, accountId: string): Promise<string> {
      const known = await deps.store.find(artisanId);
      if (known?.accountId !== accountId) return 'other account';
      await refresh(artisanId, accountId);
      return 'account refreshed';
    },

    /** Webhook routing: the business owning the account an event happened on. */
    ownerOf: (accountId: string): Promise<string | undefined> => deps.store.ownerOf(accountId),

    /** The business's account for its deposits' Stripe-Account header. */
    accountOf: async (artisanId: string): Promise<string | undefined> => (await deps.store.find(artisanId))?.accountId,

    /** Refuses a deposit online when Stripe does not let the business take card payments yet. */
    async checkOnlineDeposits(artisanId: string): Promise<void> {
      if ((await deps.store.find(artisanId))?.chargesEnabled) return;
      throw depositsNotOnline((await deps.settings.readArtisan(artisanId))?.phone ?? null);
    },

    async acceptsDeposits(artisanId: string): Promise<boolean> {
      return (await deps.store.find(artisanId))?.chargesEnabled === true;
    },
  };
}

export type PaymentAccounts = ReturnType<typeof makePaymentAccounts>;
