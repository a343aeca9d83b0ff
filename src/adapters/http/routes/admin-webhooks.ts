import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AdminRoutes } from '../admin-scope.ts';
import { IdParams, Uuid, adminErrors } from '../admin-schemas.ts';
import { PRINTABLE, StringEnum } from '../schemas.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../../app/webhook-events.ts';
import type { WebhookDelivery, WebhookEndpoint, WebhookEndpoints } from '../../../app/webhooks.ts';

const EventType = StringEnum(WEBHOOK_EVENT_TYPES, { description: 'Type d’événement' });

const EndpointDto = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  eventTypes: Type.Array(EventType),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()], { description: 'Pourquoi le service l’a désactivé (réponse 410…)' }),
  previousSecretValidUntil: Type.Union([Type.String(), Type.Null()], { description: 'Après une rotation : jusqu’à quand l’ancien secret signe aussi' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const DeliveryDto = Type.Object({
  id: Type.String(),
  eventId: Type.String({ description: 'L’en-tête webhook-id de chaque tentative' }),
  eventType: Type.String({ description: 'Type de l’événement (webhook.test pour un événement de test)' }),
  status: StringEnum(['pending', 'delivered', 'failed', 'cancelled'] as const),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'Adresse https:// publique qui recevra les événements (POST)' });
const Description = Type.String({ maxLength: 500, pattern: PRINTABLE });
const EventTypes = Type.Array(EventType, { minItems: 1, uniqueItems: true });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const presentEndpoint = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  eventTypes: e.eventTypes,
  enabled: e.enabled,
  disabledReason: e.disabledReason,
  previousSecretValidUntil: iso(e.previousSecretUntilMs),
  createdAt: new Date(e.createdMs).toISOString(),
  updatedAt: new Date(e.updatedMs).toISOString(),
});

const presentDelivery = (d: WebhookDelivery) => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: iso(d.nextAttemptMs),
  lastAttemptAt: iso(d.lastAttemptMs),
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  createdAt: new Date(d.createdMs).toISOString(),
});

const SECRET_DESCRIPTION = 'Secret de signature (whsec_…) : affiché cette seule fois, à conserver';

/** Webhook endpoints of the business (paths relative to /api/admin). */
export function adminWebhookRoutes(deps: { endpoints: WebhookEndpoints }): AdminRoutes {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const access = { adminAccess: 'webhooks:manage' as const };
    const tags = ['Webhooks'];

    app.get(
      '/webhook-endpoints',
      { config: access, schema: { tags, summary: 'Points d’accès webhook', response: { 200: Type.Object({ endpoints: Type.Array(EndpointDto) }), ...adminErrors(401) } } },
      async (request) => ({ endpoints: (await deps.endpoints.list(request.admin.artisanId)).map(presentEndpoint) }),
    );

    app.post(
      '/webhook-endpoints',
      {
        config: access,
        schema: {
          tags,
          summary: 'Ajouter un point d’accès webhook',
          description: 'Le secret de signature est dans la réponse, et nulle part ailleurs ensuite.',
          body: Type.Object({ url: Url, description: Type.Optional(Description), eventTypes: EventTypes, enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
          response: { 201: Type.Object({ endpoint: EndpointDto, secret: Type.String({ description: SECRET_DESCRIPTION }) }), ...adminErrors(400, 401) },
        },
      },
      async (request, reply) => {
        const created = await deps.endpoints.create(request.admin.artisanId, request.body);
        return reply.status(201).send({ endpoint: presentEndpoint(created.endpoint), secret: created.secret });
      },
    );

    app.get(
      '/webhook-endpoints/:id',
      { config: access, schema: { tags, summary: 'Un point d’accès webhook', params: IdParams, response: { 200: Type.Object({ endpoint: EndpointDto }), ...adminErrors(400, 401, 404) } } },
      async (request) => ({ endpoint: presentEndpoint(await deps.endpoints.get(request.admin.artisanId, request.params.id)) }),
    );

    app.patch(
      '/webhook-endpoints/:id',
      {
        config: access,
        schema: {
          tags,
          summary: 'Modifier, activer ou désactiver un point d’accès webhook',
          params: IdParams,
          body: Type.Object(
            { url: Type.Optional(Url), description: Type.Optional(Description), eventTypes: Type.Optional(EventTypes), enabled: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ endpoint: EndpointDto }), ...adminErrors(400, 401, 404) },
        },
      },
      async (request) => ({ endpoint: presentEndpoint(await deps.endpoints.update(request.admin.artisanId, request.params.id, request.body)) }),
    );

    app.delete(
      '/webhook-endpoints/:id',
      {
        config: access,
        schema: { tags, summary: 'Supprimer un point d’accès webhook', description: 'Ses envois en attente sont abandonnés.', params: IdParams, response: { 204: Type.Null({ description: 'Supprimé' }), ...adminErrors(400, 401, 404) } },
      },
      async (request, reply) => {
        await deps.endpoints.remove(request.admin.artisanId, request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/webhook-endpoints/:id/rotate-secret',
      {
        config: access,
        schema: {
          tags,
          summary: 'Changer le secret de signature',
          description: 'Le nouveau secret signe dès maintenant ; l’ancien signe aussi pendant 24 h (deux signatures dans webhook-signature), le temps de mettre à jour le récepteur.',
          params: IdParams,
          response: { 200: Type.Object({ endpoint: EndpointDto, secret: Type.String({ description: SECRET_DESCRIPTION }) }), ...adminErrors(400, 401, 404) },
        },
      },
      async (request) => {
        const rotated = await deps.endpoints.rotateSecret(request.admin.artisanId, request.params.id);
        return { endpoint: presentEndpoint(rotated.endpoint), secret: rotated.secret };
      },
    );

    app.get(
      '/events',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          tags,
          summary: 'Événements (rattrapage)',
          description:
            'Les mêmes événements que les webhooks, dans l’ordre, pour rattraper ce qui a été manqué : passez `next` comme `after` à l’appel suivant. Un événement y paraît dès que le service l’a enregistré (quelques secondes après le changement).',
          querystring: Type.Object({
            after: Type.Optional(Type.String({ maxLength: 20, description: 'La valeur `next` de la page précédente (absent : depuis le début)' })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          }),
          response: {
            200: Type.Object({
              events: Type.Array(
                Type.Object({
                  id: Type.String({ description: 'Le webhook-id de ses envois' }),
                  type: EventType,
                  occurredAt: Type.String(),
                  payload: Type.Object({}, { additionalProperties: true, description: 'Le corps envoyé aux webhooks' }),
                }),
              ),
              next: Type.String({ description: 'À passer comme `after` ensuite' }),
            }),
            ...adminErrors(400, 401),
          },
        },
      },
      async (request) => {
        const page = await deps.endpoints.events(request.admin.artisanId, request.query.after, request.query.limit);
        return {
          events: page.events.map((e) => ({ id: e.id, type: e.type as WebhookEventType, occurredAt: new Date(e.occurredMs).toISOString(), payload: JSON.parse(e.body) as Record<string, unknown> })),
          next: page.next,
        };
      },
    );

    app.get(
      '/webhook-endpoints/:id/deliveries',
      {
        config: access,
        schema: {
          tags,
          summary: 'Derniers envois d’un point d’accès',
          params: IdParams,
          querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }),
          response: { 200: Type.Object({ deliveries: Type.Array(DeliveryDto) }), ...adminErrors(400, 401, 404) },
        },
      },
      async (request) => ({ deliveries: (await deps.endpoints.deliveries(request.admin.artisanId, request.params.id, request.query.limit)).map(presentDelivery) }),
    );

    app.post(
      '/webhook-endpoints/:id/test',
      {
        config: access,
        schema: {
          tags,
          summary: 'Envoyer un événement de test',
          description:
            'Envoie un événement `webhook.test` à ce seul point d’accès, signé et relancé comme les autres ; il ne figure pas dans les événements de rattrapage. Le suivi est dans la liste des envois.',
          params: IdParams,
          response: { 202: Type.Object({ delivery: DeliveryDto }), ...adminErrors(400, 401, 404, 409) },
        },
      },
      async (request, reply) => reply.status(202).send({ delivery: presentDelivery(await deps.endpoints.sendTest(request.admin.artisanId, request.params.id)) }),
    );

    app.post(
      '/webhook-endpoints/:id/deliveries/:deliveryId/replay',
      {
        config: access,
        schema: {
          tags,
          summary: 'Renvoyer un envoi',
          description: 'Renvoie tout de suite le même événement (même webhook-id, même corps), puis le relance selon le calendrier habituel s’il échoue.',
          params: Type.Object({ id: Uuid, deliveryId: Uuid }),
          response: { 202: Type.Object({ delivery: DeliveryDto }), ...adminErrors(400, 401, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.status(202).send({ delivery: presentDelivery(await deps.endpoints.replay(request.admin.artisanId, request.params.id, request.params.deliveryId)) }),
    );
  };
}
