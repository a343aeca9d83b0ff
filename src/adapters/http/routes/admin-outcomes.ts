import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { BookingOutcomes } from '../../../app/booking-outcome.ts';
import { DUE_VISIT_STATES, type DueVisit, type DueVisits } from '../../../app/due-visits.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { AddressDto, CodeParams, StringEnum, errorResponses } from '../schemas.ts';
import { Uuid } from '../admin-schemas.ts';
import { AdminBookingDto, presentAdminBooking } from './admin-bookings.ts';
import { dueVisitsCsv } from './due-visits-csv.ts';

const DueVisitDto = Type.Object({
  id: Type.String(),
  serviceId: Type.String(),
  serviceName: Type.String(),
  previousBookingCode: Type.String({ description: 'La réservation réalisée dont cette visite est la suivante' }),
  dueOn: Type.String({ description: 'Date d’échéance locale (AAAA-MM-JJ) : date de la visite réalisée plus l’intervalle' }),
  intervalMonths: Type.Integer(),
  status: StringEnum(DUE_VISIT_STATES, {
    description:
      'due : à prévoir ; invited : invitation envoyée ; booked : le client a réservé la prestation depuis (une annulation la rend de nouveau à prévoir) ; overdue : échéance passée sans réservation ; declined : le client ne veut plus d’invitation ; closed : clôturée par le bureau',
  }),
  invitedAt: Type.Optional(Type.String({ format: 'date-time' })),
  remindedAt: Type.Optional(Type.String({ format: 'date-time' })),
  closedReason: Type.Optional(Type.String()),
  technician: Type.Optional(Type.Object({ id: Type.String(), name: Type.String() }, { description: 'Le technicien de la visite précédente' })),
  customer: Type.Object({
    name: Type.String(),
    email: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String()),
    address: Type.Optional(AddressDto),
  }),
});

const DueVisitQuery = Type.Object({
  month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'AAAA-MM' })),
  status: Type.Optional(StringEnum(DUE_VISIT_STATES)),
  zone: Type.Optional(Type.String({ pattern: '^[0-9AB]{1,5}$', description: 'Début du code postal (ex. 69)' })),
  technicianId: Type.Optional(Uuid),
});

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
function presentDueVisit(v: DueVisit) {
  const { invitedMs, remindedMs, ...rest } = v;
  return { ...rest, ...(invitedMs !== undefined ? { invitedAt: iso(invitedMs) } : {}), ...(remindedMs !== undefined ? { remindedAt: iso(remindedMs) } : {}) };
}

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
          description:
            'Une visite s’ouvre quand un rendez-vous d’une prestation avec intervalle est marqué réalisé et que le client a coché « Me proposer le prochain entretien ». Rien n’est réservé d’avance. ' +
            'Filtres : mois d’échéance (AAAA-MM), état, zone (début du code postal de l’adresse d’intervention), technicien de la visite précédente.',
          querystring: DueVisitQuery,
          response: { 200: Type.Object({ dueVisits: Type.Array(DueVisitDto) }), ...errorResponses(401) },
        },
      },
      async (request) => ({ dueVisits: (await deps.dueVisits.list(request.admin.artisanId, request.query)).map(presentDueVisit) }),
    );

    app.get(
      '/due-visits/export',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Entretiens à prévoir en CSV (mêmes filtres que la liste)',
          description: 'Séparateur « ; », encodage UTF-8 avec BOM (ouverture directe dans un tableur en français).',
          querystring: DueVisitQuery,
          response: { 200: { description: 'Le fichier CSV', type: 'string' }, ...errorResponses(400, 401) },
        },
      },
      async (request, reply) => {
        const visits = await deps.dueVisits.list(request.admin.artisanId, request.query);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="entretiens-a-prevoir${request.query.month ? `-${request.query.month}` : ''}.csv"`)
          .header('cache-control', 'no-store')
          .send(dueVisitsCsv(visits));
      },
    );

    const VisitParams = Type.Object({ id: Uuid });
    const one = { 200: Type.Object({ dueVisit: DueVisitDto }), ...errorResponses(400, 401, 403, 404, 409) };
    app.post(
      '/due-visits/:id/invite',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Inviter le client maintenant, à la main',
          description: 'Une nouvelle invitation part tout de suite (et son rappel 2 semaines après), à la place de celle prévue. 409 DUE_VISIT_NOT_INVITABLE si la visite est réservée, clôturée ou si le client a refusé les invitations.',
          params: VisitParams,
          response: one,
        },
      },
      async (request) => ({ dueVisit: presentDueVisit(await deps.dueVisits.inviteNow(request.admin.artisanId, request.params.id)) }),
    );
    app.patch(
      '/due-visits/:id',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Déplacer la date d’échéance',
          description: 'Une invitation pas encore partie suit la nouvelle date.',
          params: VisitParams,
          body: Type.Object({ dueOn: Type.String({ description: 'AAAA-MM-JJ' }) }),
          response: one,
        },
      },
      async (request) => ({ dueVisit: presentDueVisit(await deps.dueVisits.move(request.admin.artisanId, request.params.id, request.body.dueOn)) }),
    );
    app.post(
      '/due-visits/:id/close',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Clôturer un entretien à prévoir (client parti, contrat terminé)',
          description: 'Plus aucune invitation ne part pour cette visite.',
          params: VisitParams,
          body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200, description: 'Motif, pour le bureau' })) }),
          response: one,
        },
      },
      async (request) => ({ dueVisit: presentDueVisit(await deps.dueVisits.close(request.admin.artisanId, request.params.id, request.body.reason ?? '')) }),
    );
  };
}
