import { sql, type RawBuilder } from 'kysely';
import type { DueVisit, DueVisitReader, DueVisitState, DueVisitWriter } from '../../app/due-visits.ts';
import { MAINTENANCE_TOPIC } from '../../app/maintenance-invitations.ts';
import { BOOKED_STATUSES } from '../../domain/booking-lifecycle.ts';
import type { BookingRecord } from '../../domain/booking.ts';
import { instantToLocal } from '../../domain/time.ts';
import type { Database, Queryable } from './database.ts';
import { qb, run } from './kysely.ts';
import { storedAddress } from './stored.ts';

/**
 * The statuses of a booking that takes a due visit: booked (possibly moved) or done. A hold
 * still being paid is not yet a booking; a cancelled one, or a no-show, leaves the visit due.
 */
const TAKING_STATUSES: string[] = [...BOOKED_STATUSES, 'completed'];

/**
 * The visit `v` (a table alias) is booked: the customer (same e-mail or phone) has a booking
 * of the service after the visit it follows, whatever the channel (online through the
 * invitation or not, by phone, moved since). Read, never stored: cancelling that booking
 * reopens the visit by itself. The one rule for the list, the invitations and the reminders.
 */
export const visitBooked = (v: string): RawBuilder<boolean> => sql<boolean>`EXISTS (
  SELECT 1 FROM bookings nb
    JOIN bookings pb ON pb.artisan_id = ${sql.ref(`${v}.artisan_id`)} AND pb.id = ${sql.ref(`${v}.previous_booking_id`)}
   WHERE nb.artisan_id = ${sql.ref(`${v}.artisan_id`)} AND nb.service_id = ${sql.ref(`${v}.service_id`)}
     AND nb.starts_at > pb.starts_at AND nb.status = ANY(${TAKING_STATUSES}::text[])
     AND (nb.customer_email = ${sql.ref(`${v}.customer_email`)} OR nb.customer_phone = ${sql.ref(`${v}.customer_phone`)}))`;

/** The customer of visit `v` asked for no more invitations (the opt-out link). */
export const visitDeclined = (v: string): RawBuilder<boolean> => sql<boolean>`EXISTS (
  SELECT 1 FROM maintenance_opt_outs oo
   WHERE oo.artisan_id = ${sql.ref(`${v}.artisan_id`)} AND oo.contact IN (${sql.ref(`${v}.customer_email`)}, ${sql.ref(`${v}.customer_phone`)}))`;

/** The business's local date at `nowMs` (artisans aliased `a`). */
export const localToday = (nowMs: number): RawBuilder<string> => sql<string>`(${new Date(nowMs)}::timestamptz AT TIME ZONE a.timezone)::date`;

/**
 * What the office reads of a visit (issue 22 item 6): closed by hand, booked, declined (opted
 * out), overdue (its date passed), invited, or due.
 */
export const visitState = (v: string, nowMs: number): RawBuilder<DueVisitState> => sql<DueVisitState>`CASE
  WHEN ${sql.ref(`${v}.status`)} = 'closed' THEN 'closed'
  WHEN ${visitBooked(v)} THEN 'booked'
  WHEN ${visitDeclined(v)} THEN 'declined'
  WHEN ${sql.ref(`${v}.due_on`)} < ${localToday(nowMs)} THEN 'overdue'
  WHEN ${sql.ref(`${v}.invited_at`)} IS NOT NULL THEN 'invited'
  ELSE 'due' END`;

/**
 * The day visit `v` is invited (artisans aliased `a`): N weeks before its date (the business's
 * setting, 6 by default), but never before the middle of its interval: a one-month visit is
 * not proposed the day the last one was done.
 */
export const invitationDay = (v: string): RawBuilder<string> =>
  sql<string>`(${sql.ref(`${v}.due_on`)} - least(7 * a.maintenance_invite_weeks, 15 * ${sql.ref(`${v}.interval_months`)}))`;

/** When visit `v`'s invitation goes: its invitation day, at 9:00 in the business's zone. */
export const invitationAt = (v: string): RawBuilder<Date> => sql<Date>`(${invitationDay(v)} + time '09:00') AT TIME ZONE a.timezone`;

/** The outbox job that sends a due visit's invitation or its reminder. */
export const maintenanceJob = (job: { artisanId: string; id: string; dueVisitId: string; step: 'invitation' | 'reminder'; runAt: Date | RawBuilder<Date> }) =>
  qb.insertInto('outbox').values({
    artisan_id: job.artisanId,
    id: job.id,
    topic: MAINTENANCE_TOPIC,
    booking_id: null,
    payload: JSON.stringify({ dueVisitId: job.dueVisitId, step: job.step }),
    run_at: job.runAt,
  });

/**
 * Pending invitations moved to the day the business's lead time now gives (never in the past):
 * every one of the business's (its lead time changed), or one visit's (its due date moved).
 */
export async function rescheduleInvitations(q: Queryable, artisanId: string, nowMs: number, dueVisitId?: string): Promise<void> {
  let update = qb
    .updateTable('outbox as o')
    .from('due_visits as v')
    .innerJoin('artisans as a', 'a.id', 'v.artisan_id')
    .set({ run_at: sql<Date>`greatest(${invitationAt('v')}, ${new Date(nowMs)}::timestamptz)` })
    .where('o.artisan_id', '=', artisanId)
    .where('o.topic', '=', MAINTENANCE_TOPIC)
    .where('o.status', '=', 'pending')
    .where(sql<boolean>`o.payload ->> 'step' = 'invitation'`)
    .where('v.artisan_id', '=', artisanId)
    .where(sql<boolean>`v.id::text = o.payload ->> 'dueVisitId'`);
  if (dueVisitId !== undefined) update = update.where('v.id', '=', dueVisitId);
  await run(q, update);
}

/**
 * Opens the visit that follows a completed booking, in the completion's transaction: only
 * when its service carries an interval and the customer ticked « Me proposer le prochain
 * entretien » when booking. Due on the visit's local date plus the interval (PostgreSQL's
 * month arithmetic: 31 January + 1 month is 28 or 29 February). Once per booking.
 */
export async function openNextVisit(q: Queryable, uuid: () => string, artisanId: string, booking: BookingRecord, nowMs: number): Promise<void> {
  const visitDate = instantToLocal(booking.startMs, booking.timezone).date;
  const now = new Date(nowMs);
  const opened = await run(
    q,
    qb
      .insertInto('due_visits')
      .columns([
        'artisan_id', 'id', 'service_id', 'previous_booking_id', 'due_on', 'interval_months',
        'customer_name', 'customer_email', 'customer_phone', 'address', 'created_at', 'updated_at',
      ])
      .expression(
        qb
          .selectFrom('services as s')
          .innerJoin('booking_consents as c', (j) => j.onRef('c.artisan_id', '=', 's.artisan_id'))
          .select([
            's.artisan_id',
            sql<string>`${uuid()}::uuid`.as('id'),
            's.id as service_id',
            'c.booking_id',
            sql<string>`(${visitDate}::date + make_interval(months => s.maintenance_interval_months))::date`.as('due_on'),
            sql<number>`s.maintenance_interval_months`.as('interval_months'),
            sql<string>`${booking.customer.name}::text`.as('customer_name'),
            sql<string | null>`${booking.customer.email ?? null}::text`.as('customer_email'),
            sql<string | null>`${booking.customer.phone ?? null}::text`.as('customer_phone'),
            sql<string | null>`${booking.customer.address ? JSON.stringify(booking.customer.address) : null}::jsonb`.as('address'),
            sql<Date>`${now}::timestamptz`.as('created_at'),
            sql<Date>`${now}::timestamptz`.as('updated_at'),
          ])
          .where('s.artisan_id', '=', artisanId)
          .where('s.id', '=', booking.serviceId)
          .where('s.maintenance_interval_months', 'is not', null)
          .where('c.booking_id', '=', booking.id)
          .where('c.next_visit', '=', true),
      )
      .onConflict((oc) => oc.constraint('due_visits_previous_booking').doNothing())
      .returning('id'),
  );
  const visit = opened[0];
  if (!visit) return;
  // Its invitation, scheduled durably with it (at once when its time has already come).
  await run(
    q,
    qb
      .insertInto('outbox')
      .columns(['artisan_id', 'id', 'topic', 'booking_id', 'payload', 'run_at'])
      .expression(
        qb
          .selectFrom('due_visits as v')
          .innerJoin('artisans as a', 'a.id', 'v.artisan_id')
          .select([
            'v.artisan_id',
            sql<string>`${uuid()}::uuid`.as('id'),
            sql<string>`${MAINTENANCE_TOPIC}::text`.as('topic'),
            sql<string | null>`NULL::uuid`.as('booking_id'),
            sql<string>`jsonb_build_object('dueVisitId', v.id, 'step', 'invitation')`.as('payload'),
            sql<Date>`greatest(${invitationAt('v')}, ${now}::timestamptz)`.as('run_at'),
          ])
          .where('v.artisan_id', '=', artisanId)
          .where('v.id', '=', visit.id),
      ),
  );
}

export function makeDueVisitReader(db: Database): DueVisitReader {
  return {
    async list(artisanId, filter, nowMs, limit) {
      let query = qb
        .selectFrom('due_visits as v')
        .innerJoin('artisans as a', 'a.id', 'v.artisan_id')
        .innerJoin('services as s', (j) => j.onRef('s.artisan_id', '=', 'v.artisan_id').onRef('s.id', '=', 'v.service_id'))
        .innerJoin('bookings as b', (j) => j.onRef('b.artisan_id', '=', 'v.artisan_id').onRef('b.id', '=', 'v.previous_booking_id'))
        .leftJoin('admin_users as m', (j) => j.onRef('m.artisan_id', '=', 'b.artisan_id').onRef('m.id', '=', 'b.technician_id'))
        .select([
          'v.id', 'v.service_id', 's.name as service_name', 'b.public_code', 'v.interval_months', 'v.invited_at', 'v.reminded_at', 'v.closed_reason',
          'v.customer_name', 'v.customer_email', 'v.customer_phone', 'v.address', 'm.id as technician_id', 'm.name as technician_name',
          sql<string>`v.due_on::text`.as('due_on'),
          visitState('v', nowMs).as('state'),
        ])
        .where('v.artisan_id', '=', artisanId);
      if (filter.id) query = query.where('v.id', '=', filter.id);
      if (filter.month) query = query.where(sql<boolean>`to_char(v.due_on, 'YYYY-MM') = ${filter.month}`);
      if (filter.zone) query = query.where(sql<boolean>`starts_with(v.address ->> 'postalCode', ${filter.zone})`);
      if (filter.technicianId) query = query.where('b.technician_id', '=', filter.technicianId);
      if (filter.status) query = query.where(sql<boolean>`${visitState('v', nowMs)} = ${filter.status}`);
      const rows = await run(db, query.orderBy('v.due_on').orderBy('v.id').limit(limit));
      return rows.map(
        (r): DueVisit => ({
          id: r.id,
          serviceId: r.service_id,
          serviceName: r.service_name,
          previousBookingCode: r.public_code,
          dueOn: r.due_on,
          intervalMonths: r.interval_months,
          status: r.state,
          ...(r.invited_at ? { invitedMs: r.invited_at.getTime() } : {}),
          ...(r.reminded_at ? { remindedMs: r.reminded_at.getTime() } : {}),
          ...(r.closed_reason ? { closedReason: r.closed_reason } : {}),
          ...(r.technician_id ? { technician: { id: r.technician_id, name: r.technician_name ?? '' } } : {}),
          customer: {
            name: r.customer_name,
            ...(r.customer_email ? { email: r.customer_email } : {}),
            ...(r.customer_phone ? { phone: r.customer_phone } : {}),
            ...(r.address ? { address: storedAddress(r.address) } : {}),
          },
        }),
      );
    },
  };
}

/** The visit's invitation and reminder jobs still to run. */
async function cancelPendingInvitations(q: Queryable, artisanId: string, id: string): Promise<void> {
  await run(
    q,
    qb
      .updateTable('outbox')
      .set({ status: 'cancelled' })
      .where('artisan_id', '=', artisanId)
      .where('topic', '=', MAINTENANCE_TOPIC)
      .where('status', '=', 'pending')
      .where(sql<boolean>`payload ->> 'dueVisitId' = ${id}`),
  );
}

export function makeDueVisitWriter(db: Database, uuid: () => string): DueVisitWriter {
  const locked = (q: Queryable, artisanId: string, id: string) =>
    run(q, qb.selectFrom('due_visits').select(['id', 'invite_job_id']).where('artisan_id', '=', artisanId).where('id', '=', id).forUpdate());
  return {
    async inviteNow(artisanId, id, nowMs) {
      return db.transaction(async (q) => {
        if ((await locked(q, artisanId, id)).length === 0) return false;
        await cancelPendingInvitations(q, artisanId, id);
        // Free again: the new job takes the visit (and the customer's others whose time has come).
        await run(
          q,
          qb.updateTable('due_visits').set({ invite_job_id: null, invited_at: null, reminder_job_id: null, reminded_at: null, updated_at: new Date(nowMs) }).where('artisan_id', '=', artisanId).where('id', '=', id),
        );
        await run(
          q,
          maintenanceJob({ artisanId, id: uuid(), dueVisitId: id, step: 'invitation', runAt: new Date(nowMs) }),
        );
        return true;
      });
    },
    async move(artisanId, id, dueOn, nowMs) {
      return db.transaction(async (q) => {
        const [row] = await locked(q, artisanId, id);
        if (!row) return false;
        await run(q, qb.updateTable('due_visits').set({ due_on: sql<Date>`${dueOn}::date`, updated_at: new Date(nowMs) }).where('artisan_id', '=', artisanId).where('id', '=', id));
        if (row.invite_job_id === null) await rescheduleInvitations(q, artisanId, nowMs, id);
        return true;
      });
    },
    async close(artisanId, id, reason, nowMs) {
      return db.transaction(async (q) => {
        const updated = await run(
          q,
          qb
            .updateTable('due_visits')
            .set({ status: 'closed', closed_reason: reason || null, updated_at: new Date(nowMs) })
            .where('artisan_id', '=', artisanId)
            .where('id', '=', id)
            .returning('id'),
        );
        if (updated.length === 0) return false;
        await cancelPendingInvitations(q, artisanId, id);
        return true;
      });
    },
  };
}
