import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { PaymentSettingsStore } from '../../../app/ports/payment-settings-store.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { adminErrors } from '../admin-schemas.ts';
import { StringEnum } from '../schemas.ts';

const PaymentSettingsDto = Type.Object({
  captureStrategy: StringEnum(['capture', 'authorize'] as const, {
    description:
      "capture : l'acompte est encaissé à la réservation (défaut). authorize : il est seulement autorisé, puis encaissé au début du rendez-vous (au-delà de 7 jours, encaissé à la réservation : une autorisation de carte ne dure qu'environ 7 jours).",
  }),
  provider: StringEnum(['stripe', 'simulated'] as const),
});

/** The artisan's capture strategy (paths relative to /api/admin). Applies to bookings made after the change. */
export function adminPaymentSettingsRoutes(deps: { settings: PaymentSettingsStore; provider: 'stripe' | 'simulated' }): AdminRoutes {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/payment-settings',
      { config: { adminAccess: 'settings' }, schema: { summary: "Encaissement de l'acompte", response: { 200: PaymentSettingsDto, ...adminErrors(401) } } },
      async (request) => ({ captureStrategy: await deps.settings.read(request.admin.artisanId), provider: deps.provider }),
    );
    app.patch(
      '/payment-settings',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: "Changer l'encaissement de l'acompte",
          description: 'Vaut pour les réservations prises ensuite ; les acomptes déjà pris gardent leur mode.',
          body: Type.Object({ captureStrategy: PaymentSettingsDto.properties.captureStrategy }, { additionalProperties: false }),
          response: { 200: PaymentSettingsDto, ...adminErrors(400, 401, 403) },
        },
      },
      async (request) => {
        await deps.settings.write(request.admin.artisanId, request.body.captureStrategy);
        return { captureStrategy: await deps.settings.read(request.admin.artisanId), provider: deps.provider };
      },
    );
  };
}
