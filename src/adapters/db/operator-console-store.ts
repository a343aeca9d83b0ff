import { sql } from 'kysely';
import type { AuditAction, OperatorConsoleStore } from '../../app/operator-console.ts';
import { sqlState, UNIQUE_VIOLATION, type Database } from './database.ts';
import { first, qb, run } from './kysely.ts';
import { storedPlan } from './stored.ts';
import { makeBusinessDataStore } from './business-data-store.ts';

/** LIKE's own characters taken literally in what the operator typed. */
const likePattern = (search: string): string => `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// Written by `change` below from AuditAction itself.
const storedAction = (v: string): AuditAction => v as AuditAction;

/** One line of the operator's journal, written in the transaction of the change it records. */
const auditEntry = (
  entry: { id: string; operatorId: string | null; operatorEmail: string; action: AuditAction; artisanId: string; artisanName: string; now: Date },
  details: Record<string, string>,
) =>
  qb.insertInto('operator_audit').values({
    id: entry.id,
    operator_id: entry.operatorId,
    operator_email: entry.operatorEmail,
    action: entry.action,
    artisan_id: entry.artisanId,
    artisan_name: entry.artisanName,
    details: JSON.stringify(details),
    created_at: entry.now,
  });

/**
 * The console's reads and writes over every business: the one place that reads across
 * businesses on purpose (the operator's). Each figure is computed per business, scoped by
 * its artisan_id.
 */
export function makeOperatorConsoleStore(db: Database): OperatorConsoleStore {
  const data = makeBusinessDataStore(db);
  return {
    async listBusinesses({ search, limit, offset, nowMs }) {
      const now = new Date(nowMs);
      let query = qb
        .selectFrom('artisans as a')
        .select((eb) => [
          'a.id',
          'a.display_name',
          'a.plan',
          'a.suspended_at',
          'a.deletion_due_at',
          'a.unconfirmed_since',
          'a.created_at',
          'a.slug',
          'a.host_name',
          eb
            .selectFrom('bookings as b')
            .select(sql<number>`count(*)::int`.as('n'))
            .whereRef('b.artisan_id', '=', 'a.id')
            .where(sql<boolean>`b.status NOT IN ('payment_failed', 'expired')`)
            // This month in the business's own time zone.
            .where(sql<boolean>`b.created_at >= (date_trunc('month', ${now}::timestamptz AT TIME ZONE a.timezone) AT TIME ZONE a.timezone)`)
            .as('bookings_month'),
          eb.selectFrom('bookings as b').select(sql<Date | null>`max(b.created_at)`.as('m')).whereRef('b.artisan_id', '=', 'a.id').as('last_booking'),
          eb.selectFrom('admin_users as u').select(sql<Date | null>`max(u.last_sign_in_at)`.as('m')).whereRef('u.artisan_id', '=', 'a.id').as('last_sign_in'),
          sql<number>`count(*) OVER ()::int`.as('total'),
        ]);
      if (search) query = query.where(sql<boolean>`a.display_name ILIKE ${likePattern(search)}`);
      const rows = await run(db, query.orderBy(sql`lower(a.display_name)`).orderBy('a.id').limit(limit).offset(offset));
      const ms = (d: Date | string | null | undefined): number | null => (d ? new Date(d).getTime() : null);
      // Past the last page the window count has no row to ride on: counted apart.
      const total =
        rows[0]?.total ??
        (offset === 0
          ? 0
          : ((await first(
              db,
              qb
                .selectFrom('artisans as a')
                .select(sql<number>`count(*)::int`.as('n'))
                .where(search ? sql<boolean>`a.display_name ILIKE ${likePattern(search)}` : sql<boolean>`true`),
            ))?.n ?? 0));
      return {
        total,
        businesses: rows.map((r) => {
          const activity = [ms(r.last_booking), ms(r.last_sign_in)].filter((v): v is number => v !== null);
          return {
            artisanId: r.id,
            displayName: r.display_name,
            plan: storedPlan(r.plan),
            suspendedMs: ms(r.suspended_at),
            deletionDueMs: ms(r.deletion_due_at),
            unconfirmedMs: ms(r.unconfirmed_since),
            bookingsThisMonth: Number(r.bookings_month ?? 0),
            lastActivityMs: activity.length > 0 ? Math.max(...activity) : null,
            createdMs: r.created_at.getTime(),
            slug: r.slug,
            hostName: r.host_name,
          };
        }),
      };
    },

    change(artisanId, change, audit) {
      return db.transaction(async (tx) => {
        const current = await first(
          tx,
          qb.selectFrom('artisans').select(['id', 'display_name', 'plan', 'suspended_at', 'deletion_due_at']).where('id', '=', artisanId).forUpdate(),
        );
        if (!current) return undefined;
        const now = new Date(audit.nowMs);
        const dueMs = current.deletion_due_at ? current.deletion_due_at.getTime() : null;
        const unchanged = { changed: false, deletionDueMs: dueMs };
        let details: Record<string, string> = {};
        let deletionDueMs = dueMs;
        if (change.kind === 'plan') {
          if (current.plan === change.plan) return unchanged;
          await run(tx, qb.updateTable('artisans').set({ plan: change.plan, updated_at: now }).where('id', '=', artisanId));
          details = { from: current.plan, to: change.plan };
        } else if (change.kind === 'export') {
          // Nothing changes: the entry says who read the business's data, and when.
        } else if (change.kind === 'schedule_deletion') {
          if (dueMs !== null) return unchanged;
          const due = new Date(change.dueMs);
          await run(
            tx,
            qb
              .updateTable('artisans')
              .set({ deletion_due_at: due, deletion_requested_by: audit.operatorEmail, suspended_at: current.suspended_at ?? now, updated_at: now })
              .where('id', '=', artisanId),
          );
          details = { dueAt: due.toISOString() };
          deletionDueMs = change.dueMs;
        } else if (change.kind === 'cancel_deletion') {
          if (dueMs === null) return unchanged;
          await run(tx, qb.updateTable('artisans').set({ deletion_due_at: null, deletion_requested_by: null, updated_at: now }).where('id', '=', artisanId));
          details = { dueAt: new Date(dueMs).toISOString() };
          deletionDueMs = null;
        } else {
          const suspend = change.kind === 'suspend';
          if ((current.suspended_at !== null) === suspend) return unchanged;
          // A business waiting for its deletion stays suspended until the deletion is cancelled.
          if (!suspend && dueMs !== null) return unchanged;
          await run(tx, qb.updateTable('artisans').set({ suspended_at: suspend ? now : null, updated_at: now }).where('id', '=', artisanId));
        }
        await run(
          tx,
          auditEntry(
            { id: audit.id, operatorId: audit.operatorId, operatorEmail: audit.operatorEmail, action: change.kind, artisanId, artisanName: current.display_name, now },
            details,
          ),
        );
        return { changed: true, deletionDueMs };
      });
    },

    async deletionState(artisanId) {
      const row = await first(db, qb.selectFrom('artisans').select('deletion_due_at').where('id', '=', artisanId));
      return row ? { deletionDueMs: row.deletion_due_at ? row.deletion_due_at.getTime() : null } : undefined;
    },

    async upcomingPaidBookings(artisanId, nowMs) {
      const rows = await run(
        db,
        qb
          .selectFrom('bookings')
          .select(['public_code', 'starts_at', 'service_name', 'customer_name', 'deposit_cents', 'payment_status'])
          .where('artisan_id', '=', artisanId)
          .where('starts_at', '>', new Date(nowMs))
          .where('status', 'in', ['confirmed', 'rescheduled'])
          .where('payment_status', 'in', ['authorized', 'captured'])
          .where('deposit_cents', '>', 0)
          .orderBy('starts_at')
          .limit(500),
      );
      return rows.map((r) => ({
        publicCode: r.public_code,
        startsMs: r.starts_at.getTime(),
        serviceName: r.service_name,
        customerName: r.customer_name,
        depositCents: r.deposit_cents,
        paymentStatus: r.payment_status,
      }));
    },

    async dueDeletions(nowMs) {
      const rows = await run(db, qb.selectFrom('artisans').select('id').where('deletion_due_at', '<=', new Date(nowMs)).orderBy('deletion_due_at'));
      return rows.map((r) => r.id);
    },

    purge(artisanId, audit) {
      return db.transaction(async (tx) => {
        const now = new Date(audit.nowMs);
        // Locked and checked again: a cancellation committed since the list wins.
        const current = await first(
          tx,
          qb
            .selectFrom('artisans')
            .select(['id', 'display_name', 'deletion_due_at', 'deletion_requested_by'])
            .where('id', '=', artisanId)
            .where('deletion_due_at', '<=', now)
            .forUpdate(),
        );
        if (!current) return undefined;
        const rows = (await data.purgeRows(tx, artisanId)) + 1;
        await run(tx, qb.deleteFrom('artisans').where('id', '=', artisanId));
        await run(
          tx,
          auditEntry(
            // The purge runs on its own; the entry names who scheduled it.
            { id: audit.id, operatorId: null, operatorEmail: current.deletion_requested_by ?? '', action: 'delete', artisanId, artisanName: current.display_name, now },
            { rows: String(rows), dueAt: current.deletion_due_at!.toISOString() },
          ),
        );
        return { rows };
      });
    },

    async changeAddress(artisanId, address, audit) {
      try {
        return await db.transaction(async (tx) => {
          const current = await first(tx, qb.selectFrom('artisans').select(['id', 'display_name', 'slug', 'host_name']).where('id', '=', artisanId).forUpdate());
          if (!current) return undefined;
          if (current.slug === address.slug && current.host_name === address.hostName) return 'unchanged' as const;
          const other = (column: 'slug' | 'host_name', value: string) =>
            first(tx, qb.selectFrom('artisans').select('id').where(column, '=', value).where('id', '<>', artisanId));
          if (address.slug !== current.slug && (await other('slug', address.slug))) return 'slug-taken' as const;
          if (address.hostName !== null && address.hostName !== current.host_name && (await other('host_name', address.hostName))) return 'host-taken' as const;
          const now = new Date(audit.nowMs);
          // The statement moves the directory stamp (migration 0040): every instance drops what it kept.
          await run(tx, qb.updateTable('artisans').set({ slug: address.slug, host_name: address.hostName, updated_at: now }).where('id', '=', artisanId));
          await run(
            tx,
            auditEntry(
              { id: audit.id, operatorId: audit.operatorId, operatorEmail: audit.operatorEmail, action: 'address', artisanId, artisanName: current.display_name, now },
              { fromSlug: current.slug ?? '', toSlug: address.slug, fromHost: current.host_name ?? '', toHost: address.hostName ?? '' },
            ),
          );
          return 'changed' as const;
        });
      } catch (error) {
        // Taken by another business at the same moment: the unique keys refuse the second.
        if (sqlState(error) === UNIQUE_VIOLATION) {
          const slugTaken = await first(db, qb.selectFrom('artisans').select('id').where('slug', '=', address.slug).where('id', '<>', artisanId));
          return slugTaken ? 'slug-taken' : 'host-taken';
        }
        throw error;
      }
    },

    async listAudit({ limit, offset }) {
      const rows = await run(
        db,
        qb
          .selectFrom('operator_audit')
          .selectAll()
          .select(sql<number>`count(*) OVER ()::int`.as('total'))
          .orderBy('created_at', 'desc')
          .orderBy('seq', 'desc')
          .limit(limit)
          .offset(offset),
      );
      return {
        total: rows[0]?.total ?? 0,
        entries: rows.map((r) => ({
          id: r.id,
          operatorEmail: r.operator_email,
          action: storedAction(r.action),
          artisanId: r.artisan_id,
          artisanName: r.artisan_name,
          details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, string>,
          createdMs: r.created_at.getTime(),
        })),
      };
    },
  };
}
