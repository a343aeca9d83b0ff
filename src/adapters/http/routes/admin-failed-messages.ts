import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FailedMessages } from '../../../app/failed-messages.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { adminErrors } from '../admin-schemas.ts';
import { PRINTABLE, StringEnum } from '../schemas.ts';

const FailedMessageDto = Type.Object({
  id: Type.String(),
  bookingCode: Type.String(),
  customerName: Type.String(),
  bookingStartDateTime: Type.String({ description: 'ISO 8601 (UTC)' }),
  kind: StringEnum(['confirmed', 'cancelled', 'rescheduled', 'reminder', 'payment_refunded'] as const),
  texts: Type.Array(Type.String(), { description: "En français, une phrase par message non envoyé (« L'e-mail de confirmation n'a pas pu être envoyé à … »)" }),
  state: StringEnum(['dead', 'retrying'] as const, { description: 'dead : essais automatiques terminés ; retrying : un nouvel essai est prévu (nextAttemptAt)' }),
  nextAttemptAt: Type.Optional(Type.String()),
});

/** The messages that could not be sent, for the booking and the agenda, and their retry (paths relative to /api/admin). */
export function adminFailedMessageRoutes(deps: { failedMessages: FailedMessages }): AdminRoutes {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/failed-messages',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Messages aux clients qui n’ont pas pu être envoyés (une réservation, ou celles à venir)',
          description: 'Avec `bookingCode` : ceux de cette réservation ; sinon ceux des réservations pas encore terminées. Le détail technique reste dans le journal et GET /outbox.',
          querystring: Type.Object({ bookingCode: Type.Optional(Type.String({ maxLength: 20, pattern: PRINTABLE })) }),
          response: { 200: Type.Object({ failedMessages: Type.Array(FailedMessageDto) }), ...adminErrors(400, 401) },
        },
      },
      async (request) => ({
        failedMessages: (await deps.failedMessages.list(request.admin.artisanId, request.query)).map((m) => ({
          id: m.id,
          bookingCode: m.bookingCode,
          customerName: m.customerName,
          bookingStartDateTime: new Date(m.bookingStartMs).toISOString(),
          kind: m.kind,
          texts: m.texts,
          state: m.state,
          ...(m.nextAttemptMs !== undefined ? { nextAttemptAt: new Date(m.nextAttemptMs).toISOString() } : {}),
        })),
      }),
    );

    app.post(
      '/failed-messages/:id/retry',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Renvoyer maintenant un message qui n’a pas pu être envoyé',
          description: 'En échec définitif : nouvelle série d’essais ; en attente d’un nouvel essai : tout de suite. 404 si ce n’est pas un message en échec de l’artisan.',
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
          response: { 200: Type.Object({ id: Type.String(), status: Type.Literal('pending') }), ...adminErrors(401, 404) },
        },
      },
      async (request) => {
        await deps.failedMessages.retry(request.admin.artisanId, request.params.id);
        return { id: request.params.id, status: 'pending' as const };
      },
    );
  };
}
