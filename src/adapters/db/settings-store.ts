import { sql, type Updateable } from 'kysely';
import type { ArtisanPatch, ArtisanProfile } from '../../domain/artisan-settings.ts';
import type { SettingsStore } from '../../app/ports/settings-store.ts';
import { AlreadyExistsError } from '../../app/ports/already-exists-error.ts';
import type { ScheduleException, WeeklyRule } from '../../domain/schedule.ts';
import { UNIQUE_VIOLATION, sqlState, type Database, type Queryable } from './database.ts';
import { first, qb, run } from './kysely.ts';
import { storedPlan } from './stored.ts';
import type { DB } from './schema.ts';

async function readProfile(q: Queryable, artisanId: string, lock: boolean): Promise<ArtisanProfile | undefined> {
  const select = qb.selectFrom('artisans').selectAll().where('id', '=', artisanId);
  const a = await first(q, lock ? select.forUpdate() : select);
  if (!a) return undefined;
  const rules = await run(
    q,
    qb
      .selectFrom('schedule_rules')
      .select(['id', 'kind', 'day_of_week', 'start_minutes', 'end_minutes'])
      .where('artisan_id', '=', artisanId)
      .orderBy('day_of_week')
      .orderBy('start_minutes'),
  );
  const of = (kind: string): WeeklyRule[] =>
    rules.filter((r) => r.kind === kind).map((r) => ({ id: r.id, dayOfWeek: r.day_of_week, startMinutes: r.start_minutes, endMinutes: r.end_minutes }));
  return {
    id: a.id,
    displayName: a.display_name,
    trade: a.trade,
    email: a.email,
    phone: a.phone,
    timezone: a.timezone,
    plan: storedPlan(a.plan),
    slotStepMinutes: a.slot_step_minutes,
    minNoticeMinutes: a.min_notice_minutes,
    bookingHorizonDays: a.booking_horizon_days,
    closedOnPublicHolidays: a.closed_on_public_holidays,
    openingRules: of('opening'),
    breakRules: of('break'),
    termsOfSale: a.terms_of_sale,
  };
}

/** The artisan row's columns a settings change writes (the weekly rules are rows of their own). */
function artisanColumns(patch: ArtisanPatch): Updateable<DB['artisans']> {
  return {
    display_name: patch.displayName,
    trade: patch.trade,
    email: patch.email,
    phone: patch.phone,
    timezone: patch.timezone,
    plan: patch.plan,
    slot_step_minutes: patch.slotStepMinutes,
    min_notice_minutes: patch.minNoticeMinutes,
    booking_horizon_days: patch.bookingHorizonDays,
    closed_on_public_holidays: patch.closedOnPublicHolidays,
    terms_of_sale: patch.termsOfSale,
  };
}

/** Replaces one kind of weekly rule wholesale: the new set is all there is. */
async function replaceRules(q: Queryable, artisanId: string, kind: 'opening' | 'break', rules: WeeklyRule[]): Promise<void> {
  await run(q, qb.deleteFrom('schedule_rules').where('artisan_id', '=', artisanId).where('kind', '=', kind));
  if (rules.length === 0) return;
  await run(
    q,
    qb.insertInto('schedule_rules').values(
      rules.map((r) => ({ id: r.id, artisan_id: artisanId, kind, day_of_week: r.dayOfWeek, start_minutes: r.startMinutes, end_minutes: r.endMinutes })),
    ),
  );
}

/** The artisan's settings, weekly rules and dated exceptions (triggers bump data_version on every write). */
export function makeSettingsStore(db: Database): SettingsStore {
  return {
    readArtisan: (artisanId) => readProfile(db, artisanId, false),

    updateArtisan: (artisanId, decide) =>
      db.transaction(async (q) => {
        const current = await readProfile(q, artisanId, true);
        if (!current) throw new Error(`artisan ${artisanId} not found`);
        const patch = decide(current);
        // Absent fields stay as they are: Kysely leaves undefined values out of the SET list.
        const columns = Object.fromEntries(Object.entries(artisanColumns(patch)).filter(([, v]) => v !== undefined));
        if (Object.keys(columns).length > 0) {
          await run(q, qb.updateTable('artisans').set({ ...columns, updated_at: sql<Date>`now()` }).where('id', '=', artisanId));
        }
        if (patch.openingRules) await replaceRules(q, artisanId, 'opening', patch.openingRules);
        if (patch.breakRules) await replaceRules(q, artisanId, 'break', patch.breakRules);
        return (await readProfile(q, artisanId, false))!;
      }),

    async listExceptions(artisanId, from, to) {
      let query = qb
        .selectFrom('schedule_exceptions')
        .select(['id', sql<string>`date::text`.as('date'), 'closed', 'ranges'])
        .where('artisan_id', '=', artisanId)
        .where(sql<boolean>`date >= ${from}::date`);
      if (to !== undefined) query = query.where(sql<boolean>`date <= ${to}::date`);
      const rows = await run(db, query.orderBy('date'));
      return rows.map((r): ScheduleException => ({ id: r.id, date: r.date, closed: r.closed, ranges: r.ranges as unknown as ScheduleException['ranges'] }));
    },

    async insertException(artisanId, e) {
      try {
        await run(
          db,
          qb.insertInto('schedule_exceptions').values({
            id: e.id,
            artisan_id: artisanId,
            date: sql<Date>`${e.date}::date`,
            closed: e.closed,
            ranges: JSON.stringify(e.ranges),
          }),
        );
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) throw new AlreadyExistsError();
        throw error;
      }
    },

    async deleteException(artisanId, id) {
      const rows = await run(db, qb.deleteFrom('schedule_exceptions').where('artisan_id', '=', artisanId).where('id', '=', id).returning('id'));
      return rows.length > 0;
    },
  };
}
