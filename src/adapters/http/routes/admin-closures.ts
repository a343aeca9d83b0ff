import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { makeAgendaClosures } from '../../../app/agenda-closures.ts';
import type { ClosureFlow, ClosureInput } from '../../../app/closure-flow.ts';
import { ValidationError } from '../../../domain/errors.ts';
import { formatInstant } from '../../../domain/time.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { presentBookingSummary, presentBusyBlock } from '../admin-presenters.ts';
import { BookingSummaryDto, BusyBlockBody, BusyBlockDto, ExceptionBody, ExceptionDto, adminErrors } from '../admin-schemas.ts';
import { DateString, PRINTABLE, StringEnum, TimeString } from '../schemas.ts';

const ClosureBody = Type.Object(
  { ...Type.Partial(ExceptionBody).properties, ...Type.Partial(BusyBlockBody).properties },
  {
    description:
      'Une fermeture du jour `date` (`closed: true`, ou `ranges` : horaires exceptionnels), ou des congés de `startDateTime` à `endDateTime` (`summary`, « Congés » par défaut).',
  },
);

const Action = StringEnum(['keep', 'move', 'cancel'] as const, {
  description: 'keep : garder ; move : déplacer (newDate, newTime), le client est prévenu ; cancel : annuler avec remboursement intégral, le client est prévenu',
});

const ProposalDto = Type.Object({ date: Type.String(), time: Type.String(), startDateTime: Type.String() });
const ConcernedDto = Type.Object({ ...BookingSummaryDto.properties, serviceId: Type.String(), proposals: Type.Array(ProposalDto, { description: 'Les prochains créneaux libres hors fermeture' }) });
const OutcomeDto = Type.Object({
  publicCode: Type.String(),
  action: Action,
  done: Type.Boolean(),
  startDateTime: Type.Optional(Type.String({ description: 'Déplacée : le nouveau début' })),
  refundCents: Type.Optional(Type.Integer({ description: 'Annulée : remboursé au client' })),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

const MarkDto = Type.Object({
  date: Type.String(),
  kind: StringEnum(['closed', 'special_hours', 'time_off', 'holiday'] as const),
  label: Type.Optional(Type.String({ description: 'Nom du jour férié, libellé des congés' })),
  ranges: Type.Optional(Type.Array(Type.Object({ start: Type.String(), end: Type.String() }), { description: 'Heures locales concernées quand ce n’est pas toute la journée' })),
  closed: Type.Optional(Type.Boolean({ description: 'Jour férié : fermé ou ouvert' })),
});

function closureOf(body: { date?: string; closed?: boolean; ranges?: { startMinutes: number; endMinutes: number }[]; startDateTime?: string; endDateTime?: string; summary?: string }): ClosureInput {
  if (body.date !== undefined && body.startDateTime === undefined && body.endDateTime === undefined) return { date: body.date, closed: body.closed, ranges: body.ranges };
  if (body.date === undefined && body.startDateTime !== undefined && body.endDateTime !== undefined) {
    return { startDateTime: body.startDateTime, endDateTime: body.endDateTime, summary: body.summary ?? 'Congés' };
  }
  throw new ValidationError([{ field: 'date', message: 'Indiquez soit un jour (`date`), soit des congés (`startDateTime` et `endDateTime`).' }]);
}

/** The one flow for closing over bookings, and what the agenda marks on its days (paths relative to /api/admin). */
export function adminClosureRoutes(deps: { closures: ClosureFlow; agendaClosures: ReturnType<typeof makeAgendaClosures> }): AdminRoutes {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/closures/preview',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Avant de fermer : les rendez-vous concernés et les prochains créneaux libres',
          description: 'N’enregistre rien. Chaque rendez-vous confirmé ou déplacé que la fermeture recouvre, avec jusqu’à trois créneaux libres pour le déplacer (le premier diffère d’un rendez-vous à l’autre).',
          body: ClosureBody,
          response: { 200: Type.Object({ bookings: Type.Array(ConcernedDto) }), ...adminErrors(400, 401) },
        },
      },
      async (request) => {
        const { timezone, bookings } = await deps.closures.preview(request.admin.artisanId, closureOf(request.body));
        return {
          bookings: bookings.map((b) => ({
            ...presentBookingSummary(b, timezone),
            serviceId: b.serviceId,
            proposals: b.proposals.map((p) => ({ date: p.date, time: p.time, startDateTime: formatInstant(p.startMs, timezone) })),
          })),
        };
      },
    );

    app.post(
      '/closures',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Fermer un jour ou prendre des congés, avec un choix pour chaque rendez-vous concerné',
          description:
            'Enregistre la fermeture (comme POST /exceptions ou /busy-blocks), puis applique `bookings` : garder, déplacer (le client reçoit l’e-mail du déplacement) ou annuler avec remboursement intégral (le client est prévenu). Un rendez-vous concerné absent de `bookings` est gardé. Un déplacement ou une annulation impossible est signalé dans `bookings[].error`, la fermeture restant enregistrée.',
          body: Type.Object({
            closure: ClosureBody,
            bookings: Type.Optional(
              Type.Array(
                Type.Object({
                  publicCode: Type.String({ maxLength: 20, pattern: PRINTABLE }),
                  action: Action,
                  newDate: Type.Optional(DateString),
                  newTime: Type.Optional(TimeString),
                  reason: Type.Optional(Type.String({ maxLength: 500, pattern: PRINTABLE, description: 'Annulation : motif transmis au client' })),
                }),
                { maxItems: 500 },
              ),
            ),
          }),
          response: {
            201: Type.Object({ exception: Type.Optional(ExceptionDto), busyBlock: Type.Optional(BusyBlockDto), bookings: Type.Array(OutcomeDto) }),
            ...adminErrors(400, 401, 409),
          },
        },
      },
      async (request, reply) => {
        const saved = await deps.closures.save(request.admin.artisanId, { closure: closureOf(request.body.closure), bookings: request.body.bookings }, request.admin.actor);
        return reply.status(201).send({
          ...(saved.exception ? { exception: saved.exception } : {}),
          ...(saved.busyBlock ? { busyBlock: presentBusyBlock(saved.busyBlock, saved.timezone) } : {}),
          bookings: saved.outcomes.map((o) => ({
            publicCode: o.publicCode,
            action: o.action,
            done: o.done,
            ...(o.startMs !== undefined ? { startDateTime: formatInstant(o.startMs, saved.timezone) } : {}),
            ...(o.refundCents !== undefined ? { refundCents: o.refundCents } : {}),
            ...(o.error ? { error: o.error } : {}),
          })),
        });
      },
    );

    app.get(
      '/agenda/closures',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Fermetures, congés et jours fériés des jours `from`..`to` (ce que l’agenda affiche)',
          description: 'Au plus 62 jours. Les congés sont ceux saisis à la main ; les jours fériés sont ceux de France métropolitaine.',
          querystring: Type.Object({ from: DateString, to: DateString }),
          response: { 200: Type.Object({ marks: Type.Array(MarkDto) }), ...adminErrors(400, 401) },
        },
      },
      async (request) => ({ marks: await deps.agendaClosures(request.admin.artisanId, request.query) }),
    );
  };
}
