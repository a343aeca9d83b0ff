import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { makeAdminServices } from '../../../app/admin-services.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { presentAdminService } from '../admin-presenters.ts';
import { DEFAULT_REFUND_POLICY } from '../../../domain/refund-policy.ts';
import { AdminServiceRef, RefundPolicyRef, ServiceCreateBody, ServiceParams, ServicePatchBody, adminErrors } from '../admin-schemas.ts';

/** The artisan's catalogue, archived services included (paths relative to /api/admin). */
export function adminServicesRoutes(deps: { services: ReturnType<typeof makeAdminServices> }): AdminRoutes {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const one = Type.Object({ service: AdminServiceRef });

    app.get(
      '/services',
      {
        config: { adminAccess: 'services:read' },
        schema: {
          summary: 'Toutes les prestations (archivées comprises)',
          description: 'Avec la politique de remboursement par défaut, celle des prestations dont `refundPolicy` est null.',
          response: { 200: Type.Object({ services: Type.Array(AdminServiceRef), defaultRefundPolicy: RefundPolicyRef }), ...adminErrors(401) },
        },
      },
      async (request) => ({
        services: (await deps.services.list(request.admin.artisanId)).map(presentAdminService),
        defaultRefundPolicy: DEFAULT_REFUND_POLICY,
      }),
    );

    app.get(
      '/services/:id',
      { config: { adminAccess: 'services:read' }, schema: { summary: 'Une prestation', params: ServiceParams, response: { 200: one, ...adminErrors(400, 401, 404) } } },
      async (request) => ({ service: presentAdminService(await deps.services.get(request.admin.artisanId, request.params.id)) }),
    );

    app.post(
      '/services',
      {
        config: { adminAccess: 'services:write' },
        schema: {
          summary: 'Créer une prestation',
          description: "Sans `id`, l'identifiant est tiré du nom (« Pose de robinet » → pose-de-robinet) ; 409 s'il est déjà pris.",
          body: ServiceCreateBody,
          response: { 201: one, ...adminErrors(400, 401, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send({ service: presentAdminService(await deps.services.create(request.admin.artisanId, request.body)) }),
    );

    app.patch(
      '/services/:id',
      {
        config: { adminAccess: 'services:write' },
        schema: {
          summary: 'Modifier ou archiver une prestation',
          description:
            "Modification partielle ; `isActive: false` archive. Les réservations existantes gardent la durée, le prix, le taux d'acompte, la politique de remboursement et les temps de trajet de leur création.",
          params: ServiceParams,
          body: ServicePatchBody,
          response: { 200: one, ...adminErrors(400, 401, 404) },
        },
      },
      async (request) => ({ service: presentAdminService(await deps.services.update(request.admin.artisanId, request.params.id, request.body)) }),
    );

    app.delete(
      '/services/:id',
      {
        config: { adminAccess: 'services:write' },
        schema: {
          summary: "Supprimer une prestation jamais réservée",
          description: "409 SERVICE_HAS_BOOKINGS si elle a des réservations : l'archiver à la place.",
          params: ServiceParams,
          response: { 204: Type.Null({ description: 'Supprimée' }), ...adminErrors(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        await deps.services.remove(request.admin.artisanId, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
