import { sql } from 'kysely';
import type { InvitationBatch, InvitationStep, InvitationStore } from '../../app/maintenance-invitations.ts';
import type { InvitedVisitView, MaintenanceLinkStore } from '../../app/maintenance-links.ts';
import type { Database, Queryable } from './database.ts';
import { first, qb, run } from './kysely.ts';
import { invitationDay, localToday, maintenanceJob, visitBooked, visitDeclined } from './due-visit-store.ts';
import { storedAddress, storedPlan } from './stored.ts';

/** The reminder follows the invitation by two weeks if the visit is still not booked. */
const REMINDER_AFTER = sql`interval '14 days'`;

/**
 * One customer's visits are claimed one job at a time (the invitation of a visit and of their
 * other visit, by two instances, must not both list them): a lock on the customer's contact.
 */
async function lockCustomer(q: Queryable, artisanId: string, contact: string): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`due-visits:${artisanId}:${contact}`]);
}

const visitRow = (q: Queryable, artisanId: string, dueVisitId: string) =>
  first(
    q,
    qb
      .selectFrom('due_visits as v')
      .select(['v.id', 'v.status', 'v.invite_job_id', 'v.reminder_job_id', 'v.customer_email', 'v.customer_phone', visitBooked('v').as('booked'), visitDeclined('v').as('declined')])
      .where('v.artisan_id', '=', artisanId)
      .where('v.id', '=', dueVisitId),
  );

/** The visits one job took (`column` holds its id), their customer and business, for its message. */
async function batchOf(q: Queryable, artisanId: string, step: InvitationStep, jobId: string): Promise<InvitationBatch | undefined> {
  const column = step === 'invitation' ? 'v.invite_job_id' : 'v.reminder_job_id';
  const rows = await run(
    q,
    qb
      .selectFrom('due_visits as v')
      .innerJoin('artisans as a', 'a.id', 'v.artisan_id')
      .innerJoin('services as s', (j) => j.onRef('s.artisan_id', '=', 'v.artisan_id').onRef('s.id', '=', 'v.service_id'))
      .innerJoin('bookings as pb', (j) => j.onRef('pb.artisan_id', '=', 'v.artisan_id').onRef('pb.id', '=', 'v.previous_booking_id'))
      .select([
        'v.id', 'v.service_id', 's.name as service_name', 'v.address', 'v.previous_booking_id', 'v.customer_name', 'v.customer_email', 'v.customer_phone',
        'pb.notify_sms', 'a.display_name', 'a.email', 'a.phone', 'a.timezone', 'a.plan',
        sql<string>`v.due_on::text`.as('due_on'),
      ])
      .where('v.artisan_id', '=', artisanId)
      .where(column, '=', jobId)
      // A customer who opted out meanwhile gets nothing, not even a retry of what was claimed.
      .where(sql<boolean>`NOT ${visitDeclined('v')}`)
      .orderBy('v.due_on')
      .orderBy('v.id'),
  );
  const head = rows[0];
  if (!head) return undefined;
  return {
    step,
    artisan: { id: artisanId, displayName: head.display_name, email: head.email, phone: head.phone, timezone: head.timezone, plan: storedPlan(head.plan) },
    customer: { name: head.customer_name, ...(head.customer_email ? { email: head.customer_email } : {}), ...(head.customer_phone ? { phone: head.customer_phone } : {}) },
    smsConsent: head.notify_sms,
    visits: rows.map((r) => ({
      id: r.id,
      serviceId: r.service_id,
      serviceName: r.service_name,
      dueOn: r.due_on,
      previousBookingId: r.previous_booking_id,
      ...(r.address ? { address: storedAddress(r.address) } : {}),
    })),
  };
}

export function makeInvitationStore(db: Database, uuid: () => string): InvitationStore {
  return {
    async claim({ artisanId, dueVisitId, step, jobId, nowMs }) {
      const contactOf = await visitRow(db, artisanId, dueVisitId);
      if (!contactOf) return undefined;
      const now = new Date(nowMs);
      return db.transaction(async (q) => {
        await lockCustomer(q, artisanId, contactOf.customer_email ?? contactOf.customer_phone ?? contactOf.id);
        // Read again under the lock: another job may have taken it meanwhile.
        const v = await visitRow(q, artisanId, dueVisitId);
        if (!v) return undefined;
        const taken = step === 'invitation' ? v.invite_job_id : v.reminder_job_id;
        if (taken === jobId) return batchOf(q, artisanId, step, jobId); // a retry: the same message again
        if (taken !== null) return undefined; // another job's message lists it
        const open = (alias: string) => sql<boolean>`${sql.ref(`${alias}.status`)} = 'due' AND NOT ${visitBooked(alias)} AND NOT ${visitDeclined(alias)}`;
        if (step === 'invitation') {
          if (v.status !== 'due' || v.booked || v.declined) return undefined;
          // This visit, and the customer's other visits whose invitation time has come: one message.
          const claimed = await run(
            q,
            qb
              .updateTable('due_visits as s')
              .from('artisans as a')
              .set({ invite_job_id: jobId, invited_at: now, updated_at: now })
              .whereRef('a.id', '=', 's.artisan_id')
              .where('s.artisan_id', '=', artisanId)
              .where('s.invite_job_id', 'is', null)
              .where(open('s'))
              .where((eb) =>
                eb.or([
                  eb('s.id', '=', dueVisitId),
                  eb.and([
                    eb.or([eb('s.customer_email', '=', v.customer_email), eb('s.customer_phone', '=', v.customer_phone)]),
                    sql<boolean>`${invitationDay('s')} <= ${localToday(nowMs)}`,
                  ]),
                ]),
              )
              .returning('s.id'),
          );
          if (claimed.length === 0) return undefined;
          await run(
            q,
            maintenanceJob({ artisanId, id: uuid(), dueVisitId, step: 'reminder', runAt: sql<Date>`${now}::timestamptz + ${REMINDER_AFTER}` }),
          );
        } else {
          if (v.invite_job_id === null) return undefined; // never invited: nothing to remind
          // Every visit the invitation listed that is still open (one may have been booked since).
          await run(
            q,
            qb
              .updateTable('due_visits as s')
              .set({ reminder_job_id: jobId, reminded_at: now, updated_at: now })
              .where('s.artisan_id', '=', artisanId)
              .where('s.invite_job_id', '=', v.invite_job_id)
              .where('s.reminder_job_id', 'is', null)
              .where(open('s')),
          );
        }
        return batchOf(q, artisanId, step, jobId);
      });
    },
  };
}

/** The links' side: the visit a link opens, and the opt-out it records. */
export function makeMaintenanceLinkStore(db: Database): MaintenanceLinkStore {
  return {
    async visit(artisanId, dueVisitId) {
      const r = await first(
        db,
        qb
          .selectFrom('due_visits as v')
          .innerJoin('artisans as a', 'a.id', 'v.artisan_id')
          .innerJoin('services as s', (j) => j.onRef('s.artisan_id', '=', 'v.artisan_id').onRef('s.id', '=', 'v.service_id'))
          .select(['v.id', 'v.service_id', 's.name as service_name', 'v.address', 'v.customer_name', 'v.customer_email', 'v.customer_phone', 'a.display_name', 'a.timezone', sql<string>`v.due_on::text`.as('due_on')])
          .where('v.artisan_id', '=', artisanId)
          .where('v.id', '=', dueVisitId),
      );
      if (!r) return undefined;
      const view: InvitedVisitView = {
        id: r.id,
        businessName: r.display_name,
        timezone: r.timezone,
        serviceId: r.service_id,
        serviceName: r.service_name,
        dueOn: r.due_on,
        customer: {
          name: r.customer_name,
          ...(r.customer_email ? { email: r.customer_email } : {}),
          ...(r.customer_phone ? { phone: r.customer_phone } : {}),
          ...(r.address ? { address: storedAddress(r.address) } : {}),
        },
      };
      return view;
    },
    async optOut(artisanId, dueVisitId, nowMs) {
      const v = await first(db, qb.selectFrom('due_visits').select(['customer_email', 'customer_phone']).where('artisan_id', '=', artisanId).where('id', '=', dueVisitId));
      if (!v) return false;
      // Every contact of the visit's customer: the e-mail and the phone each stop invitations.
      const contacts = [v.customer_email, v.customer_phone].filter((c): c is string => !!c);
      if (contacts.length > 0) {
        await run(
          db,
          qb
            .insertInto('maintenance_opt_outs')
            .values(contacts.map((contact) => ({ artisan_id: artisanId, contact, created_at: new Date(nowMs) })))
            .onConflict((oc) => oc.columns(['artisan_id', 'contact']).doNothing()),
        );
      }
      return true;
    },
  };
}
