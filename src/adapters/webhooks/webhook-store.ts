import { sql } from 'kysely';
import type { Database, Queryable } from '../db/database.ts';
import { first, qb, run } from '../db/kysely.ts';
import { selectBookings, toBooking } from '../db/booking-row.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { DeliveryWork, WebhookDelivery, WebhookEndpoint, WebhookStore } from '../../app/webhooks.ts';
import { TEST_EVENT_TYPE, WEBHOOK_TOPICS, type WebhookEventType } from '../../app/webhook-events.ts';

/** Secrets are sealed bound to their endpoint: a sealed value copied to another row does not open. */
const boundTo = (artisanId: string, id: string): string => `webhook:${artisanId}:${id}`;

const ENDPOINT_COLUMNS = [
  'artisan_id',
  'id',
  'url',
  'description',
  'event_types',
  'enabled',
  'disabled_reason',
  'previous_secret_expires_at',
  'created_at',
  'updated_at',
] as const;

interface EndpointRow {
  artisan_id: string;
  id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: string | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  artisanId: r.artisan_id,
  url: r.url,
  description: r.description,
  // Written only from WEBHOOK_EVENT_TYPES (makeWebhookEndpoints checks them).
  eventTypes: r.event_types as WebhookEventType[],
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  previousSecretUntilMs: r.previous_secret_expires_at?.getTime() ?? null,
  createdMs: r.created_at.getTime(),
  updatedMs: r.updated_at.getTime(),
});

/** webhook_deliveries.status (CHECK in migration 0045). */
const storedDeliveryStatus = (s: string): WebhookDelivery['status'] => s as WebhookDelivery['status'];

/** One delivery's outbox row, due at `dueMs` (the delivery's next_attempt_at, which it names). */
async function enqueueDelivery(q: Queryable, artisanId: string, id: string, deliveryId: string, bookingId: string | null, dueMs: number): Promise<void> {
  await run(
    q,
    qb.insertInto('outbox').values({
      artisan_id: artisanId,
      id,
      topic: WEBHOOK_TOPICS.deliver,
      booking_id: bookingId,
      payload: JSON.stringify({ deliveryId, dueMs }),
      run_at: new Date(dueMs),
    }),
  );
}

const selectDeliveries = (artisanId: string, endpointId: string) =>
  qb
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as v', (j) => j.onRef('v.artisan_id', '=', 'd.artisan_id').onRef('v.id', '=', 'd.event_id'))
    .where('d.artisan_id', '=', artisanId)
    .where('d.endpoint_id', '=', endpointId)
    .select(['d.id', 'd.endpoint_id', 'd.event_id', 'v.type', 'd.status', 'd.attempts', 'd.next_attempt_at', 'd.last_attempt_at', 'd.last_status_code', 'd.last_error', 'd.created_at']);

const toDelivery = (r: {
  id: string;
  endpoint_id: string;
  event_id: string;
  type: string;
  status: string;
  attempts: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
}): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.type,
  status: storedDeliveryStatus(r.status),
  attempts: r.attempts,
  nextAttemptMs: r.next_attempt_at?.getTime() ?? null,
  lastAttemptMs: r.last_attempt_at?.getTime() ?? null,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  createdMs: r.created_at.getTime(),
});

/** webhook_events.seq as the driver reads a bigint. */
type StoredSeq = string | number | bigint;

/**
 * Records an event once (`id` is its outbox row's id, or a test event's own id) and answers its
 * position, or undefined when it was recorded already (a fan-out run again after a crash).
 */
async function insertEvent(
  tx: Queryable,
  artisanId: string,
  event: { id: string; type: string; bookingId: string | null; occurredMs: number; body: string },
): Promise<StoredSeq | undefined> {
  // One business's events take their position one at a time, held to the commit: the
  // catch-up feed's cursor never passes an event that commits later with a lower one.
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`webhook_events:${artisanId}`]);
  const inserted = await first(
    tx,
    qb
      .insertInto('webhook_events')
      .values({ artisan_id: artisanId, id: event.id, type: event.type, booking_id: event.bookingId, occurred_at: new Date(event.occurredMs), body: event.body })
      .onConflict((oc) => oc.columns(['artisan_id', 'id']).doNothing())
      .returning('seq'),
  );
  return inserted?.seq;
}

/** One delivery of an event to one endpoint, due now, with its outbox row. Answers its id. */
async function addDelivery(tx: Queryable, artisanId: string, endpointId: string, event: { id: string; bookingId: string | null }, seq: StoredSeq, nowMs: number, uuid: () => string): Promise<string> {
  const deliveryId = uuid();
  await run(
    tx,
    qb.insertInto('webhook_deliveries').values({
      artisan_id: artisanId,
      id: deliveryId,
      endpoint_id: endpointId,
      event_id: event.id,
      event_seq: seq,
      booking_id: event.bookingId,
      next_attempt_at: new Date(nowMs),
      created_at: new Date(nowMs),
    }),
  );
  await enqueueDelivery(tx, artisanId, uuid(), deliveryId, event.bookingId, nowMs);
  return deliveryId;
}

export function makeWebhookStore(db: Database, box: SecretBox, uuid: () => string): WebhookStore {
  return {
    async listEndpoints(artisanId) {
      const rows = await run(db, qb.selectFrom('webhook_endpoints').select(ENDPOINT_COLUMNS).where('artisan_id', '=', artisanId).orderBy('created_at').orderBy('id'));
      return rows.map(toEndpoint);
    },
    async getEndpoint(artisanId, id) {
      const row = await first(db, qb.selectFrom('webhook_endpoints').select(ENDPOINT_COLUMNS).where('artisan_id', '=', artisanId).where('id', '=', id));
      return row && toEndpoint(row);
    },
    async createEndpoint(e, secret) {
      await run(
        db,
        qb.insertInto('webhook_endpoints').values({
          artisan_id: e.artisanId,
          id: e.id,
          url: e.url,
          description: e.description,
          event_types: e.eventTypes,
          enabled: e.enabled,
          secret_sealed: box.seal(secret, boundTo(e.artisanId, e.id)),
          created_at: new Date(e.createdMs),
          updated_at: new Date(e.createdMs),
        }),
      );
    },
    async updateEndpoint(artisanId, id, patch, nowMs) {
      const row = await first(
        db,
        qb
          .updateTable('webhook_endpoints')
          .set({
            ...(patch.url !== undefined ? { url: patch.url } : {}),
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            ...(patch.eventTypes ? { event_types: patch.eventTypes } : {}),
            // Turned on or off by the business: the service's reason for turning it off goes.
            // Turned on again: its failures so far no longer count towards turning it off.
            ...(patch.enabled !== undefined ? { enabled: patch.enabled, disabled_reason: null, failing_since: null } : {}),
            updated_at: new Date(nowMs),
          })
          .where('artisan_id', '=', artisanId)
          .where('id', '=', id)
          .returning(ENDPOINT_COLUMNS),
      );
      return row && toEndpoint(row);
    },
    async deleteEndpoint(artisanId, id) {
      const rows = await run(db, qb.deleteFrom('webhook_endpoints').where('artisan_id', '=', artisanId).where('id', '=', id).returning('id'));
      return rows.length > 0;
    },
    async rotateSecret(artisanId, id, secret, previousUntilMs, nowMs) {
      const row = await first(
        db,
        qb
          .updateTable('webhook_endpoints')
          .set({
            previous_secret_sealed: sql<string>`secret_sealed`,
            previous_secret_expires_at: new Date(previousUntilMs),
            secret_sealed: box.seal(secret, boundTo(artisanId, id)),
            updated_at: new Date(nowMs),
          })
          .where('artisan_id', '=', artisanId)
          .where('id', '=', id)
          .returning(ENDPOINT_COLUMNS),
      );
      return row && toEndpoint(row);
    },
    disableEndpoint(artisanId, id, reason, nowMs) {
      return db.transaction(async (tx) => {
        // Only an endpoint still on: two deliveries failing at once turn it off, and e-mail, once.
        const row = await first(
          tx,
          qb
            .updateTable('webhook_endpoints')
            .set({ enabled: false, disabled_reason: reason, updated_at: new Date(nowMs) })
            .where('artisan_id', '=', artisanId)
            .where('id', '=', id)
            .where('enabled', '=', true)
            .returning('id'),
        );
        if (!row) return;
        await run(
          tx,
          qb.insertInto('outbox').values({ artisan_id: artisanId, id: uuid(), topic: WEBHOOK_TOPICS.disabled, payload: JSON.stringify({ endpointId: id }), run_at: new Date(nowMs) }),
        );
      });
    },
    async disabledNotice(artisanId, id) {
      const row = await first(
        db,
        qb
          .selectFrom('webhook_endpoints as e')
          .innerJoin('artisans as a', 'a.id', 'e.artisan_id')
          .select(['e.url', 'e.description', 'e.enabled', 'e.disabled_reason', 'a.email', 'a.display_name'])
          .where('e.artisan_id', '=', artisanId)
          .where('e.id', '=', id),
      );
      // Turned on again (or removed) before the e-mail left: nothing to say any more.
      if (!row || row.enabled || !row.disabled_reason) return undefined;
      return { to: { name: row.display_name, address: row.email }, url: row.url, description: row.description, reason: row.disabled_reason };
    },
    async bookingNow(artisanId, bookingId) {
      const row = await first(db, selectBookings().where('b.artisan_id', '=', artisanId).where('b.id', '=', bookingId));
      return row && toBooking(row);
    },
    async personalData(artisanId, bookingId) {
      const row = await first(db, selectBookings().where('b.artisan_id', '=', artisanId).where('b.id', '=', bookingId));
      if (!row) return undefined;
      const b = toBooking(row);
      return { customer: b.customer, problemDescription: b.problemDescription, cancellationReason: row.cancellation_reason };
    },
    recordEvent(artisanId, event, nowMs) {
      return db.transaction(async (tx) => {
        const seq = await insertEvent(tx, artisanId, event);
        if (seq === undefined) return 0;
        const endpoints = await run(
          tx,
          qb
            .selectFrom('webhook_endpoints')
            .select('id')
            .where('artisan_id', '=', artisanId)
            .where('enabled', '=', true)
            .where(sql<boolean>`${event.type} = ANY(event_types)`)
            .orderBy('id'),
        );
        for (const endpoint of endpoints) await addDelivery(tx, artisanId, endpoint.id, event, seq, nowMs, uuid);
        return endpoints.length;
      });
    },
    recordTestEvent(artisanId, endpointId, event, nowMs) {
      return db.transaction(async (tx) => {
        // The endpoint locked for the transaction: removed meanwhile, nothing is written.
        const endpoint = await first(tx, qb.selectFrom('webhook_endpoints').select('id').where('artisan_id', '=', artisanId).where('id', '=', endpointId).forUpdate());
        if (!endpoint) return undefined;
        const seq = await insertEvent(tx, artisanId, { ...event, bookingId: null });
        if (seq === undefined) return undefined;
        return addDelivery(tx, artisanId, endpointId, { ...event, bookingId: null }, seq, nowMs, uuid);
      });
    },
    async replayDelivery(artisanId, endpointId, deliveryId, nowMs) {
      return db.transaction(async (tx) => {
        // A fresh run of the schedule; the attempts so far stay counted in the last attempt's fields.
        const row = await first(
          tx,
          qb
            .updateTable('webhook_deliveries')
            .set({ status: 'pending', attempts: 0, next_attempt_at: new Date(nowMs) })
            .where('artisan_id', '=', artisanId)
            .where('endpoint_id', '=', endpointId)
            .where('id', '=', deliveryId)
            .returning(['id', 'booking_id']),
        );
        if (!row) return false;
        await enqueueDelivery(tx, artisanId, uuid(), row.id, row.booking_id, nowMs);
        return true;
      });
    },
    async loadDelivery(artisanId, deliveryId, nowMs): Promise<DeliveryWork | undefined> {
      const row = await first(
        db,
        qb
          .selectFrom('webhook_deliveries as d')
          .innerJoin('webhook_endpoints as e', (j) => j.onRef('e.artisan_id', '=', 'd.artisan_id').onRef('e.id', '=', 'd.endpoint_id'))
          .innerJoin('webhook_events as v', (j) => j.onRef('v.artisan_id', '=', 'd.artisan_id').onRef('v.id', '=', 'd.event_id'))
          .where('d.artisan_id', '=', artisanId)
          .where('d.id', '=', deliveryId)
          .select([
            'd.id as delivery_id',
            'd.status',
            'd.attempts',
            'd.next_attempt_at',
            'd.booking_id',
            'd.event_seq',
            ...ENDPOINT_COLUMNS.map((c) => `e.${c}` as const),
            'e.secret_sealed',
            'e.previous_secret_sealed',
            'v.id as event_id',
            'v.body',
          ]),
      );
      if (!row) return undefined;
      const bound = boundTo(artisanId, row.id);
      const previous =
        row.previous_secret_sealed && row.previous_secret_expires_at && row.previous_secret_expires_at.getTime() > nowMs ? [box.open(row.previous_secret_sealed, bound)] : [];
      return {
        delivery: {
          id: row.delivery_id,
          status: storedDeliveryStatus(row.status),
          attempts: row.attempts,
          nextAttemptMs: row.next_attempt_at?.getTime() ?? null,
          bookingId: row.booking_id,
          eventSeq: Number(row.event_seq),
        },
        endpoint: { ...toEndpoint(row), secrets: [box.open(row.secret_sealed, bound), ...previous] },
        event: { id: row.event_id, body: row.body },
      };
    },
    async earlierOpen(artisanId, endpointId, bookingId, eventSeq) {
      const row = await first(
        db,
        qb
          .selectFrom('webhook_deliveries')
          .select('next_attempt_at')
          .where('artisan_id', '=', artisanId)
          .where('endpoint_id', '=', endpointId)
          .where('booking_id', '=', bookingId)
          .where('status', '=', 'pending')
          .where('event_seq', '<', String(eventSeq))
          .orderBy('event_seq')
          .limit(1),
      );
      return row && { nextAttemptMs: row.next_attempt_at?.getTime() ?? 0 };
    },
    recordAttempt(artisanId, deliveryId, state) {
      return db.transaction(async (tx): Promise<{ failingSinceMs: number | null }> => {
        const next = state.nextMs ?? null;
        const row = await first(
          tx,
          qb
            .updateTable('webhook_deliveries')
            .set({
              status: state.status,
              ...(state.attempted
                ? { attempts: sql<number>`attempts + 1`, last_attempt_at: new Date(state.nowMs), last_status_code: state.statusCode ?? null, last_error: state.error ?? null }
                : state.error !== undefined
                  ? { last_error: state.error }
                  : {}),
              next_attempt_at: next === null ? null : new Date(next),
            })
            .where('artisan_id', '=', artisanId)
            .where('id', '=', deliveryId)
            .returning(['endpoint_id', 'event_seq']),
        );
        if (next !== null) await enqueueDelivery(tx, artisanId, uuid(), deliveryId, state.bookingId, next);
        // Done with it: the booking's next event waiting behind it for this endpoint goes now.
        if (next === null && row && state.bookingId) {
          const follower = await first(
            tx,
            qb
              .updateTable('webhook_deliveries')
              .set({ next_attempt_at: new Date(state.nowMs) })
              .where('artisan_id', '=', artisanId)
              .where('id', '=', (eb) =>
                eb
                  .selectFrom('webhook_deliveries')
                  .select('id')
                  .where('artisan_id', '=', artisanId)
                  .where('endpoint_id', '=', row.endpoint_id)
                  .where('booking_id', '=', state.bookingId)
                  .where('status', '=', 'pending')
                  .where('event_seq', '>', row.event_seq)
                  .orderBy('event_seq')
                  .limit(1),
              )
              .where('next_attempt_at', '>', new Date(state.nowMs))
              .returning('id'),
          );
          if (follower) await enqueueDelivery(tx, artisanId, uuid(), follower.id, state.bookingId, state.nowMs);
        }
        if (!state.attempted || !row) return { failingSinceMs: null };
        // The endpoint's health: a 2xx clears it, a failure starts the clock if it is not running.
        const health = await first(
          tx,
          qb
            .updateTable('webhook_endpoints')
            .set({ failing_since: state.status === 'delivered' ? null : sql<Date>`coalesce(failing_since, ${new Date(state.nowMs)}::timestamptz)` })
            .where('artisan_id', '=', artisanId)
            .where('id', '=', row.endpoint_id)
            .returning('failing_since'),
        );
        return { failingSinceMs: health?.failing_since?.getTime() ?? null };
      });
    },
    async listEvents(artisanId, afterSeq, limit) {
      const rows = await run(
        db,
        qb
          .selectFrom('webhook_events')
          .select(['seq', 'id', 'type', 'occurred_at', 'body'])
          .where('artisan_id', '=', artisanId)
          .where('seq', '>', String(afterSeq))
          // A test event goes to the one endpoint it was sent to; it is no change to catch up on.
          .where('type', '<>', TEST_EVENT_TYPE)
          .orderBy('seq')
          .limit(limit),
      );
      return rows.map((r) => ({ seq: Number(r.seq), id: r.id, type: r.type, occurredMs: r.occurred_at.getTime(), body: r.body }));
    },
    async listDeliveries(artisanId, endpointId, limit) {
      const rows = await run(db, selectDeliveries(artisanId, endpointId).orderBy('d.created_at', 'desc').orderBy('d.event_seq', 'desc').limit(limit));
      return rows.map(toDelivery);
    },
    async getDelivery(artisanId, endpointId, deliveryId) {
      const row = await first(db, selectDeliveries(artisanId, endpointId).where('d.id', '=', deliveryId));
      return row && toDelivery(row);
    },
  };
}
