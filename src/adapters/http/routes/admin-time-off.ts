import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { makeTimeOff } from '../../../app/time-off.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { presentBookingSummary, presentBusyBlock } from '../admin-presenters.ts';
import {
  BookingSummaryDto,
  BusyBlockBody,
  BusyBlockDto,
  DateRangeQuery,
  IdParams,
  adminErrors,
} from '../admin-schemas.ts';

/** Time off entered by hand, and calendar blocks to look at (paths relative to /api/admin). */
export function adminTimeOffRoutes(deps: { timeOff: ReturnType<typeof makeTimeOff> }): AdminRoutes {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/busy-blocks',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Indisponibilités (congés saisis et calendriers importés)',
          description: "Celles qui touchent les jours `from`..`to` (par défaut d'aujourd'hui à la fin de l'horizon).",
          querystring: DateRangeQuery,
          response: { 200: Type.Object({ busyBlocks: Type.Array(BusyBlockDto) }), ...adminErrors(400, 401) },
        },
      },
      async (request) => {
        const { timezone, blocks } = await deps.timeOff.list(request.admin.artisanId, request.query);
        return { busyBlocks: blocks.map((b) => presentBusyBlock(b, timezone)) };
      },
    );

    app.post(
      '/busy-blocks',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Bloquer du temps à la main (congé, chantier…)',
          description:
            'Enregistrée avec providerId « manual », elle bloque les créneaux comme un événement de calendrier (avec `memberId`, offre Business : ceux de ce technicien seulement). Elle peut recouvrir des réservations existantes : la réponse les liste dans `overlappingBookings` pour les déplacer.',
          body: BusyBlockBody,
          response: {
            201: Type.Object({ busyBlock: BusyBlockDto, overlappingBookings: Type.Array(BookingSummaryDto) }),
            ...adminErrors(400, 401, 404),
          },
        },
      },
      async (request, reply) => {
        const { timezone, block, overlappingBookings } = await deps.timeOff.create(request.admin.artisanId, request.body);
        return reply.status(201).send({
          busyBlock: presentBusyBlock(block, timezone),
          overlappingBookings: overlappingBookings.map((b) => presentBookingSummary(b, timezone)),
        });
      },
    );

    app.delete(
      '/busy-blocks/:id',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Supprimer une indisponibilité saisie à la main',
          description: 'Les événements importés des calendriers ne se suppriment pas ici (404).',
          params: IdParams,
          response: { 204: Type.Null({ description: 'Supprimée' }), ...adminErrors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        await deps.timeOff.remove(request.admin.artisanId, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
