import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { MaintenanceLinks } from '../../../app/maintenance-links.ts';
import { AppError } from '../../../domain/errors.ts';
import { escapeHtml } from '../../notify/french-format.ts';
import { AddressDto, errorResponses } from '../schemas.ts';

const InvitedVisitDto = Type.Object({
  businessName: Type.String(),
  serviceId: Type.String(),
  serviceName: Type.String(),
  dueOn: Type.String({ description: 'Date d’échéance locale (AAAA-MM-JJ)' }),
  from: Type.String({ description: 'Premier jour proposé (AAAA-MM-JJ) : une semaine avant l’échéance, pas avant aujourd’hui' }),
  to: Type.String({ description: 'Dernier jour proposé d’abord (AAAA-MM-JJ)' }),
  customer: Type.Object({
    name: Type.String(),
    email: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String()),
    address: Type.Optional(AddressDto),
  }),
});

/** A small French page of its own: the opt-out works without the built front. */
function page(reply: FastifyReply, status: number, title: string, lines: string[]): FastifyReply {
  const body =
    `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>` +
    lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('') +
    `</main></body></html>`;
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

/**
 * The customer's side of maintenance invitations (issue 22 item 5), reached from the message
 * with no sign-in: the visit a link opens (the booking page fills its form from it) and the
 * one-click opt-out, a French page: following the link stops invitations at once.
 */
export function maintenanceRoutes(deps: {
  links: MaintenanceLinks;
  /** The completion report of the booking a manage link opens. */
  reportByToken: (token: string) => Promise<{ pdf: Buffer; fileName: string }>;
}) {
  return async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/api/maintenance/visit',
      {
        schema: {
          summary: 'Entretien proposé par une invitation : ce que la page de réservation préremplit',
          description: 'Le jeton vient du lien de l’invitation (paramètre `entretien` de la page de réservation). 400 INVITATION_LINK_INVALID pour un jeton altéré ou une visite qui n’existe plus.',
          querystring: Type.Object({ token: Type.String({ maxLength: 200 }) }),
          response: { 200: Type.Object({ visit: InvitedVisitDto }), ...errorResponses(400) },
        },
      },
      async (request) => {
        const v = await deps.links.open(request.query.token);
        return { visit: { businessName: v.businessName, serviceId: v.serviceId, serviceName: v.serviceName, dueOn: v.dueOn, from: v.from, to: v.to, customer: v.customer } };
      },
    );

    // Untyped reply: a Buffer is sent as is (the typed one expects the schema's string).
    root.get<{ Querystring: { token: string } }>(
      '/api/bookings/manage/report',
      {
        schema: {
          tags: ['Réservation'],
          summary: 'Télécharger le compte rendu d’intervention (PDF) avec son lien de gestion',
          description: 'Le jeton du lien de gestion reçu par e-mail. 404 REPORT_NOT_FOUND tant qu’aucun compte rendu n’est établi.',
          querystring: Type.Object({ token: Type.String({ maxLength: 400 }) }),
          response: { 200: { description: 'Le PDF', type: 'string', format: 'binary' }, ...errorResponses(400, 404, 410) },
        },
      },
      async (request, reply) => {
        const { pdf, fileName } = await deps.reportByToken(request.query.token);
        return reply.type('application/pdf').header('content-disposition', `attachment; filename="${fileName}"`).header('cache-control', 'private, no-store').send(pdf);
      },
    );

    const optOut = async (token: string | undefined, reply: FastifyReply): Promise<FastifyReply> => {
      try {
        const { businessName } = await deps.links.optOut(token ?? '');
        return page(reply, 200, 'Vous ne recevrez plus de propositions d’entretien', [
          `C’est noté : ${businessName} ne vous enverra plus d’invitation à prévoir votre prochain entretien, ni par e-mail ni par SMS.`,
          'Vos rendez-vous déjà réservés ne changent pas. Vous pourrez toujours réserver vous-même depuis la page de l’entreprise.',
        ]);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return page(reply, 400, 'Lien non valide', [error.message]);
      }
    };
    const hide = { hide: true, querystring: Type.Object({ jeton: Type.Optional(Type.String({ maxLength: 200 })) }) };
    app.get('/entretien/stop', { schema: hide }, async (request, reply) => optOut(request.query.jeton, reply));
  };
}
