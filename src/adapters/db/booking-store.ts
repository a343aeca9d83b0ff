import { sql } from 'kysely';
import { serviceFromRow, type ServiceRow } from './service-row.ts';
import type { BookingRecord } from '../../domain/booking.ts';
import type { BookingStore, BookingTx, HoldOutcome, HoldRequest, OutboxMessage } from '../../app/ports/booking-store.ts';
import type { DayContext } from '../../domain/day-context.ts';
import type { TechnicianLoad, TechnicianRoute, ZoneEntry } from '../../domain/routing.ts';
import type { ServiceRecord } from '../../domain/service.ts';
import { DuplicateCodeError, SlotTakenError } from '../../app/ports/booking-store.ts';
import type { ScheduleException, WeeklyRule } from '../../domain/schedule.ts';
import type { Occupation } from '../../domain/slots.ts';
import type { PlanCode } from '../../domain/plans.ts';
import { footprint } from '../../domain/intervals.ts';
import { makeFreshReads } from './fresh-reads.ts';
import { BoundedMap, DAY_CACHE_SIZE, DAY_RULES_CACHE_SIZE, SERVICES_CACHE_SIZE, dayContextKey, dayRulesKey, servicesKey } from '../../app/creation-state.ts';
import { EXCLUSION_VIOLATION, UNIQUE_VIOLATION, sqlState, type Database, type Queryable } from './database.ts';
import { blockedRange, bookingColumns, selectBookings, toBooking } from './booking-row.ts';
import { first, qb, run } from './kysely.ts';
import { storedObject } from './stored.ts';

/**
 * One call reads the service, the artisan's settings and rules, the day's exception and
 * everything occupying the window (migration 0002): availability costs one round trip
 * whatever the number of bookings and busy blocks.
 */
const DAY_CONTEXT_SQL = `SELECT day_context_since($1, $2, $3, $4, $5, $6) AS r`;
/** The day context, the calendars due for a sync and the terms of sale: a booking's read step (migration 0022). */
const BOOKING_CONTEXT_SQL = `SELECT booking_context_since($1, $2, $3, $4, $5, $6, $7, $8) AS r`;
const ACTIVE_SERVICES_SQL = `SELECT active_services_since($1, $2) AS r`;
/** The hot statements above and the creation steps are kept prepared per connection. */
const PREPARED = { prepared: true } as const;


/** The hold statuses, as SQL says them (booking_is_hold, migration 0024): one definition. */
const isHold = sql<boolean>`booking_is_hold(b.status)`;
const ofTopics = (topics: string[]) => sql<boolean>`topic = ANY(${topics})`;

/** day_rules' JSON (src/adapters/db/functions/day_rules.sql): what the day takes from the business. */
interface DayRulesJson {
  service: ServiceRow;
  artisan: {
    id: string;
    timezone: string;
    plan: PlanCode;
    slot_step_minutes: number;
    min_notice_minutes: number;
    booking_horizon_days: number;
    calendar_sync_enabled: boolean;
    closed_on_public_holidays: boolean;
    phone: string | null;
  };
  rules: (WeeklyRule & { kind: 'opening' | 'break' })[];
  technicians: { id: string; priority: number; performs: boolean; zones: ZoneEntry[]; team: string | null }[];
}
/** day_occupations' JSON (src/adapters/db/functions/day_occupations.sql): what the day takes from itself. */
interface DayOccupationsJson {
  exceptions: ScheduleException[];
  /** Instants as epoch ms (JSON numbers). */
  bookings: { id: string; code: string; summary: string; s: number; e: number; t: string | null }[];
  blocks: { provider: string; summary: string; s: number; e: number; m: string | null }[];
}
/**
 * day_context_since's JSON: "unchanged since `version`" (no day), the day read at `version`
 * with the business's rules when the caller's copy of them (read at `rules_version`) was not
 * current, or null (no such service).
 */
type DayAnswer = { version: string; rules_version?: string; rules?: DayRulesJson | null; day?: DayOccupationsJson } | null;
/** day_rules decoded: kept per business and service (DAY_RULES_CACHE_SIZE), shared by the days read with it. */
interface DayRules {
  service: ServiceRecord;
  artisan: Omit<DayContext['artisan'], 'schedule'>;
  schedule: Omit<DayContext['artisan']['schedule'], 'exceptions'>;
  technicians: TechnicianRoute[];
  phone: string | null;
}
/** booking_context_since's JSON. */
interface BookingContextJson {
  day: DayAnswer;
  stale: { artisanId: string; id: string }[];
  artisan: { terms_of_sale: string | null } | null;
  rules: string | null;
}
/** active_services_since's JSON: unchanged since `version` (no services), or the list. */
interface ActiveServicesJson {
  version: string;
  services?: ServiceRow[];
}
/** booking_hold's JSON. */
interface HoldJson {
  outcome: HoldOutcome['outcome'];
  capture_method?: 'automatic' | 'manual';
  reminder_hours?: number;
  own?: boolean;
  phone?: string | null;
}

function toDayRules(json: DayRulesJson): DayRules {
  const r = json.artisan;
  const strip = ({ id, dayOfWeek, startMinutes, endMinutes }: WeeklyRule): WeeklyRule => ({ id, dayOfWeek, startMinutes, endMinutes });
  return {
    service: serviceFromRow(json.service),
    artisan: {
      id: r.id,
      timezone: r.timezone,
      plan: r.plan,
      slotStepMinutes: r.slot_step_minutes,
      minNoticeMinutes: r.min_notice_minutes,
      bookingHorizonDays: r.booking_horizon_days,
      calendarSyncEnabled: r.calendar_sync_enabled,
    },
    schedule: {
      openingRules: json.rules.filter((x) => x.kind === 'opening').map(strip),
      breakRules: json.rules.filter((x) => x.kind === 'break').map(strip),
      closedOnPublicHolidays: r.closed_on_public_holidays,
    },
    technicians: json.technicians.map((t) => ({ id: t.id, priority: t.priority, performs: t.performs, zones: t.zones, teamId: t.team })),
    phone: r.phone,
  };
}

function toDayContext(rules: DayRules, day: DayOccupationsJson): DayContext {
  const occupations: Occupation[] = [];
  for (const b of day.bookings) {
    occupations.push({
      startMs: b.s,
      endMs: b.e,
      bookingId: b.id,
      blocker: { type: 'booking', bookingPublicCode: b.code, summary: b.summary },
      ...(b.t ? { technicianId: b.t } : {}),
    });
  }
  for (const k of day.blocks) {
    occupations.push({
      startMs: k.s,
      endMs: k.e,
      blocker: { type: 'calendar', providerId: k.provider, summary: k.summary },
      ...(k.m ? { technicianId: k.m } : {}),
    });
  }
  return {
    service: rules.service,
    artisan: { ...rules.artisan, schedule: { ...rules.schedule, exceptions: day.exceptions } },
    occupations,
    technicians: rules.technicians,
    phone: rules.phone,
  };
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

/** A transaction of one business: every row it reads or writes is that business's. */
export function makeTx(q: Queryable, uuid: () => string, artisanId: string): BookingTx {
  const scope = (of: string): string => {
    if (of !== artisanId) throw new Error(`a transaction of business ${artisanId} was handed business ${of}'s data`);
    return of;
  };
  return {
    async lockBooking(id) {
      // The artisan's write lock first, then the row: every writer takes them in that order.
      await lockArtisanBookings(q, artisanId);
      const row = await first(q, selectBookings().where('b.artisan_id', '=', artisanId).where('b.id', '=', id).forUpdate('b'));
      return row ? toBooking(row) : undefined;
    },
    async updateBooking(b, cancellation) {
      await lockArtisanBookings(q, scope(b.artisanId));
      await run(
        q,
        qb
          .updateTable('bookings')
          .set({
            status: b.status,
            starts_at: new Date(b.startMs),
            ends_at: new Date(b.endMs),
            blocked_range: sql<string>`${blockedRange(b)}::tstzrange`,
            payment_status: b.paymentStatus,
            payment_intent_id: b.paymentIntentId,
            refund_cents: b.refundCents,
            hold_expires_at: b.holdExpiresMs === null ? null : new Date(b.holdExpiresMs),
            cancelled_by: b.cancelledBy,
            updated_at: new Date(b.updatedMs),
            cancelled_at: sql<Date>`coalesce(${cancellation ? new Date(cancellation.cancelledAtMs) : null}::timestamptz, cancelled_at)`,
            cancellation_reason: sql<string>`coalesce(${cancellation?.reason ?? null}::text, cancellation_reason)`,
            refund_cap_cents: b.refundCapCents,
            disputed_at: b.dispute ? new Date(b.dispute.openedMs) : null,
            dispute: b.dispute ? JSON.stringify({ reason: b.dispute.reason, amountCents: b.dispute.amountCents, status: b.dispute.status }) : null,
            refunded_cents: b.refundedCents,
          })
          .where('artisan_id', '=', artisanId)
          .where('id', '=', b.id),
      ).catch(translate);
    },
    async busyBlockOverlaps(artisanId, { startMs, endMs }, technicianId) {
      let blocks = qb
        .selectFrom('busy_blocks')
        .select(sql<number>`1`.as('one'))
        .where('artisan_id', '=', scope(artisanId))
        .where('source', '=', 'external')
        .where(sql<boolean>`during && tstzrange(${new Date(startMs)}, ${new Date(endMs)})`);
      if (technicianId) blocks = blocks.where((eb) => eb.or([eb('member_id', 'is', null), eb('member_id', '=', technicianId)]));
      const rows = await run(
        q,
        blocks.limit(1),
      );
      return rows.length > 0;
    },
    async putBookingBusyBlock(b) {
      await run(
        q,
        qb
          .insertInto('busy_blocks')
          .values({
            id: uuid(),
            artisan_id: scope(b.artisanId),
            provider_id: 'artisanconnect',
            source: 'booking',
            summary: `${b.serviceName} - ${b.customer.name}`,
            starts_at: new Date(b.startMs),
            ends_at: new Date(b.endMs),
            booking_id: b.id,
          })
          .onConflict((oc) =>
            oc.columns(['artisan_id', 'booking_id']).doUpdateSet((eb) => ({
              starts_at: eb.ref('excluded.starts_at'),
              ends_at: eb.ref('excluded.ends_at'),
              summary: eb.ref('excluded.summary'),
              updated_at: sql<Date>`now()`,
            })),
          ),
      );
    },
    async removeBookingBusyBlock(bookingId) {
      await run(q, qb.deleteFrom('busy_blocks').where('artisan_id', '=', artisanId).where('booking_id', '=', bookingId));
    },
    async enqueue(messages: OutboxMessage[]) {
      if (messages.length === 0) return;
      // One statement for all the rows of a change: one round trip, whatever the driver.
      await run(
        q,
        qb.insertInto('outbox').values(
          messages.map((m) => ({
            artisan_id: artisanId,
            id: uuid(),
            topic: m.topic,
            booking_id: m.bookingId ?? null,
            payload: JSON.stringify(m.payload ?? {}),
            run_at: m.runAtMs === undefined ? sql<Date>`now()` : new Date(m.runAtMs),
          })),
        ),
      );
    },
    async cancelPending(bookingId, topics) {
      await run(
        q,
        qb
          .updateTable('outbox')
          .set({ status: 'cancelled' })
          .where('artisan_id', '=', artisanId)
          .where('booking_id', '=', bookingId)
          .where(ofTopics(topics))
          .where('status', '=', 'pending'),
      );
    },
    async supersedePending(bookingId, topic) {
      // Claimed rows too: a worker holding one re-reads the booking and drops it as stale.
      const rows = await run(
        q,
        qb
          .with('superseded', (db) =>
            db
              .updateTable('outbox')
              .set({ status: 'cancelled', last_error: 'superseded by a later change' })
              .where('artisan_id', '=', artisanId)
              .where('booking_id', '=', bookingId)
              .where('topic', '=', topic)
              .where('status', '=', 'pending')
              .returning(['payload', 'created_at', 'id']),
          )
          .selectFrom('superseded')
          .select('payload')
          .orderBy('created_at')
          .orderBy('id'),
      );
      return rows.map((r) => storedObject(r.payload));
    },
    async completePending(bookingId, topics) {
      await run(
        q,
        qb
          .updateTable('outbox')
          .set({ status: 'done', done_at: sql<Date>`now()`, locked_by: null })
          .where('artisan_id', '=', artisanId)
          .where('booking_id', '=', bookingId)
          .where(ofTopics(topics))
          .where('status', '=', 'pending'),
      );
    },
    async reminderHours(of) {
      // The artisan exists (bookings reference it); its default lead time is the column's (migration 0001).
      const row = await first(q, qb.selectFrom('artisans').select('reminder_hours_before').where('id', '=', scope(of)));
      return row!.reminder_hours_before;
    },
    async appendEvent(e) {
      await run(
        q,
        qb.insertInto('booking_events').values({ artisan_id: artisanId, booking_id: e.bookingId, type: e.type, actor: e.actor, data: JSON.stringify(e.data ?? {}) }),
      );
    },
  };
}

/** One write of a planned change, as booking_apply reads it (src/adapters/db/functions/booking_apply.sql). */
type PlannedOp =
  | { op: 'update'; row: ReturnType<typeof bookingColumns> }
  | { op: 'put_busy_block'; row: { id: string; artisan_id: string; summary: string; starts_at: Date; ends_at: Date; booking_id: string } }
  | { op: 'remove_busy_block'; booking_id: string }
  | { op: 'enqueue'; rows: { id: string; topic: string; booking_id: string | null; payload: Record<string, unknown>; run_at: Date | null }[] }
  | { op: 'cancel_pending' | 'complete_pending'; booking_id: string; topics: string[] }
  | { op: 'event'; booking_id: string; type: string; actor: string; data: Record<string, unknown> };

/** A read the planned transaction cannot answer without the database: the general path runs instead. */
class NotPlannable extends Error {}

/**
 * A BookingTx that writes nothing: it records the writes as booking_apply operations
 * (migration 0021) and answers the reads it knows (the booking as the caller saw it, the
 * artisan's reminder lead time). The same code (applyTransition, the effects) thus plans
 * the writes the general transaction would make, statement for statement.
 */
function planningTx(expected: BookingRecord, known: { reminderHours?: number }, uuid: () => string, ops: PlannedOp[]): BookingTx {
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
        row: { id: uuid(), artisan_id: b.artisanId, summary: `${b.serviceName} - ${b.customer.name}`, starts_at: new Date(b.startMs), ends_at: new Date(b.endMs), booking_id: b.id },
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
          run_at: m.runAtMs === undefined ? null : new Date(m.runAtMs),
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

/** booking_hold in one statement on `db` (the pool: its own transaction; or an open transaction). */
async function holdOn(db: Queryable, request: HoldRequest): Promise<HoldOutcome> {
  const { booking: b } = request;
  const { startMs, endMs } = footprint(b);
  const rows = await db
    .query<{ r: HoldJson }>(
      `SELECT booking_hold($1::jsonb) AS r`,
      [
        JSON.stringify({
          booking: bookingColumns(b),
          actor: request.actor,
          from: new Date(startMs),
          to: new Date(endMs),
          within_authorization: request.withinAuthorization,
          cap: request.cap && { limit: request.cap.limit, from: new Date(request.cap.fromMs), to: new Date(request.cap.toMs) },
          consent: request.consent && {
            accepted_at: new Date(request.consent.acceptedMs),
            terms_version: request.consent.termsVersion,
            ...(request.consent.nextVisit ? { next_visit: true } : {}),
          },
          idempotency: request.idempotency,
          ...(request.planned ? { rules: request.planned.rulesStamp } : {}),
          ...(request.planned?.calendars
            ? { stale_before: new Date(request.planned.calendars.staleBeforeMs), now: new Date(request.planned.calendars.nowMs) }
            : {}),
        }),
      ],
      PREPARED,
    )
    .catch(translate);
  const r = rows[0]!.r;
  if (r.outcome === 'slot_taken') return { outcome: 'slot_taken', own: r.own === true };
  if (r.outcome === 'suspended') return { outcome: 'suspended', phone: r.phone ?? null };
  if (r.outcome !== 'held') return { outcome: r.outcome };
  return { outcome: 'held', captureMethod: r.capture_method!, reminderHours: r.reminder_hours! };
}

/** The writes fn plans on `expected`, applied by booking_apply on `db` if the row is still as expected. */
async function applyPlannedOn<T>(
  db: Queryable,
  uuid: () => string,
  expected: BookingRecord,
  known: { reminderHours?: number },
  fn: (tx: BookingTx) => Promise<T>,
): Promise<{ applied: true; value: T } | { applied: false }> {
  const ops: PlannedOp[] = [];
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
        updated_at: new Date(expected.updatedMs),
        payment_intent_id: expected.paymentIntentId,
        ops,
      }),
    ], PREPARED)
    .catch(translate);
  return rows[0]?.ok ? { applied: true, value } : { applied: false };
}

export function makeBookingStore(db: Database, uuid: () => string): BookingStore {
  // Bounds, keys and invalidation: src/app/creation-state.ts.
  const dayCache = new BoundedMap<string, { version: string; ctx: DayContext }>(DAY_CACHE_SIZE);
  const rulesCache = new BoundedMap<string, { version: string; rules: DayRules }>(DAY_RULES_CACHE_SIZE);
  const servicesCache = new BoundedMap<string, { version: string; services: ServiceRecord[] }>(SERVICES_CACHE_SIZE);
  const freshServices = makeFreshReads<string, ServiceRecord[]>();
  const freshDays = makeFreshReads<string, DayContext | undefined>();
  /**
   * The day context from day_context_since's answer: decoded, or the cached copy it says is
   * current. `cached` and `knownRules` are the copies whose versions were sent (taken before
   * the query: a concurrent request may replace the cache entries meanwhile).
   */
  const dayFrom = (
    key: string,
    cached: { version: string; ctx: DayContext } | undefined,
    rulesKey: string,
    knownRules: { version: string; rules: DayRules } | undefined,
    answer: DayAnswer,
  ): DayContext | undefined => {
    if (!answer) return undefined;
    if (!answer.day) return cached?.version === answer.version ? cached.ctx : undefined;
    let rules: DayRules;
    if (answer.rules) {
      rules = toDayRules(answer.rules);
      rulesCache.set(rulesKey, { version: answer.rules_version!, rules });
    } else if (knownRules && knownRules.version === answer.rules_version) {
      rules = knownRules.rules;
    } else {
      return undefined;
    }
    const ctx = toDayContext(rules, answer.day);
    dayCache.set(key, { version: answer.version, ctx });
    return ctx;
  };
  return {
    listActiveServices(artisanId) {
      // One round trip to a function (its plan cached per connection) that answers "unchanged"
      // while the business's data_version did not move; the same array is then handed back.
      // Requests at the same time share a read that began after they asked (fresh-reads.ts).
      const key = servicesKey(artisanId);
      return freshServices(key, async () => {
        const known = servicesCache.get(key);
        const rows = await db.query<{ r: ActiveServicesJson | null }>(ACTIVE_SERVICES_SQL, [artisanId, known?.version ?? null], PREPARED);
        const answer = rows[0]?.r;
        if (!answer) return [];
        if (!answer.services && known?.version === answer.version) return known.services;
        const services = (answer.services ?? []).map(serviceFromRow);
        servicesCache.set(key, { version: answer.version, services });
        return services;
      });
    },
    readDayContext(artisanId, serviceId, fromMs, toMs) {
      const key = dayContextKey(artisanId, serviceId, fromMs, toMs);
      return freshDays(key, async () => {
        const cached = dayCache.get(key);
        // A day not read yet (or changed) costs only its own rows while the business's rules are kept.
        const rulesKey = dayRulesKey(artisanId, serviceId);
        const knownRules = rulesCache.get(rulesKey);
        const rows = await db.query<{ r: DayAnswer }>(
          DAY_CONTEXT_SQL,
          [artisanId, serviceId, new Date(fromMs), new Date(toMs), cached?.version ?? null, knownRules?.version ?? null],
          PREPARED,
        );
        return dayFrom(key, cached, rulesKey, knownRules, rows[0]?.r ?? null);
      });
    },
    async readBookingContext(artisanId, serviceId, fromMs, toMs, { nowMs, staleMs }) {
      const key = dayContextKey(artisanId, serviceId, fromMs, toMs);
      const cached = dayCache.get(key);
      const rulesKey = dayRulesKey(artisanId, serviceId);
      const knownRules = rulesCache.get(rulesKey);
      const rows = await db.query<{ r: BookingContextJson }>(
        BOOKING_CONTEXT_SQL,
        [artisanId, serviceId, new Date(fromMs), new Date(toMs), cached?.version ?? null, new Date(nowMs - staleMs), new Date(nowMs), knownRules?.version ?? null],
        PREPARED,
      );
      const r = rows[0]!.r;
      return {
        ctx: dayFrom(key, cached, rulesKey, knownRules, r.day),
        staleCalendars: r.stale,
        terms: r.artisan ? { text: r.artisan.terms_of_sale } : undefined,
        rulesStamp: r.rules ?? null,
      };
    },
    async findBookingByCode(publicCode) {
      const row = await first(db, selectBookings().where('b.public_code', '=', publicCode));
      return row ? toBooking(row) : undefined;
    },
    async findBookingById(id, artisanId) {
      const byId = selectBookings().where('b.id', '=', id);
      const row = await first(db, artisanId === undefined ? byId : byId.where('b.artisan_id', '=', artisanId));
      return row ? toBooking(row) : undefined;
    },
    async findOwnHold(q) {
      const row = await first(
        db,
        selectBookings()
          .where(isHold)
          .where('b.artisan_id', '=', q.artisanId)
          .where('b.service_id', '=', q.serviceId)
          .where('b.starts_at', '=', new Date(q.startMs))
          .where('b.customer_email', 'is not distinct from', q.customer.email ?? null)
          .where('b.customer_name', '=', q.customer.name)
          .where('b.customer_phone', 'is not distinct from', q.customer.phone ?? null)
          .where('b.payment_method_id', 'is not distinct from', q.paymentMethodId),
      );
      return row ? toBooking(row) : undefined;
    },
    async technicianLoads(artisanId, technicianIds, { weekFromMs, weekToMs, beforeMs }) {
      const loads = new Map<string, TechnicianLoad>();
      if (technicianIds.length === 0) return loads;
      const rows = await run(
        db,
        qb
          .selectFrom('bookings as b')
          .select([
            'b.technician_id',
            sql<number>`coalesce(sum(b.duration_minutes) FILTER (WHERE b.starts_at >= ${new Date(weekFromMs)} AND b.starts_at < ${new Date(weekToMs)}), 0)::int`.as('week_minutes'),
            sql<number | null>`(extract(epoch FROM max(b.starts_at) FILTER (WHERE b.starts_at < ${new Date(beforeMs)})) * 1000)::float8`.as('last_ms'),
          ])
          .where('b.artisan_id', '=', artisanId)
          .where('b.technician_id', 'in', [...technicianIds])
          .where(sql<boolean>`booking_holds_slot(b.status)`)
          .groupBy('b.technician_id'),
      );
      for (const r of rows) {
        if (r.technician_id) loads.set(r.technician_id, { weekMinutes: Number(r.week_minutes), lastBookingMs: r.last_ms === null ? null : Number(r.last_ms) });
      }
      return loads;
    },
    async findStaleHolds(nowMs, limit) {
      const rows = await run(db, selectBookings().where(isHold).where('b.hold_expires_at', '<', new Date(nowMs)).orderBy('b.hold_expires_at').limit(limit));
      return rows.map(toBooking);
    },
    async findOpenPayments({ quietSinceMs, endedSinceMs, limit }) {
      const quietSince = new Date(quietSinceMs);
      const rows = await run(
        db,
        selectBookings()
          .where('b.payment_intent_id', 'is not', null)
          .where((eb) =>
            eb.or([
              eb.and([isHold, eb('b.updated_at', '<', quietSince)]),
              eb.and([
                eb('b.status', 'in', ['expired', 'payment_failed']),
                eb('b.payment_status', 'in', ['pending', 'failed']),
                eb('b.updated_at', '>=', new Date(endedSinceMs)),
                eb('b.updated_at', '<', quietSince),
              ]),
            ]),
          )
          // Businesses take turns (issue 19 item 7): each one's oldest first, every business's
          // first before anyone's second, so one business's stuck payments (its provider account
          // unavailable, left as they were) never fill every pass.
          .select(sql<number>`row_number() OVER (PARTITION BY b.artisan_id ORDER BY b.updated_at, b.id)`.as('turn'))
          .orderBy(sql`turn`)
          .orderBy('b.updated_at')
          .limit(limit),
      );
      return rows.map(toBooking);
    },
    transaction: (artisanId, fn) => db.transaction((q) => fn(makeTx(q, uuid, artisanId))),
    holdSlot: (request) => holdOn(db, request),
    applyPlanned: (expected, known, fn) => applyPlannedOn(db, uuid, expected, known, fn),
    holdAndSettle: (request, settle) =>
      // One transaction, so one commit (one WAL flush) for the hold and what settles it: the
      // same two functions (booking_hold, booking_apply) as when a provider call stands
      // between them and each commits alone.
      db.transaction(async (q) => {
        const held = await holdOn(q, request);
        if (held.outcome !== 'held') return { held, settled: undefined };
        const settled = await settle(held, { applyPlanned: (expected, known, fn) => applyPlannedOn(q, uuid, expected, known, fn) });
        return { held, settled };
      }),
  };
}
