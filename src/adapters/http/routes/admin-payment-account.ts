import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../../../domain/errors.ts';
import type { ConnectStatus, PaymentAccounts } from '../../../app/payment-accounts.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { adminErrors } from '../admin-schemas.ts';

const PaymentAccountDto = Type.Object({
  connect: Type.Boolean({ description: 'Stripe Connect : les acomptes vont sur le compte Stripe de l’entreprise, à connecter ici.' }),
  account: Type.Union([
    Type.Object({
      accountId: Type.String({ description: 'Le compte Stripe connecté (acct_…)' }),
      detailsSubmitted: Type.Boolean({ description: 'Le formulaire d’inscription de Stripe est rempli' }),
      chargesEnabled: Type.Boolean({ description: 'Stripe autorise les paiements par carte : les acomptes sont pris en ligne' }),
      updatedAt: Type.String({ description: 'Dernière nouvelle de Stripe sur ce compte (ISO 8601)' }),
    }),
    Type.Null(),
  ]),
});

const present = (connect: boolean, status: ConnectStatus) => ({
  connect,
  account: status.account
    ? {
        accountId: status.account.accountId,
        detailsSubmitted: status.account.detailsSubmitted,
        chargesEnabled: status.account.chargesEnabled,
        updatedAt: new Date(status.account.updatedMs).toISOString(),
      }
    : null,
});

/**
 * The business's own Stripe account (Stripe Connect; paths relative to /api/admin). Without
 * Connect (own keys, simulated payments) the state says so and there is nothing to connect.
 */
export function adminPaymentAccountRoutes(deps: { accounts: PaymentAccounts | undefined }): AdminRoutes {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/payment-account',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Mon compte Stripe (Stripe Connect)',
          description: 'refresh=true relit son état chez Stripe (au retour du formulaire d’inscription).',
          querystring: Type.Object({ refresh: Type.Optional(Type.Boolean()) }),
          response: { 200: PaymentAccountDto, ...adminErrors(401, 503) },
        },
      },
      async (request) => {
        if (!deps.accounts) return { connect: false, account: null };
        return present(true, await deps.accounts.status(request.admin.artisanId, { refresh: request.query.refresh === true }));
      },
    );
    app.post(
      '/payment-account/onboarding',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Connecter mon compte Stripe : lien vers le formulaire de Stripe',
          description:
            "Crée le compte Stripe de l'entreprise s'il n'existe pas, puis un lien à usage unique vers le formulaire d'inscription de Stripe (Account Link), qui ramène ensuite à l'écran Paiements.",
          response: { 200: Type.Object({ url: Type.String(), expiresAt: Type.String() }), ...adminErrors(401, 403, 404, 503) },
        },
      },
      async (request) => {
        // Own keys or simulated payments: there is no account to connect.
        if (!deps.accounts) throw new NotFoundError('NOT_FOUND', 'Les comptes Stripe des entreprises ne sont pas utilisés sur ce service (STRIPE_MODE=connect).');
        const link = await deps.accounts.startOnboarding(request.admin.artisanId);
        return { url: link.url, expiresAt: new Date(link.expiresMs).toISOString() };
      },
    );
  };
}
