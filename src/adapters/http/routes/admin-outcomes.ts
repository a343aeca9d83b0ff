import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { BookingOutcomes } from '../../../app/booking-outcome.ts';
import type { DueVisits } from '../../../app/due-visits.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { AddressDto, CodeParams, StringEnum, errorResponses } from '../schemas.ts';
import { AdminBookingDto, presentAdminBooking } from './admin-bookings.ts';

const DueVisitDto = Type.Object({
  id: Type.String(),
  serviceId: Type.String(),
  serviceName: Type.String(),
  previousBookingCode: Type.String({ description: 'La réservation réalisée dont cette visite est la suivante' }),
  dueOn: Type.String({ description: 'Date d’échéance locale (AAAA-MM-JJ) : date de la visite réalisée plus l’intervalle' }),
  intervalMonths: Type.Integer(),
  status: StringEnum(['due', 'closed'] as const),
  customer: Type.Object({
    name: Type.String(),
    email: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String()),
    address: Type.Optional(AddressDto),
  }),
});

/**
 * Maintenance contracts (issue 22): the outcome of an appointment, the bookings left to close
 * and the visits falling due.
 */
export function adminOutcomeRoutes(deps: { outcomes: BookingOutcomes; dueVisits: DueVisits }): AdminRoutes {
  return async (root) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/bookings/:publicCode/outcome',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Enregistrer l’issue d’un rendez-vous commencé : intervention réalisée ou client absent',
          description:
            'À partir de l’heure de début (409 BOOKING_NOT_STARTED avant). `completed` : l’intervention est faite ; `no_show` : le client était absent, l’acompte reste acquis. ' +
            'Ensuite le rendez-vous ne peut plus être annulé ni déplacé (409 BOOKING_CLOSED) ; la même issue envoyée deux fois ne change rien. ' +
            'Une prestation avec un intervalle d’entretien dont le client a accepté qu’on lui propose le prochain ouvre une visite à prévoir (GET /api/admin/due-visits).',
          params: CodeParams,
          body: Type.Object({ outcome: StringEnum(['completed', 'no_show'] as const, { description: 'completed : intervention réalisée ; no_show : client absent' }) }),
          response: { 200: Type.Object({ booking: AdminBookingDto }), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ({
        booking: presentAdminBooking(
          await deps.outcomes.record({ artisanId: request.admin.artisanId, publicCode: request.params.publicCode, outcome: request.body.outcome, actor: request.admin.actor }),
        ),
      }),
    );

    app.get(
      '/to-close',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Rendez-vous à clôturer : terminés depuis plus de 48 h sans issue enregistrée',
          description: 'Les plus anciens d’abord (200 au plus).',
          response: { 200: Type.Object({ bookings: Type.Array(AdminBookingDto) }), ...errorResponses(401) },
        },
      },
      async (request) => ({ bookings: (await deps.outcomes.toClose(request.admin.artisanId)).map(presentAdminBooking) }),
    );

    app.get(
      '/due-visits',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Entretiens à prévoir : les visites arrivées à échéance ou à venir, par date',
          description: 'Une visite s’ouvre quand un rendez-vous d’une prestation avec intervalle est marqué réalisé et que le client a coché « Me proposer le prochain entretien ». Rien n’est réservé d’avance.',
          response: { 200: Type.Object({ dueVisits: Type.Array(DueVisitDto) }), ...errorResponses(401) },
        },
      },
      async (request) => ({ dueVisits: await deps.dueVisits.list(request.admin.artisanId) }),
    );
  };
}
