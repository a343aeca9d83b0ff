import { sql } from 'kysely';
import type { AuditAction, OperatorConsoleStore } from '../../app/operator-console.ts';
import type { Database } from './database.ts';
import { first, qb, run } from './kysely.ts';
import { storedPlan } from './stored.ts';

/** LIKE's own characters taken literally in what the operator typed. */
const likePattern = (search: string): string => `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// Written by `change` below from AuditAction itself.
const storedAction = (v: string): AuditAction => v as AuditAction;

/**
 * The console's reads and writes over every business: the one place that reads across
 * businesses on purpose (the operator's). Each figure is computed per business, scoped by
 * its artisan_id.
 */
export function makeOperatorConsoleStore(db: Database): OperatorConsoleStore {
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
          'a.unconfirmed_since',
          'a.created_at',
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
            unconfirmedMs: ms(r.unconfirmed_since),
            bookingsThisMonth: Number(r.bookings_month ?? 0),
            lastActivityMs: activity.length > 0 ? Math.max(...activity) : null,
            createdMs: r.created_at.getTime(),
          };
        }),
      };
    },

    change(artisanId, change, audit) {
      return db.transaction(async (tx) => {
        const current = await first(tx, qb.selectFrom('artisans').select(['id', 'display_name', 'plan', 'suspended_at']).where('id', '=', artisanId).forUpdate());
        if (!current) return undefined;
        const now = new Date(audit.nowMs);
        let details: Record<string, string> = {};
        if (change.kind === 'plan') {
          if (current.plan === change.plan) return { changed: false };
          await run(tx, qb.updateTable('artisans').set({ plan: change.plan, updated_at: now }).where('id', '=', artisanId));
          details = { from: current.plan, to: change.plan };
        } else {
          const suspend = change.kind === 'suspend';
          if ((current.suspended_at !== null) === suspend) return { changed: false };
          await run(tx, qb.updateTable('artisans').set({ suspended_at: suspend ? now : null, updated_at: now }).where('id', '=', artisanId));
        }
        await run(
          tx,
          qb.insertInto('operator_audit').values({
            id: audit.id,
            operator_id: audit.operatorId,
            operator_email: audit.operatorEmail,
            action: change.kind,
            artisan_id: artisanId,
            artisan_name: current.display_name,
            details: JSON.stringify(details),
            created_at: now,
          }),
        );
        return { changed: true };
      });
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
