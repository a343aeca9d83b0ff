import { sql } from 'kysely';
import type { AdminBookingReader, AgendaEntry, AgendaWeek, BookingQuery, HistoryEntry } from '../../app/admin-bookings.ts';
import { selectBookings, toBooking } from './booking-row.ts';
import type { Database } from './database.ts';
import { dateText } from '../../domain/time.ts';
import { first, qb, run } from './kysely.ts';
import type { Json } from './schema.ts';
import { customerMatchSql } from './customer-store.ts';
import { customerKey, type CustomerRef } from '../../domain/customer-ref.ts';
import { amountDueOnSite } from '../../domain/money.ts';
import { storedAddress, storedPaymentStatus } from './stored.ts';

/** The bookings of one customer: by e-mail, or by phone for a customer without one. */
const ofCustomer = (customer: CustomerRef, alias: 'b') =>
  customer.email !== undefined ? sql<boolean>`${sql.ref(`${alias}.customer_email`)} = ${customer.email}` : sql<boolean>`${sql.ref(`${alias}.customer_phone`)} = ${customer.phone}`;

/** Every booking event's data is the JSON object its writer recorded. */
const eventData = (data: Json): Record<string, unknown> => data as Record<string, unknown>;

/** Placeholders written over an erased customer's data; the record itself stays. */
export const ERASED_NAME = 'Client effacé';
const erasedEmail = (bookingId: string): string => `efface-${bookingId.slice(0, 8)}@anonyme.invalid`;

/** Weeks of agenda kept per process (~50 brief bookings each in practice)... */
export const AGENDA_CACHE_SIZE = 500;
/** ...and brief bookings in all of them (a week may hold up to AGENDA_MAX_BOOKINGS): a few MB at most. */
export const AGENDA_CACHE_BOOKINGS = 20_000;
const AGENDA_SQL = `SELECT agenda_since($1, $2, $3, $4, $5, $6) AS r`;

interface AgendaRow {
  code: string;
  status: AgendaEntry['status'];
  channel: AgendaEntry['channel'];
  service_id: string;
  service_name: string;
  start_ms: number;
  end_ms: number;
  duration_minutes: number;
  customer_name: string;
  customer_phone: string | null;
  address: Json | null;
  price_cents: number;
  deposit_cents: number;
  payment_status: string;
  refunded_cents: number;
  technician_id?: string | null;
  team_id?: string | null;
}

const toAgendaEntry = (r: AgendaRow): AgendaEntry =>
  Object.freeze({
    publicCode: r.code,
    status: r.status,
    channel: r.channel,
    serviceId: r.service_id,
    serviceName: r.service_name,
    startMs: Number(r.start_ms),
    endMs: Number(r.end_ms),
    durationMinutes: r.duration_minutes,
    customerName: r.customer_name,
    customerPhone: r.customer_phone,
    address: r.address ? storedAddress(r.address) : null,
    amountDueCents: amountDueOnSite({
      priceCents: r.price_cents,
      depositCents: r.deposit_cents,
      paymentStatus: storedPaymentStatus(r.payment_status),
      refundedCents: r.refunded_cents,
    }),
    ...(r.technician_id ? { technicianId: r.technician_id } : {}),
    ...(r.team_id ? { teamId: r.team_id } : {}),
  });

/** The bookings a list asks for (its filters), as the CTE its page and count read. */
function matchingOf(q: BookingQuery) {
  const zone = qb.selectFrom('artisans').select('timezone').where('id', '=', q.artisanId);
  let matching = qb
    .selectFrom('bookings as b')
    .select(['b.id', 'b.starts_at', 'b.public_code', 'b.updated_at'])
    .where('b.artisan_id', '=', q.artisanId)
    .where(sql<boolean>`b.status = ANY(${q.statuses})`);
  if (q.from) matching = matching.where(sql<boolean>`b.starts_at >= (${q.from.toString()}::date)::timestamp AT TIME ZONE (${zone})`);
  if (q.to) matching = matching.where(sql<boolean>`b.starts_at < (${q.to.toString()}::date + 1)::timestamp AT TIME ZONE (${zone})`);
  if (q.code) matching = matching.where('b.public_code', '=', q.code);
  if (q.technicianId !== undefined) matching = matching.where('b.technician_id', '=', q.technicianId);
  if (q.search) matching = matching.where(customerMatchSql(q.search, true));
  return matching;
}

export function makeAdminBookingReader(db: Database): AdminBookingReader {
  // Least recently read first (a Map iterates in insertion order; a hit is moved to the end).
  const agendaCache = new Map<string, { version: string; week: AgendaWeek }>();
  let cachedBookings = 0;
  const dropAgenda = (key: string): void => {
    const entry = agendaCache.get(key);
    if (!entry) return;
    cachedBookings -= entry.week.items.length;
    agendaCache.delete(key);
  };
  /** The exact instant of a cursor (microseconds since the epoch, integer arithmetic). */
  const instantOf = (micros: string) => sql<Date>`('epoch'::timestamptz + ${micros}::bigint * interval '1 microsecond')`;
  /**
   * The changes feed: keyset pagination on (updated_at, id), so a booking created or changed
   * during the walk comes after the position reached (never in a page already read), and none
   * is skipped or repeated by rows moving under an offset. The total counts what is left.
   */
  const listChanges = async (q: BookingQuery, changes: NonNullable<BookingQuery['changes']>, base: ReturnType<typeof matchingOf>) => {
    let matching = base;
    if (changes.sinceMs !== undefined) matching = matching.where('b.updated_at', '>=', new Date(changes.sinceMs));
    if (changes.after) matching = matching.where(sql<boolean>`(b.updated_at, b.id) > (${instantOf(changes.after.micros)}, ${changes.after.id}::uuid)`);
    const query = qb.with('matching', () => matching).with('page', (db) => db.selectFrom('matching').select('id').orderBy('updated_at').orderBy('id').limit(q.limit));
    const rows = await run(
      db,
      query
        .selectFrom(selectBookings().where(sql<boolean>`b.id IN (SELECT id FROM page)`).as('listed'))
        .selectAll('listed')
        .select(sql<string>`((extract(epoch from listed.updated_at) * 1000000)::bigint)::text`.as('position_micros'))
        .select((eb) => eb.selectFrom('matching').select(sql<number>`count(*)::int`.as('n')).as('total'))
        .orderBy('listed.updated_at')
        .orderBy('listed.id'),
    );
    return {
      items: rows.map(toBooking),
      total: rows[0]?.total ?? 0,
      positions: rows.map((r) => ({ micros: r.position_micros, id: r.id })),
    };
  };
  return {
    /**
     * One statement, sargable: the local dates become an instant range on the indexed
     * `(artisan_id, starts_at)` (local midnights in the artisan's zone, decisions §3, computed
     * once from the artisan row), and the count and the page come back together.
     */
    async listBookings(q) {
      const matching = matchingOf(q);
      if (q.changes) return listChanges(q, q.changes, matching);
      // The page and the count in one statement; a page past the end (no row to carry the count)
      // asks for the count alone.
      const query = qb
        .with('matching', () => matching)
        .with('page', (db) => db.selectFrom('matching').select('id').orderBy('starts_at').orderBy('public_code').limit(q.limit).offset(q.offset));
      const rows = await run(
        db,
        query
          // The booking select knows no CTE: the page is named in SQL.
          .selectFrom(selectBookings().where(sql<boolean>`b.id IN (SELECT id FROM page)`).as('listed'))
          .selectAll('listed')
          .select((eb) => eb.selectFrom('matching').select(sql<number>`count(*)::int`.as('n')).as('total'))
          .orderBy('listed.starts_at')
          .orderBy('listed.public_code'),
      );
      if (rows.length > 0) return { items: rows.map(toBooking), total: rows[0]!.total ?? 0 };
      if (q.offset === 0) return { items: [], total: 0 };
      const count = await first(db, query.selectFrom('matching').select(sql<number>`count(*)::int`.as('n')));
      return { items: [], total: count?.n ?? 0 };
    },

    /**
     * Only the columns the agenda shows, instants as epoch ms, the same sargable range as
     * listBookings, in one call to agenda_since (migration 0020): while the artisan's
     * data_version has not moved it answers "unchanged" and the week read before is handed
     * back, the same object (callers may keep what they derive from it, keyed by it).
     */
    async listAgenda(q) {
      const from = dateText(q.from);
      const to = dateText(q.to);
      const key = `${q.artisanId}|${from}|${to}|${q.statuses.join(',')}|${q.limit}`;
      const cached = agendaCache.get(key);
      const rows = await db.query<{ r: { version: string; timezone?: string; bookings?: AgendaRow[] } | null }>(AGENDA_SQL, [
        q.artisanId,
        from,
        to,
        q.statuses,
        q.limit,
        cached?.version ?? null,
      ], { prepared: true });
      const answer = rows[0]?.r;
      if (!answer) return { timezone: undefined, items: [] };
      if (!answer.bookings && cached?.version === answer.version) {
        // Most recently read last (unless another read replaced or dropped it meanwhile).
        if (agendaCache.get(key) === cached) {
          agendaCache.delete(key);
          agendaCache.set(key, cached);
        }
        return cached.week;
      }
      const week: AgendaWeek = Object.freeze({ timezone: answer.timezone, items: Object.freeze((answer.bookings ?? []).map(toAgendaEntry)) });
      dropAgenda(key);
      while (agendaCache.size > 0 && (agendaCache.size >= AGENDA_CACHE_SIZE || cachedBookings + week.items.length > AGENDA_CACHE_BOOKINGS)) {
        dropAgenda(agendaCache.keys().next().value!);
      }
      agendaCache.set(key, { version: answer.version, week });
      cachedBookings += week.items.length;
      return week;
    },

    async listHistory(bookingId) {
      const rows = await run(db, qb.selectFrom('booking_events').select(['created_at', 'type', 'actor', 'data']).where('booking_id', '=', bookingId).orderBy('id'));
      return rows.map((r): HistoryEntry => ({ atMs: r.created_at.getTime(), type: r.type, actor: r.actor, data: eventData(r.data) }));
    },

    async findByCustomer(artisanId, customer) {
      const rows = await run(db, selectBookings().where('b.artisan_id', '=', artisanId).where(ofCustomer(customer, 'b')).orderBy('b.starts_at'));
      return rows.map(toBooking);
    },

    async anonymizeCustomer(artisanId, customer, nowMs, actor) {
      return db.transaction(async (tx) => {
        const ids = (
          await run(tx, qb.selectFrom('bookings as b').select('b.id').where('b.artisan_id', '=', artisanId).where(ofCustomer(customer, 'b')).forUpdate())
        ).map((r) => r.id);
        const now = new Date(nowMs);
        for (const id of ids) {
          await run(
            tx,
            qb
              .updateTable('bookings')
              .set({
                customer_name: ERASED_NAME,
                customer_email: erasedEmail(id),
                customer_phone: null,
                customer_address: null,
                problem_description: null,
                cancellation_reason: null,
                notify_email: false,
                notify_sms: false,
                anonymized_at: now,
                updated_at: now,
              })
              .where('id', '=', id),
          );
        }
        const ofErased = sql<boolean>`booking_id = ANY(${ids})`;
        // Their next maintenance visits go too: they are nothing but the customer's contacts.
        await run(tx, qb.deleteFrom('due_visits').where('artisan_id', '=', artisanId).where(sql<boolean>`previous_booking_id = ANY(${ids})`));
        // Their completion reports too: the PDFs name them and give their address.
        await run(tx, qb.deleteFrom('completion_reports').where('artisan_id', '=', artisanId).where(ofErased));
        await run(tx, qb.updateTable('booking_events').set({ data: sql`data - 'reason'` }).where(ofErased));
        await run(
          tx,
          qb
            .updateTable('busy_blocks as b')
            .from('bookings as k')
            .set({ summary: (eb) => eb.ref('k.service_name') })
            .whereRef('b.booking_id', '=', 'k.id')
            .where(sql<boolean>`k.id = ANY(${ids})`),
        );
        await run(tx, qb.updateTable('outbox').set({ status: 'cancelled' }).where(ofErased).where('status', '=', 'pending').where('topic', 'like', 'notify.%'));
        // Webhook events sent about them hold the booking as it was shown, contact details included (issue 21).
        await run(tx, qb.deleteFrom('webhook_events').where('artisan_id', '=', artisanId).where(ofErased));
        // The embedded mailbox keeps copies of the messages, contact details included.
        await run(tx, qb.deleteFrom('mailbox').where(ofErased));
        // Stored idempotent replies hold the booking as it was answered, contact details included.
        const contact = customer.email !== undefined ? sql`response_body -> 'booking' -> 'customer' ->> 'email' = ${customer.email}` : sql`response_body -> 'booking' -> 'customer' ->> 'phone' = ${customer.phone}`;
        await run(tx, qb.deleteFrom('idempotency_keys').where(sql<boolean>`${contact}`));
        // The artisan's private notes about them go too (migration 0031).
        await run(tx, qb.deleteFrom('booking_notes').where('artisan_id', '=', artisanId).where(sql<boolean>`booking_id = ANY(${ids})`));
        await run(tx, qb.deleteFrom('customer_notes').where('artisan_id', '=', artisanId).where('customer_key', '=', customerKey(customer)));
        await tx.query(`INSERT INTO booking_events (artisan_id, booking_id, type, actor, data) SELECT $3, unnest($1::uuid[]), 'customer_erased', $2, '{}'`, [
          ids,
          actor,
          artisanId,
        ]);
        return ids.length;
      });
    },
  };
}
