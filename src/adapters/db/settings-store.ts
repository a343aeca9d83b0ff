import type { ArtisanPatch, ArtisanProfile, SettingsStore } from '../../app/ports.ts';
import { AlreadyExistsError } from '../../app/ports.ts';
import type { ScheduleException, WeeklyRule } from '../../domain/schedule.ts';
import { UNIQUE_VIOLATION, sqlState, type Database, type Queryable } from './database.ts';

type Row = Record<string, unknown>;

const COLUMNS: Record<Exclude<keyof ArtisanPatch, 'openingRules' | 'breakRules'>, string> = {
  displayName: 'display_name',
  trade: 'trade',
  email: 'email',
  phone: 'phone',
  timezone: 'timezone',
  plan: 'plan',
  slotStepMinutes: 'slot_step_minutes',
  minNoticeMinutes: 'min_notice_minutes',
  bookingHorizonDays: 'booking_horizon_days',
  closedOnPublicHolidays: 'closed_on_public_holidays',
  termsOfSale: 'terms_of_sale',
};

async function readProfile(q: Queryable, artisanId: string, lock: boolean): Promise<ArtisanProfile | undefined> {
  const rows = await q.query(`SELECT * FROM artisans WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [artisanId]);
  const a = rows[0];
  if (!a) return undefined;
  const rules = await q.query<{ id: string; kind: string; day_of_week: number; start_minutes: number; end_minutes: number }>(
    `SELECT id, kind, day_of_week, start_minutes, end_minutes FROM schedule_rules WHERE artisan_id = $1
     ORDER BY day_of_week, start_minutes`,
    [artisanId],
  );
  const of = (kind: string): WeeklyRule[] =>
    rules.filter((r) => r.kind === kind).map((r) => ({ id: r.id, dayOfWeek: r.day_of_week, startMinutes: r.start_minutes, endMinutes: r.end_minutes }));
  return {
    id: a.id as string,
    displayName: a.display_name as string,
    trade: (a.trade as string | null) ?? null,
    email: a.email as string,
    phone: (a.phone as string | null) ?? null,
    timezone: a.timezone as string,
    plan: a.plan as ArtisanProfile['plan'],
    slotStepMinutes: a.slot_step_minutes as number,
    minNoticeMinutes: a.min_notice_minutes as number,
    bookingHorizonDays: a.booking_horizon_days as number,
    closedOnPublicHolidays: a.closed_on_public_holidays as boolean,
    openingRules: of('opening'),
    breakRules: of('break'),
    termsOfSale: (a.terms_of_sale as string | null) ?? null,
  };
}

/** Replaces one kind of weekly rule wholesale: the new set is all there is. */
async function replaceRules(q: Queryable, artisanId: string, kind: 'opening' | 'break', rules: WeeklyRule[]): Promise<void> {
  await q.query(`DELETE FROM schedule_rules WHERE artisan_id = $1 AND kind = $2`, [artisanId, kind]);
  if (rules.length === 0) return;
  const params: unknown[] = [artisanId, kind];
  const values = rules.map((r) => {
    const at = params.push(r.id, r.dayOfWeek, r.startMinutes, r.endMinutes) - 4;
    return `($${at + 1}, $1, $2, $${at + 2}, $${at + 3}, $${at + 4})`;
  });
  await q.query(`INSERT INTO schedule_rules (id, artisan_id, kind, day_of_week, start_minutes, end_minutes) VALUES ${values.join(', ')}`, params);
}

function toException(r: Row): ScheduleException {
  return { id: r.id as string, date: r.date as string, closed: r.closed as boolean, ranges: r.ranges as ScheduleException['ranges'] };
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
        const sets: string[] = [];
        const params: unknown[] = [artisanId];
        for (const [key, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
          if (patch[key] === undefined) continue;
          params.push(patch[key]);
          sets.push(`${column} = $${params.length}`);
        }
        if (sets.length > 0) await q.query(`UPDATE artisans SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
        if (patch.openingRules) await replaceRules(q, artisanId, 'opening', patch.openingRules);
        if (patch.breakRules) await replaceRules(q, artisanId, 'break', patch.breakRules);
        return (await readProfile(q, artisanId, false))!;
      }),

    async listExceptions(artisanId, from, to) {
      const rows = await db.query(
        `SELECT id, date::text AS date, closed, ranges FROM schedule_exceptions
         WHERE artisan_id = $1 AND date >= $2::date AND ($3::date IS NULL OR date <= $3::date) ORDER BY date`,
        [artisanId, from, to ?? null],
      );
      return rows.map(toException);
    },

    async insertException(artisanId, e) {
      try {
        await db.query(`INSERT INTO schedule_exceptions (id, artisan_id, date, closed, ranges) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
          e.id,
          artisanId,
          e.date,
          e.closed,
          JSON.stringify(e.ranges),
        ]);
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) throw new AlreadyExistsError();
        throw error;
      }
    },

    async deleteException(artisanId, id) {
      const rows = await db.query(`DELETE FROM schedule_exceptions WHERE artisan_id = $1 AND id = $2 RETURNING id`, [artisanId, id]);
      return rows.length > 0;
    },
  };
}
