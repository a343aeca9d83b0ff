import { toService } from './service-row.ts';
import type { Address } from '../../domain/address.ts';
import type { BookingDispute, BookingRecord } from '../../domain/booking.ts';
import type { BookingStore, BookingTx, HoldOutcome, OutboxMessage } from '../../app/ports/booking-store.ts';
import type { DayContext } from '../../domain/day-context.ts';
import type { ServiceRecord } from '../../domain/service.ts';
import { DuplicateCodeError, SlotTakenError } from '../../app/ports/booking-store.ts';
import type { ScheduleException, WeeklyRule } from '../../domain/schedule.ts';
import type { Occupation } from '../../domain/slots.ts';
import { footprint } from '../../domain/intervals.ts';
import { makeFreshReads } from './fresh-reads.ts';
import { EXCLUSION_VIOLATION, UNIQUE_VIOLATION, sqlState, type Database, type Queryable } from './database.ts';

const ms = (v: unknown): number => (v instanceof Date ? v.getTime() : new Date(String(v)).getTime());
const iso = (epochMs: number): string => new Date(epochMs).toISOString();


type Row = Record<string, unknown>;


/**
 * One call reads the service, the artisan's settings and rules, the day's exception and
 * everything occupying the window (migration 0002): availability costs one round trip
 * whatever the number of bookings and busy blocks.
 */
const DAY_CONTEXT_SQL = `SELECT day_context_since($1, $2, $3, $4) AS r`;
/** The day context, the calendars due for a sync and the terms of sale: a booking's read step (migration 0022). */
const BOOKING_CONTEXT_SQL = `SELECT booking_context_since($1, $2, $3, $4, $5, $6) AS r`;
const ACTIVE_SERVICES_SQL = `SELECT active_services_since($1) AS r`;
/** The hot statements above and the creation steps are kept prepared per connection. */
const PREPARED = { prepared: true } as const;

/** Day contexts already read, with the artisan data_version they were read at (migration 0003). */
const DAY_CACHE_SIZE = 2_000;

interface RuleJson extends WeeklyRule {
  kind: 'opening' | 'break';
}

function toDayContext(ctx: Row): DayContext {
  const r = ctx.artisan as Row;
  const rules = ctx.rules as RuleJson[];
  const strip = ({ id, dayOfWeek, startMinutes, endMinutes }: RuleJson): WeeklyRule => ({ id, dayOfWeek, startMinutes, endMinutes });
  const occupations: Occupation[] = [];
  for (const b of ctx.bookings as { id: string; code: string; summary: string; s: number; e: number }[]) {
    occupations.push({
      startMs: Number(b.s),
      endMs: Number(b.e),
      bookingId: b.id,
      blocker: { type: 'booking', bookingPublicCode: b.code, summary: b.summary },
    });
  }
  for (const k of ctx.blocks as { provider: string; summary: string; s: number; e: number }[]) {
    occupations.push({ startMs: Number(k.s), endMs: Number(k.e), blocker: { type: 'calendar', providerId: k.provider, summary: k.summary } });
  }
  return {
    service: toService(ctx.service as Row),
    artisan: {
      id: r.id as string,
      timezone: r.timezone as string,
      plan: r.plan as DayContext['artisan']['plan'],
      slotStepMinutes: r.slot_step_minutes as number,
      minNoticeMinutes: r.min_notice_minutes as number,
      bookingHorizonDays: r.booking_horizon_days as number,
      calendarSyncEnabled: r.calendar_sync_enabled as boolean,
      schedule: {
        openingRules: rules.filter((x) => x.kind === 'opening').map(strip),
        breakRules: rules.filter((x) => x.kind === 'break').map(strip),
        exceptions: ctx.exceptions as ScheduleException[],
        closedOnPublicHolidays: r.closed_on_public_holidays as boolean,
      },
    },
    occupations,
  };
}

export const BOOKING_SELECT = `SELECT b.*, a.timezone,
  (extract(epoch FROM lower(b.blocked_range)) * 1000)::float8 AS blocked_from_ms,
  (extract(epoch FROM upper(b.blocked_range)) * 1000)::float8 AS blocked_to_ms
  FROM bookings b JOIN artisans a ON a.id = b.artisan_id`;

export function toBooking(r: Row): BookingRecord {
  const booking: BookingRecord = {
    id: r.id as string,
    publicCode: r.public_code as string,
    artisanId: r.artisan_id as string,
    serviceId: r.service_id as string,
    serviceName: r.service_name as string,
    status: r.status as BookingRecord['status'],
    channel: r.channel as BookingRecord['channel'],
    customer: { name: r.customer_name as string, email: r.customer_email as string },
    startMs: ms(r.starts_at),
    endMs: ms(r.ends_at),
    durationMinutes: r.duration_minutes as number,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    priceCents: r.price_cents as number,
    depositRate: Number(r.deposit_rate),
    depositCents: r.deposit_cents as number,
    paymentStatus: r.payment_status as BookingRecord['paymentStatus'],
    paymentProvider: (r.payment_provider as string | null) ?? null,
    paymentIntentId: (r.payment_intent_id as string | null) ?? null,
    paymentMethodId: (r.payment_method_id as string | null) ?? null,
    refundCents: r.refund_cents as number,
    refundedCents: (r.refunded_cents as number | undefined) ?? 0,
    refundPolicy: r.refund_policy as BookingRecord['refundPolicy'],
    notifyEmail: r.notify_email as boolean,
    notifySms: r.notify_sms as boolean,
    timezone: r.timezone as string,
    holdExpiresMs: r.hold_expires_at ? ms(r.hold_expires_at) : null,
    captureMethod: (r.capture_method as BookingRecord['captureMethod']) ?? null,
    refundCapCents: (r.refund_cap_cents as number | null) ?? null,
    dispute: r.disputed_at ? { openedMs: ms(r.disputed_at), ...(r.dispute as Omit<BookingDispute, 'openedMs'>) } : null,
    cancelledBy: (r.cancelled_by as BookingRecord['cancelledBy']) ?? null,
    createdMs: ms(r.created_at),
    updatedMs: ms(r.updated_at),
  };
  if (r.customer_phone) booking.customer.phone = r.customer_phone as string;
  if (r.customer_address) booking.customer.address = r.customer_address as Address;
  // blocked_range = [start - before, end + after): the buffers are read back from it.
  booking.bufferBeforeMinutes = Math.round((booking.startMs - Number(r.blocked_from_ms)) / 60_000);
  booking.bufferAfterMinutes = Math.round((Number(r.blocked_to_ms) - booking.endMs) / 60_000);
  return booking;
}

function blockedRange(b: BookingRecord): string {
  const { startMs, endMs } = footprint(b);
  return `[${iso(startMs)},${iso(endMs)})`;
}

function translate(error: unknown): never {
  const state = sqlState(error);
  if (state === EXCLUSION_VIOLATION) throw new SlotTakenError();
  if (state === UNIQUE_VIOLATION && String((error as { constraint?: string }).constraint ?? (error as Error).message).includes('public_code')) {
    throw new DuplicateCodeError();
  }
  throw error;
}

/**
 * Serialises one artisan's writes of active bookings for the rest of the transaction.
 * Without it, overlapping writes can deadlock inside the exclusion constraint check: a hold
 * being confirmed (an UPDATE, so a re-check) waits for a competing INSERT in progress,
 * which waits for the update, and PostgreSQL aborts one of them (40P01, a 500). Every
 * transaction that writes a booking row takes this lock first, so they queue instead.
 */
export async function lockArtisanBookings(q: Queryable, artisanId: string): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`bookings:${artisanId}`]);
}

function makeTx(q: Queryable, uuid: () => string): BookingTx {
  return {
    async lockBooking(id) {
      // The artisan's write lock first, then the row: every writer takes them in that order.
      const owner = await q.query<{ artisan_id: string }>(`SELECT artisan_id FROM bookings WHERE id = $1`, [id]);
      if (owner[0]) await lockArtisanBookings(q, owner[0].artisan_id);
      const rows = await q.query(`${BOOKING_SELECT} WHERE b.id = $1 FOR UPDATE OF b`, [id]);
      return rows[0] ? toBooking(rows[0]) : undefined;
    },
    async updateBooking(b, cancellation) {
      await lockArtisanBookings(q, b.artisanId);
      await q
        .query(
          `UPDATE bookings SET status = $2, starts_at = $3, ends_at = $4, blocked_range = $5::tstzrange, payment_status = $6,
             payment_intent_id = $7, refund_cents = $8, hold_expires_at = $9, cancelled_by = $10, updated_at = $11,
             cancelled_at = coalesce($12, cancelled_at), cancellation_reason = coalesce($13, cancellation_reason),
             refund_cap_cents = $14, disputed_at = $15, dispute = $16, refunded_cents = $17
           WHERE id = $1`,
          [
            b.id, b.status, iso(b.startMs), iso(b.endMs), blockedRange(b), b.paymentStatus, b.paymentIntentId, b.refundCents,
            b.holdExpiresMs === null ? null : iso(b.holdExpiresMs), b.cancelledBy, iso(b.updatedMs),
            cancellation ? iso(cancellation.cancelledAtMs) : null, cancellation?.reason ?? null, b.refundCapCents,
            b.dispute ? iso(b.dispute.openedMs) : null,
            b.dispute ? JSON.stringify({ reason: b.dispute.reason, amountCents: b.dispute.amountCents, status: b.dispute.status }) : null,
            b.refundedCents,
          ],
        )
        .catch(translate);
    },
    async busyBlockOverlaps(artisanId, { startMs, endMs }) {
      const rows = await q.query(
        `SELECT 1 FROM busy_blocks WHERE artisan_id = $1 AND source = 'external' AND during && tstzrange($2, $3) LIMIT 1`,
        [artisanId, iso(startMs), iso(endMs)],
      );
      return rows.length > 0;
    },
    async putBookingBusyBlock(b) {
      await q.query(
        `INSERT INTO busy_blocks (id, artisan_id, provider_id, source, summary, starts_at, ends_at, booking_id)
         VALUES ($1, $2, 'artisanconnect', 'booking', $3, $4, $5, $6)
         ON CONFLICT (booking_id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at,
           summary = excluded.summary, updated_at = now()`,
        [uuid(), b.artisanId, `${b.serviceName} - ${b.customer.name}`, iso(b.startMs), iso(b.endMs), b.id],
      );
    },
    async removeBookingBusyBlock(bookingId) {
      await q.query(`DELETE FROM busy_blocks WHERE booking_id = $1`, [bookingId]);
    },
    async enqueue(messages: OutboxMessage[]) {
      if (messages.length === 0) return;
      // One statement for all the rows of a change: one round trip, whatever the driver.
      const params: unknown[] = [];
      const rows = messages.map((m) => {
        const at = params.length;
        params.push(uuid(), m.topic, m.bookingId ?? null, JSON.stringify(m.payload ?? {}), m.runAtMs === undefined ? null : iso(m.runAtMs));
        return `($${at + 1}, $${at + 2}, $${at + 3}::uuid, $${at + 4}::jsonb, coalesce($${at + 5}::timestamptz, now()))`;
      });
      await q.query(`INSERT INTO outbox (id, topic, booking_id, payload, run_at) VALUES ${rows.join(', ')}`, params);
    },
    async cancelPending(bookingId, topics) {
      await q.query(`UPDATE outbox SET status = 'cancelled' WHERE booking_id = $1 AND topic = ANY($2) AND status = 'pending'`, [
        bookingId,
        topics,
      ]);
    },
    async supersedePending(bookingId, topic) {
      // Claimed rows too: a worker holding one re-reads the booking and drops it as stale.
      const rows = await q.query<{ payload: Record<string, unknown> }>(
        `WITH superseded AS (
           UPDATE outbox SET status = 'cancelled', last_error = 'superseded by a later change'
            WHERE booking_id = $1 AND topic = $2 AND status = 'pending' RETURNING payload, created_at, id)
         SELECT payload FROM superseded ORDER BY created_at, id`,
        [bookingId, topic],
      );
      return rows.map((r) => r.payload);
    },
    async completePending(bookingId, topics) {
      await q.query(
        `UPDATE outbox SET status = 'done', done_at = now(), locked_by = NULL WHERE booking_id = $1 AND topic = ANY($2) AND status = 'pending'`,
        [bookingId, topics],
      );
    },
    async reminderHours(artisanId) {
      // The artisan exists (bookings reference it); its default lead time is the column's (migration 0001).
      const rows = await q.query<{ h: number }>(`SELECT reminder_hours_before AS h FROM artisans WHERE id = $1`, [artisanId]);
      return rows[0]!.h;
    },
    async appendEvent(e) {
      await q.query(`INSERT INTO booking_events (booking_id, type, actor, data) VALUES ($1, $2, $3, $4)`, [
        e.bookingId,
        e.type,
        e.actor,
        JSON.stringify(e.data ?? {}),
      ]);
    },
  };
}

/**
 * A booking as the columns of its row: the one list of them. booking_hold inserts this row
 * whole and booking_apply updates from it (jsonb_populate_record, src/adapters/db/functions);
 * test/booking-columns.test.ts checks it names every column of the table.
 */
export function bookingColumns(b: BookingRecord, cancellation?: { cancelledAtMs: number; reason: string | null }): Row {
  return {
    id: b.id, public_code: b.publicCode, artisan_id: b.artisanId, service_id: b.serviceId, service_name: b.serviceName,
    status: b.status, customer_name: b.customer.name, customer_email: b.customer.email, customer_phone: b.customer.phone ?? null,
    starts_at: iso(b.startMs), ends_at: iso(b.endMs), duration_minutes: b.durationMinutes, blocked_range: blockedRange(b),
    price_cents: b.priceCents, deposit_rate: b.depositRate, deposit_cents: b.depositCents, payment_status: b.paymentStatus,
    payment_provider: b.paymentProvider, payment_intent_id: b.paymentIntentId, payment_method_id: b.paymentMethodId,
    refund_cents: b.refundCents, refunded_cents: b.refundedCents, refund_policy: b.refundPolicy, hold_expires_at: b.holdExpiresMs === null ? null : iso(b.holdExpiresMs),
    notify_email: b.notifyEmail, notify_sms: b.notifySms, created_at: iso(b.createdMs), updated_at: iso(b.updatedMs),
    channel: b.channel, customer_address: b.customer.address ?? null, capture_method: b.captureMethod,
    cancelled_by: b.cancelledBy, cancelled_at: cancellation ? iso(cancellation.cancelledAtMs) : null,
    cancellation_reason: cancellation?.reason ?? null, refund_cap_cents: b.refundCapCents,
    disputed_at: b.dispute ? iso(b.dispute.openedMs) : null,
    dispute: b.dispute ? { reason: b.dispute.reason, amountCents: b.dispute.amountCents, status: b.dispute.status } : null,
    // Euros only (the column's CHECK, migration 0001); anonymised later, by the retention sweep or an erasure.
    currency: 'EUR', anonymized_at: null,
  };
}

/** A read the planned transaction cannot answer without the database: the general path runs instead. */
class NotPlannable extends Error {}

/**
 * A BookingTx that writes nothing: it records the writes as booking_apply operations
 * (migration 0021) and answers the reads it knows (the booking as the caller saw it, the
 * artisan's reminder lead time). The same code (applyTransition, the effects) thus plans
 * the writes the general transaction would make, statement for statement.
 */
function planningTx(expected: BookingRecord, known: { reminderHours?: number }, uuid: () => string, ops: Row[]): BookingTx {
  const unknown = (): never => {
    throw new NotPlannable();
  };
  return {
    async lockBooking(id) {
      // The booking as toBooking would read its row back: the same record the general path works on.
      if (id !== expected.id) return unknown();
      const { startMs, endMs } = footprint(expected);
      return toBooking({ ...bookingColumns(expected), timezone: expected.timezone, blocked_from_ms: startMs, blocked_to_ms: endMs });
    },
    async updateBooking(b, cancellation) {
      // booking_apply does not write refunded_cents (no planned change moves it): the general path does.
      if (b.refundedCents !== expected.refundedCents) unknown();
      ops.push({ op: 'update', row: bookingColumns(b, cancellation) });
    },
    busyBlockOverlaps: unknown,
    async putBookingBusyBlock(b) {
      ops.push({
        op: 'put_busy_block',
        row: { id: uuid(), artisan_id: b.artisanId, summary: `${b.serviceName} - ${b.customer.name}`, starts_at: iso(b.startMs), ends_at: iso(b.endMs), booking_id: b.id },
      });
    },
    async removeBookingBusyBlock(bookingId) {
      ops.push({ op: 'remove_busy_block', booking_id: bookingId });
    },
    async enqueue(messages) {
      if (messages.length === 0) return;
      ops.push({
        op: 'enqueue',
        rows: messages.map((m) => ({
          id: uuid(),
          topic: m.topic,
          booking_id: m.bookingId ?? null,
          payload: m.payload ?? {},
          run_at: m.runAtMs === undefined ? null : iso(m.runAtMs),
        })),
      });
    },
    async cancelPending(bookingId, topics) {
      ops.push({ op: 'cancel_pending', booking_id: bookingId, topics });
    },
    supersedePending: unknown,
    async completePending(bookingId, topics) {
      ops.push({ op: 'complete_pending', booking_id: bookingId, topics });
    },
    async appendEvent(e) {
      ops.push({ op: 'event', booking_id: e.bookingId, type: e.type, actor: e.actor, data: e.data ?? {} });
    },
    async reminderHours() {
      return known.reminderHours ?? unknown();
    },
  };
}

export function makeBookingStore(db: Database, uuid: () => string): BookingStore {
  const dayCache = new Map<string, { version: string; ctx: DayContext }>();
  let servicesCache: { version: string; services: ServiceRecord[] } | undefined;
  const freshServices = makeFreshReads<string, ServiceRecord[]>();
  const freshDays = makeFreshReads<string, DayContext | undefined>();
  type DayAnswer = { version: string; ctx?: Row } | null;
  /**
   * The day context from day_context_since's answer: decoded, or the cached copy it says is
   * current. `cached` is the copy whose version was sent (taken before the query: a concurrent
   * request may replace the cache entry meanwhile).
   */
  const dayFrom = (key: string, cached: { version: string; ctx: DayContext } | undefined, answer: DayAnswer): DayContext | undefined => {
    if (!answer) return undefined;
    if (!answer.ctx) return cached?.version === answer.version ? cached.ctx : undefined;
    const ctx = toDayContext(answer.ctx);
    if (dayCache.size >= DAY_CACHE_SIZE) dayCache.clear();
    dayCache.set(key, { version: answer.version, ctx });
    return ctx;
  };
  return {
    listActiveServices() {
      // One round trip to a function (its plan cached per connection) that answers "unchanged"
      // while no artisan's data_version moved; the same array is then handed back. Requests at
      // the same time share a read that began after they asked (fresh-reads.ts).
      return freshServices('services', async () => {
        const known = servicesCache;
        const rows = await db.query<{ r: { version: string; services?: Row[] } }>(ACTIVE_SERVICES_SQL, [known?.version ?? null], PREPARED);
        const answer = rows[0]?.r;
        if (!answer) return [];
        if (!answer.services && known?.version === answer.version) return known.services;
        const services = (answer.services ?? []).map(toService);
        servicesCache = { version: answer.version, services };
        return services;
      });
    },
    readDayContext(serviceId, fromMs, toMs) {
      const key = `${serviceId}|${fromMs}|${toMs}`;
      return freshDays(key, async () => {
        const cached = dayCache.get(key);
        const rows = await db.query<{ r: DayAnswer }>(DAY_CONTEXT_SQL, [serviceId, iso(fromMs), iso(toMs), cached?.version ?? null], PREPARED);
        return dayFrom(key, cached, rows[0]?.r ?? null);
      });
    },
    async readBookingContext(serviceId, fromMs, toMs, { nowMs, staleMs }) {
      const key = `${serviceId}|${fromMs}|${toMs}`;
      const cached = dayCache.get(key);
      const rows = await db.query<{
        r: { day: DayAnswer; stale: { artisanId: string; id: string }[]; artisan: { terms_of_sale: string | null } | null; rules: string | null };
      }>(
        BOOKING_CONTEXT_SQL,
        [serviceId, iso(fromMs), iso(toMs), cached?.version ?? null, iso(nowMs - staleMs), iso(nowMs)],
        PREPARED,
      );
      const r = rows[0]!.r;
      return {
        ctx: dayFrom(key, cached, r.day),
        staleCalendars: r.stale,
        terms: r.artisan ? { text: r.artisan.terms_of_sale } : undefined,
        rulesStamp: r.rules ?? null,
      };
    },
    async findBookingByCode(publicCode) {
      const rows = await db.query(`${BOOKING_SELECT} WHERE b.public_code = $1`, [publicCode]);
      return rows[0] ? toBooking(rows[0]) : undefined;
    },
    async findBookingById(id) {
      const rows = await db.query(`${BOOKING_SELECT} WHERE b.id = $1`, [id]);
      return rows[0] ? toBooking(rows[0]) : undefined;
    },
    async findOwnHold(q) {
      const rows = await db.query(
        `${BOOKING_SELECT} WHERE booking_is_hold(b.status) AND b.artisan_id = $1 AND b.service_id = $2 AND b.starts_at = $3
           AND b.customer_email = $4 AND b.customer_name = $5 AND b.customer_phone IS NOT DISTINCT FROM $6
           AND b.payment_method_id IS NOT DISTINCT FROM $7`,
        [q.artisanId, q.serviceId, iso(q.startMs), q.customer.email, q.customer.name, q.customer.phone ?? null, q.paymentMethodId],
      );
      return rows[0] ? toBooking(rows[0]) : undefined;
    },
    async findStaleHolds(nowMs, limit) {
      const rows = await db.query(
        `${BOOKING_SELECT} WHERE booking_is_hold(b.status) AND b.hold_expires_at < $1
          ORDER BY b.hold_expires_at LIMIT $2`,
        [iso(nowMs), limit],
      );
      return rows.map(toBooking);
    },
    async findOpenPayments({ quietSinceMs, endedSinceMs, limit }) {
      const rows = await db.query(
        `${BOOKING_SELECT} WHERE b.payment_intent_id IS NOT NULL AND (
            (booking_is_hold(b.status) AND b.updated_at < $1)
            OR (b.status IN ('expired', 'payment_failed') AND b.payment_status IN ('pending', 'failed') AND b.updated_at >= $2 AND b.updated_at < $1))
          ORDER BY b.updated_at LIMIT $3`,
        [iso(quietSinceMs), iso(endedSinceMs), limit],
      );
      return rows.map(toBooking);
    },
    transaction: (fn) => db.transaction((q) => fn(makeTx(q, uuid))),
    async holdSlot(request) {
      const { booking: b } = request;
      const { startMs, endMs } = footprint(b);
      const rows = await db
        .query<{ r: { outcome: HoldOutcome['outcome']; capture_method?: 'automatic' | 'manual'; reminder_hours?: number; own?: boolean } }>(
          `SELECT booking_hold($1::jsonb) AS r`,
          [
            JSON.stringify({
              booking: bookingColumns(b),
              actor: request.actor,
              from: iso(startMs),
              to: iso(endMs),
              within_authorization: request.withinAuthorization,
              cap: request.cap && { limit: request.cap.limit, from: iso(request.cap.fromMs), to: iso(request.cap.toMs) },
              consent: request.consent && { accepted_at: iso(request.consent.acceptedMs), terms_version: request.consent.termsVersion },
              idempotency: request.idempotency,
              ...(request.planned ? { rules: request.planned.rulesStamp } : {}),
              ...(request.planned?.calendars
                ? { stale_before: iso(request.planned.calendars.staleBeforeMs), now: iso(request.planned.calendars.nowMs) }
                : {}),
            }),
          ],
          PREPARED,
        )
        .catch(translate);
      const r = rows[0]!.r;
      if (r.outcome === 'slot_taken') return { outcome: 'slot_taken', own: r.own === true };
      if (r.outcome !== 'held') return { outcome: r.outcome };
      return { outcome: 'held', captureMethod: r.capture_method!, reminderHours: r.reminder_hours! };
    },
    async applyPlanned(expected, known, fn) {
      const ops: Row[] = [];
      let value;
      try {
        value = await fn(planningTx(expected, known, uuid, ops));
      } catch {
        // A read the plan cannot answer, or a refusal computed on `expected`: the general
        // path decides on the row itself (and refuses again if the refusal stands).
        return { applied: false };
      }
      const rows = await db
        .query<{ ok: boolean }>(`SELECT booking_apply($1::jsonb) AS ok`, [
          JSON.stringify({
            artisan_id: expected.artisanId,
            booking_id: expected.id,
            status: expected.status,
            updated_at: iso(expected.updatedMs),
            payment_intent_id: expected.paymentIntentId,
            ops,
          }),
        ], PREPARED)
        .catch(translate);
      return rows[0]?.ok ? { applied: true, value } : { applied: false };
    },
  };
}
