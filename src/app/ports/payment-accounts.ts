/**
 * Stripe Connect: each business's own account at the payment provider, where its deposits go.
 * The store keeps which account is whose and its last known state; the provider creates
 * accounts, reads their state and makes the onboarding links.
 */

/** A connected account's state, as the provider says it. */
export interface ConnectedAccount {
  accountId: string;
  /** The business finished the provider's onboarding form. */
  detailsSubmitted: boolean;
  /** The provider lets the account take card payments: deposits can be taken online. */
  chargesEnabled: boolean;
}

export interface PaymentAccountStore {
  /** The business's account, if it has one. */
  find(artisanId: string): Promise<(ConnectedAccount & { updatedMs: number }) | undefined>;
  /** Records the business's account, or its new state (the account id never changes). */
  save(artisanId: string, account: ConnectedAccount, nowMs: number): Promise<void>;
  /** The business owning an account (webhook routing); undefined when none, or not exactly one. */
  ownerOf(accountId: string): Promise<string | undefined>;
}

export interface ConnectProvider {
  /** Creates the business's account (idempotent on the key: two clicks make one account). */
  createAccount(request: { idempotencyKey: string; email: string; businessName: string; artisanId: string }): Promise<ConnectedAccount>;
  retrieveAccount(accountId: string): Promise<ConnectedAccount>;
  /** A single-use link to the provider's onboarding form; `refreshUrl` when it expired, `returnUrl` at the end. */
  onboardingLink(request: { accountId: string; refreshUrl: string; returnUrl: string }): Promise<{ url: string; expiresMs: number }>;
}
