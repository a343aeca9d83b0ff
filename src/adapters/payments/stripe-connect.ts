import type Stripe from 'stripe';
import type { ConnectedAccount, ConnectProvider } from '../../app/ports/payment-accounts.ts';
import { unavailable } from './stripe.ts';

/** A Stripe account's state, in the app's words. */
export const connectedAccountOf = (account: Stripe.Account): ConnectedAccount => ({
  accountId: account.id,
  detailsSubmitted: account.details_submitted === true,
  chargesEnabled: account.charges_enabled === true,
});

/**
 * Stripe Connect with the platform's keys: a connected account per business (Standard or
 * Express, in France, taking card payments), its state, and Account Links for its onboarding.
 */
export function makeStripeConnect(stripe: Stripe, options: { accountType: 'standard' | 'express' }): ConnectProvider {
  return {
    async createAccount(request) {
      try {
        const account = await stripe.accounts.create(
          {
            type: options.accountType,
            country: 'FR',
            email: request.email,
            business_profile: { name: request.businessName },
            ...(options.accountType === 'express' ? { capabilities: { card_payments: { requested: true }, transfers: { requested: true } } } : {}),
            metadata: { artisanId: request.artisanId },
          },
          { idempotencyKey: request.idempotencyKey },
        );
        return connectedAccountOf(account);
      } catch (error) {
        return unavailable(error);
      }
    },
    async retrieveAccount(accountId) {
      try {
        return connectedAccountOf(await stripe.accounts.retrieve(accountId));
      } catch (error) {
        return unavailable(error);
      }
    },
    async onboardingLink(request) {
      try {
        const link = await stripe.accountLinks.create({
          account: request.accountId,
          type: 'account_onboarding',
          refresh_url: request.refreshUrl,
          return_url: request.returnUrl,
        });
        return { url: link.url, expiresMs: link.expires_at * 1000 };
      } catch (error) {
        return unavailable(error);
      }
    },
  };
}
