import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES, type CalendarSyncFailedPayload, type MessageFailedPayload, type WebhookEventPayload, type WebhookEventType } from './webhook-events.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { AccountMailer } from './password-reset.ts';
import { webhookDisabledMail } from './webhook-disabled-mail.ts';

/**
 * Outgoing webhooks (issue 21): a business's endpoints, and the delivery of its events by the
 * Standard Webhooks rules (https://www.standardwebhooks.com): the same webhook-id on every
 * retry, the spec's retry schedule, 410 turning the endpoint off, one booking's events in order.
 */

export interface WebhookEndpoint {
  id: string;
  artisanId: string;
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  /** Why the service turned it off (410…); null when enabled or turned off by the business. */
  disabledReason: string | null;
  /** Until when the secret before the last rotation still signs too; null: no rotation running. */
  previousSecretUntilMs: number | null;
  createdMs: number;
  updatedMs: number;
}

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: number;
  nextAttemptMs: number | null;
  lastAttemptMs: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdMs: number;
}

/** The e-mail telling a business its endpoint was turned off. */
export interface DisabledNotice {
  to: { name: string; address: string };
  url: string;
  description: string;
  reason: string;
}

/** A delivery as its attempt needs it: the endpoint with its secrets (opened), the event's body. */
export interface DeliveryWork {
  delivery: { id: string; status: WebhookDelivery['status']; attempts: number; nextAttemptMs: number | null; bookingId: string | null; eventSeq: number };
  endpoint: WebhookEndpoint & { secrets: string[] };
  event: { id: string; body: string };
}

export interface WebhookStore {
  listEndpoints(artisanId: string): Promise<WebhookEndpoint[]>;
  getEndpoint(artisanId: string, id: string): Promise<WebhookEndpoint | undefined>;
  createEndpoint(e: Omit<WebhookEndpoint, 'disabledReason' | 'previousSecretUntilMs' | 'updatedMs'>, secret: string): Promise<void>;
  updateEndpoint(artisanId: string, id: string, patch: Partial<Pick<WebhookEndpoint, 'url' | 'description' | 'eventTypes' | 'enabled'>>, nowMs: number): Promise<WebhookEndpoint | undefined>;
  deleteEndpoint(artisanId: string, id: string): Promise<boolean>;
  /** The new secret signs from now on; the current one keeps signing until `previousUntilMs`. */
  rotateSecret(artisanId: string, id: string, secret: string, previousUntilMs: number, nowMs: number): Promise<WebhookEndpoint | undefined>;
  /**
   * Turns an enabled endpoint off for `reason` and, in the same transaction, writes the outbox
   * row (topic webhook.disabled) that e-mails the business. An endpoint already off: nothing.
   */
  disableEndpoint(artisanId: string, id: string, reason: string, nowMs: number): Promise<void>;
  /** What the e-mail about a disabled endpoint says; undefined when it is gone or enabled again. */
  disabledNotice(artisanId: string, id: string): Promise<DisabledNotice | undefined>;
  /**
   * Records the event (once: `eventId` is its outbox row's id) and, in the same transaction, a
   * delivery and its outbox row, due at `nowMs`, for each enabled endpoint subscribed to its type.
   */
  /** The booking as it is now (undefined when it is gone). */
  bookingNow(artisanId: string, bookingId: string): Promise<BookingRecord | undefined>;
  /** The booking's personal details as they are now (erased ones read as erased); undefined when it is gone. */
  personalData(artisanId: string, bookingId: string): Promise<{ customer: BookingRecord['customer']; problemDescription: string | null; cancellationReason: string | null } | undefined>;
  recordEvent(artisanId: string, event: { id: string; type: WebhookEventType; bookingId: string | null; occurredMs: number; body: string }, nowMs: number): Promise<number>;
  /** The delivery with what its attempt needs; `nowMs` decides whether the previous secret still signs. */
  loadDelivery(artisanId: string, deliveryId: string, nowMs: number): Promise<DeliveryWork | undefined>;
  /** When the earliest open delivery of an earlier event of the same booking to the same endpoint is next tried. */
  earlierOpen(artisanId: string, endpointId: string, bookingId: string, eventSeq: number): Promise<{ nextAttemptMs: number } | undefined>;
  /**
   * After an attempt (or a wait): the delivery's new state, and its next outbox row (payload
   * {deliveryId, dueMs}) when `nextMs` is given. `attempted` counts the attempt. One transaction.
   * An attempt also keeps the endpoint's health: a 2xx clears it, a failure starts it (if not
   * started); answers since when the endpoint has been failing (null: it is not).
   */
  recordAttempt(
    artisanId: string,
    deliveryId: string,
    state: { status: WebhookDelivery['status']; attempted: boolean; nowMs: number; statusCode?: number | null; error?: string | null; nextMs?: number | null; bookingId: string | null },
  ): Promise<{ failingSinceMs: number | null }>;
  listDeliveries(artisanId: string, endpointId: string, limit: number): Promise<WebhookDelivery[]>;
  getDelivery(artisanId: string, endpointId: string, deliveryId: string): Promise<WebhookDelivery | undefined>;
  /**
   * A test event for one endpoint (whatever its event types): the event (kept out of the
   * catch-up feed) and its one delivery, due now. Answers the delivery's id; undefined when the
   * endpoint is gone.
   */
  recordTestEvent(artisanId: string, endpointId: string, event: { id: string; type: typeof TEST_EVENT_TYPE; occurredMs: number; body: string }, nowMs: number): Promise<string | undefined>;
  /** The delivery tried again now, from the start of the schedule, with the same webhook-id; false when it is not the endpoint's. */
  replayDelivery(artisanId: string, endpointId: string, deliveryId: string, nowMs: number): Promise<boolean>;
  /** The business's events after position `afterSeq`, oldest first (the catch-up feed). */
  listEvents(artisanId: string, afterSeq: number, limit: number): Promise<{ seq: number; id: string; type: string; occurredMs: number; body: string }[]>;
}

/** What one HTTP attempt gave: the receiver's status, or why there was none. */
export type SendResult = { statusCode: number } | { error: string };

export interface WebhookSender {
  /** POSTs `body` to `url` with the Standard Webhooks headers, signed with each secret. */
  send(url: string, message: { id: string; timestampSec: number; body: string; secrets: string[] }): Promise<SendResult>;
  /** Why the URL is refused (not HTTPS, a private address…), or undefined. French, for the form. */
  checkUrl(url: string): Promise<string | undefined>;
}

/** After the first attempt: the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** An endpoint whose attempts have all failed for this long is turned off (Standard Webhooks, Svix). */
export const FAILING_LIMIT_MS = 5 * 24 * 3_600_000;
/** How long the secret before a rotation keeps signing. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
/** The version of the payload's shape (the `version` field of every event). */
export const PAYLOAD_VERSION = 1;

export const endpointNotFound = (): NotFoundError => new NotFoundError('WEBHOOK_ENDPOINT_NOT_FOUND', 'Point d’accès webhook introuvable.');
const deliveryNotFound = (): NotFoundError => new NotFoundError('WEBHOOK_DELIVERY_NOT_FOUND', 'Envoi introuvable pour ce point d’accès.');
const endpointDisabled = (): ConflictError =>
  new ConflictError('WEBHOOK_ENDPOINT_DISABLED', 'Ce point d’accès est désactivé : réactivez-le avant de lui envoyer un événement.');

/** A signing secret as Standard Webhooks writes it: `whsec_` and 32 random bytes in base64. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export interface EndpointInput {
  url: string;
  description?: string;
  eventTypes: string[];
  enabled?: boolean;
}

export function makeWebhookEndpoints(deps: { store: WebhookStore; sender: Pick<WebhookSender, 'checkUrl'>; clock: { now(): number }; uuid: () => string }) {
  const checkTypes = (types: string[]): ErrorDetail[] =>
    types.length > 0 && types.every((t) => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(t))
      ? []
      : [{ field: 'eventTypes', message: `Choisissez au moins un événement parmi : ${WEBHOOK_EVENT_TYPES.join(', ')}.` }];
  const checkUrl = async (url: string): Promise<ErrorDetail[]> => {
    const refusal = await deps.sender.checkUrl(url);
    return refusal ? [{ field: 'url', message: refusal }] : [];
  };
  const found = async (artisanId: string, id: string): Promise<WebhookEndpoint> => (await deps.store.getEndpoint(artisanId, id)) ?? Promise.reject(endpointNotFound());
  return {
    list: (artisanId: string) => deps.store.listEndpoints(artisanId),
    get: found,
    /** The secret is answered here and on rotation only: it is never shown again. */
    async create(artisanId: string, input: EndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
      const problems = [...checkTypes(input.eventTypes), ...(await checkUrl(input.url))];
      if (problems.length > 0) throw new ValidationError(problems);
      const now = deps.clock.now();
      const id = deps.uuid();
      const secret = newSecret();
      await deps.store.createEndpoint(
        { id, artisanId, url: input.url, description: input.description ?? '', eventTypes: [...new Set(input.eventTypes)] as WebhookEventType[], enabled: input.enabled ?? true, createdMs: now },
        secret,
      );
      return { endpoint: await found(artisanId, id), secret };
    },
    async update(artisanId: string, id: string, input: Partial<EndpointInput>): Promise<WebhookEndpoint> {
      await found(artisanId, id);
      const problems = [...(input.eventTypes ? checkTypes(input.eventTypes) : []), ...(input.url !== undefined ? await checkUrl(input.url) : [])];
      if (problems.length > 0) throw new ValidationError(problems);
      const patch = {
        ...(input.url !== undefined ? { url: input.url } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.eventTypes ? { eventTypes: [...new Set(input.eventTypes)] as WebhookEventType[] } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      };
      return (await deps.store.updateEndpoint(artisanId, id, patch, deps.clock.now())) ?? Promise.reject(endpointNotFound());
    },
    async remove(artisanId: string, id: string): Promise<void> {
      if (!(await deps.store.deleteEndpoint(artisanId, id))) throw endpointNotFound();
    },
    async rotateSecret(artisanId: string, id: string): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
      const now = deps.clock.now();
      const secret = newSecret();
      const endpoint = await deps.store.rotateSecret(artisanId, id, secret, now + ROTATION_OVERLAP_MS, now);
      if (!endpoint) throw endpointNotFound();
      return { endpoint, secret };
    },
    /**
     * The catch-up feed: the events after `after` (the `next` of the previous page; none: from
     * the first kept), each with the body its deliveries carry. A consumer that was down reads
     * on until `next` stops moving, without relying on retries.
     */
    async events(artisanId: string, after: string | undefined, limit: number) {
      if (after !== undefined && !/^\d{1,15}$/.test(after)) throw new ValidationError([{ field: 'after', message: 'Curseur invalide : reprenez la valeur « next » d’une page précédente.' }]);
      const afterSeq = after === undefined ? 0 : Number(after);
      const rows = await deps.store.listEvents(artisanId, afterSeq, limit);
      return { events: rows.map((r) => ({ id: r.id, type: r.type, occurredMs: r.occurredMs, body: r.body })), next: String(rows.at(-1)?.seq ?? afterSeq) };
    },
    async deliveries(artisanId: string, id: string, limit: number): Promise<WebhookDelivery[]> {
      await found(artisanId, id);
      return deps.store.listDeliveries(artisanId, id, limit);
    },
    /** Sends a `webhook.test` event to this endpoint only, signed and retried like any other. */
    async sendTest(artisanId: string, id: string): Promise<WebhookDelivery> {
      const endpoint = await found(artisanId, id);
      if (!endpoint.enabled) throw endpointDisabled();
      const now = deps.clock.now();
      const eventId = deps.uuid();
      const body = JSON.stringify({
        id: eventId,
        type: TEST_EVENT_TYPE,
        timestamp: new Date(now).toISOString(),
        version: PAYLOAD_VERSION,
        data: { endpointId: id, message: 'Événement de test envoyé depuis ArtisanConnect : votre récepteur fonctionne.' },
      });
      const deliveryId = await deps.store.recordTestEvent(artisanId, id, { id: eventId, type: TEST_EVENT_TYPE, occurredMs: now, body }, now);
      if (!deliveryId) throw endpointNotFound();
      return (await deps.store.getDelivery(artisanId, id, deliveryId)) ?? Promise.reject(deliveryNotFound());
    },
    /** Tries a delivery again now (same webhook-id, same body), from the start of the retry schedule. */
    async replay(artisanId: string, id: string, deliveryId: string): Promise<WebhookDelivery> {
      const endpoint = await found(artisanId, id);
      if (!endpoint.enabled) throw endpointDisabled();
      if (!(await deps.store.replayDelivery(artisanId, id, deliveryId, deps.clock.now()))) throw deliveryNotFound();
      return (await deps.store.getDelivery(artisanId, id, deliveryId)) ?? Promise.reject(deliveryNotFound());
    },
  };
}

export type WebhookEndpoints = ReturnType<typeof makeWebhookEndpoints>;

/** An event as its body shows it: the booking whole, the cancellation with its reason. */
export type RenderedEvent = Omit<WebhookEventPayload, 'booking' | 'cancellation'> & {
  booking: BookingRecord;
  cancellation?: NonNullable<WebhookEventPayload['cancellation']> & { reason: string | null };
};

/** A day as the e-mail and the back office say it ("3 mars 2027"), in UTC: the reason is stored once for every reader. */
const frenchDate = (ms: number): string => new Date(ms).toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** An outbox job as the webhook handlers read it. */
interface Job {
  artisanId: string;
  id: string;
  payload: Record<string, unknown>;
}

/**
 * The worker's two handlers. `fanOut` turns an event written with its change into its body
 * (rendered once: every attempt and endpoint gets the same bytes) and one delivery per
 * subscribed endpoint. `deliver` makes one attempt of one delivery and plans the next.
 */
export function makeWebhookDelivery(deps: {
  store: WebhookStore;
  sender: Pick<WebhookSender, 'send'>;
  clock: { now(): number };
  /** The event's JSON body: the booking as the admin API shows it (an adapter's presenter). */
  render: (eventId: string, event: RenderedEvent) => string;
  /** The JSON body of an event about no booking (the same envelope, `data` as given). */
  renderPlain: (eventId: string, type: WebhookEventType, occurredMs: number, data: Record<string, unknown>) => string;
  /** Account e-mail (SMTP); undefined without SMTP: the notice is only logged. Throws to be retried. */
  mailer: AccountMailer | undefined;
  /** The back office's « Intégrations » page, linked from the e-mail. */
  integrationsUrl: string;
}) {
  return {
    async fanOut(job: Job): Promise<number> {
      if (job.payload.type === 'calendar.sync_failed') {
        // About a calendar, not a booking.
        const failed = job.payload as unknown as CalendarSyncFailedPayload;
        const body = deps.renderPlain(job.id, failed.type, failed.occurredMs, { calendar: failed.calendar, error: failed.error });
        return deps.store.recordEvent(job.artisanId, { id: job.id, type: failed.type, bookingId: null, occurredMs: failed.occurredMs, body }, deps.clock.now());
      }
      if (job.payload.type === 'message.failed') {
        // About a booking, told as it is now (the dead job carried no copy of it).
        const failed = job.payload as unknown as MessageFailedPayload;
        const booking = await deps.store.bookingNow(job.artisanId, failed.bookingId);
        if (!booking) return 0;
        const body = deps.render(job.id, { type: failed.type, occurredMs: failed.occurredMs, booking, message: failed.message });
        return deps.store.recordEvent(job.artisanId, { id: job.id, type: failed.type, bookingId: booking.id, occurredMs: failed.occurredMs, body }, deps.clock.now());
      }
      const payload = job.payload as unknown as WebhookEventPayload;
      const personal = await deps.store.personalData(job.artisanId, payload.booking.id);
      // A booking deleted since (its business deleted): no one to tell.
      if (!personal) return 0;
      const { cancellation, ...rest } = payload;
      const body = deps.render(job.id, {
        ...rest,
        booking: { ...payload.booking, customer: personal.customer, problemDescription: personal.problemDescription },
        ...(cancellation ? { cancellation: { ...cancellation, reason: personal.cancellationReason } } : {}),
      });
      return deps.store.recordEvent(job.artisanId, { id: job.id, type: payload.type, bookingId: payload.booking.id, occurredMs: payload.occurredMs, body }, deps.clock.now());
    },
    async deliver(job: Job): Promise<'delivered' | 'retry' | 'failed' | 'disabled' | 'waiting' | 'stale'> {
      const deliveryId = String(job.payload.deliveryId);
      const now = deps.clock.now();
      const work = await deps.store.loadDelivery(job.artisanId, deliveryId, now);
      // Each outbox row of a delivery names the time it was planned for: a row already acted on
      // (claimed again after a crash) or a delivery finished or cancelled meanwhile does nothing.
      if (!work || work.delivery.status !== 'pending' || work.delivery.nextAttemptMs !== Number(job.payload.dueMs)) return 'stale';
      const { delivery, endpoint, event } = work;
      const attempt = delivery.attempts;
      const base = { nowMs: now, bookingId: delivery.bookingId };
      if (!endpoint.enabled) {
        await deps.store.recordAttempt(job.artisanId, deliveryId, { ...base, status: 'cancelled', attempted: false, error: 'Point d’accès désactivé : non envoyé.' });
        return 'disabled';
      }
      // One booking's events reach an endpoint in order: this one waits for an earlier one still trying.
      if (delivery.bookingId) {
        const earlier = await deps.store.earlierOpen(job.artisanId, endpoint.id, delivery.bookingId, delivery.eventSeq);
        if (earlier) {
          await deps.store.recordAttempt(job.artisanId, deliveryId, { ...base, status: 'pending', attempted: false, nextMs: Math.max(earlier.nextAttemptMs, now) + 1 });
          return 'waiting';
        }
      }
      const result = await deps.sender.send(endpoint.url, { id: event.id, timestampSec: Math.floor(now / 1000), body: event.body, secrets: endpoint.secrets });
      const attempts = attempt + 1;
      const statusCode = 'statusCode' in result ? result.statusCode : null;
      const error = 'error' in result ? result.error : statusCode !== null && (statusCode < 200 || statusCode >= 300) ? `Réponse HTTP ${statusCode}` : null;
      if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
        await deps.store.recordAttempt(job.artisanId, deliveryId, { ...base, status: 'delivered', attempted: true, statusCode });
        return 'delivered';
      }
      if (statusCode === 410) {
        // 410 Gone: the receiver says the endpoint no longer exists (Standard Webhooks).
        await deps.store.recordAttempt(job.artisanId, deliveryId, { ...base, status: 'failed', attempted: true, statusCode, error });
        await deps.store.disableEndpoint(job.artisanId, endpoint.id, 'Le serveur a répondu 410 (Gone) : point d’accès désactivé.', now);
        return 'disabled';
      }
      const last = attempts >= MAX_ATTEMPTS;
      const { failingSinceMs } = await deps.store.recordAttempt(
        job.artisanId,
        deliveryId,
        last ? { ...base, status: 'failed', attempted: true, statusCode, error } : { ...base, status: 'pending', attempted: true, statusCode, error, nextMs: now + RETRY_DELAYS_MS[attempts - 1]! },
      );
      // Nothing has got through for 5 days: the endpoint goes off and the business is told (its
      // other pending deliveries are dropped as they come up).
      if (failingSinceMs !== null && now - failingSinceMs >= FAILING_LIMIT_MS) {
        await deps.store.disableEndpoint(job.artisanId, endpoint.id, `Aucun envoi n’a abouti depuis le ${frenchDate(failingSinceMs)} : point d’accès désactivé.`, now);
        return 'disabled';
      }
      return last ? 'failed' : 'retry';
    },
    /** Tells the business by e-mail that an endpoint was turned off (the outbox row written with it). */
    async tellDisabled(job: Job): Promise<'sent' | 'stale' | 'no mailer'> {
      const notice = await deps.store.disabledNotice(job.artisanId, String(job.payload.endpointId));
      if (!notice) return 'stale';
      if (!deps.mailer) return 'no mailer';
      await deps.mailer(webhookDisabledMail(notice, deps.integrationsUrl));
      return 'sent';
    },
  };
}
