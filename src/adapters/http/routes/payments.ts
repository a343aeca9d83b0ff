import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../../../domain/errors.ts';
import type { PaymentEvent } from '../../../app/payment-events.ts';
import { errorBody } from '../errors.ts';
import { errorResponses, StringEnum } from '../schemas.ts';
import { parseStripeEvent, WebhookSignatureError } from '../../payments/stripe-webhooks.ts';

export interface PaymentRoutesDeps {
  provider: 'stripe' | 'simulated';
  /** Given to the front for Stripe Elements; never a secret. */
  publishableKey: string | null;
  clock: { now(): number };
  /** The simulated bank page: the customer's answer to a simulated 3-D Secure challenge. */
  simulated?: { authenticate(clientSecret: string, outcome: 'succeeded' | 'failed'): boolean };
  /** Stripe webhooks: the signing secret and what to do with a verified event. */
  webhooks?: { secret: string; receive(event: PaymentEvent): Promise<{ duplicate: boolean; ignored?: string }> };
}

/** GET /api/payments/config, the simulated challenge, and POST /api/webhooks/stripe. */
export function paymentRoutes(deps: PaymentRoutesDeps) {
  return async function register(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/api/payments/config',
      {
        schema: {
          tags: ['Réservation'],
          summary: 'Prestataire de paiement et clé publique (Stripe Elements)',
          response: {
            200: Type.Object({
              provider: StringEnum(['stripe', 'simulated'] as const),
              publishableKey: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
            }),
          },
        },
      },
      async () => ({ provider: deps.provider, publishableKey: deps.publishableKey }),
    );

    const simulated = deps.simulated;
    if (simulated) {
      app.post(
        '/api/payments/simulated/authenticate',
        {
          schema: {
            tags: ['Réservation'],
            summary: '3-D Secure simulé : la réponse du client (mode simulé uniquement)',
            body: Type.Object({
              clientSecret: Type.String({ minLength: 1, maxLength: 200 }),
              outcome: StringEnum(['succeeded', 'failed'] as const),
            }),
            response: { 204: Type.Null(), ...errorResponses(400, 404) },
          },
        },
        async (request, reply) => {
          if (!simulated.authenticate(request.body.clientSecret, request.body.outcome)) {
            throw new NotFoundError('PAYMENT_CHALLENGE_NOT_FOUND', "Aucune authentification 3-D Secure n'est en attente pour ce paiement.");
          }
          return reply.status(204).send(null);
        },
      );
    }

    const webhooks = deps.webhooks;
    if (webhooks) {
      // Its own scope: only this route keeps the raw body (the signature is over its bytes).
      await app.register(async (scope) => {
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
        scope.post('/api/webhooks/stripe', { schema: { hide: true } }, async (request, reply) => {
          const signature = request.headers['stripe-signature'];
          let event: PaymentEvent;
          try {
            event = parseStripeEvent(request.body as Buffer, typeof signature === 'string' ? signature : undefined, webhooks.secret, deps.clock.now());
          } catch (error) {
            if (error instanceof WebhookSignatureError) {
              request.log.warn({ err: error.cause }, 'stripe webhook refused: bad signature');
              return reply.status(400).send(errorBody('WEBHOOK_SIGNATURE_INVALID', 'Signature du webhook invalide.'));
            }
            throw error;
          }
          const { duplicate, ignored } = await webhooks.receive(event);
          // Stripe Connect: an event of an account no business owns is acknowledged (Stripe stops
          // sending it) and left alone.
          if (ignored) request.log.warn({ eventId: event.id, type: event.type, account: event.account, reason: ignored }, 'stripe webhook acknowledged and ignored');
          else request.log.info({ eventId: event.id, type: event.type, account: event.account, duplicate }, 'stripe webhook received');
          return reply.status(200).send({ received: true });
        });
      });
    }
  };
}
