import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { makeGetAvailability } from '../../../app/get-availability.ts';
import { ValidationError } from '../../../domain/errors.ts';
import { parseLocalDate } from '../../../domain/time.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { presentExplainedAvailability } from '../admin-presenters.ts';
import { AdminAvailabilityQuery, ExplainedAvailabilityDto, adminErrors } from '../admin-schemas.ts';

/** The public availability computation, explained: who or what blocks each slot (decisions §4). */
export function adminAvailabilityRoutes(deps: { getAvailability: ReturnType<typeof makeGetAvailability> }): AdminRoutes {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/availability',
      {
        config: { adminAccess: 'availability:read' },
        schema: {
          summary: 'Disponibilités expliquées',
          description:
            "Le même calcul que la route publique, avec le détail de chaque blocage : code et résumé de la réservation, calendrier et intitulé de l'indisponibilité. Répond aussi pour une prestation archivée.",
          querystring: AdminAvailabilityQuery,
          response: { 200: ExplainedAvailabilityDto, ...adminErrors(400, 401, 404) },
        },
      },
      async (request) => {
        const date = parseLocalDate(request.query.date);
        if (!date) throw new ValidationError([{ field: 'date', message: "Cette date n'existe pas ou sort des années acceptées (1900 à 2999)." }]);
        const availability = await deps.getAvailability({ artisanId: request.admin.artisanId, serviceId: request.query.serviceId, date, asArtisan: true });
        return presentExplainedAvailability(availability);
      },
    );
  };
}
