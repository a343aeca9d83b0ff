import type { Temporal } from 'temporal-polyfill';
import type { MinuteRange } from './intervals.ts';
import { publicHolidayName } from './public-holidays.ts';
import { contractDayOfWeek } from './time.ts';

/** A weekly rule: an opening range or a break on one day of the week (0 = Sunday). */
export interface WeeklyRule extends MinuteRange {
  id: string;
  dayOfWeek: number;
}

/** A dated exception: the day is closed, or open on these ranges instead of the weekly rules. */
export interface ScheduleException {
  id: string;
  date: string;
  closed: boolean;
  ranges: MinuteRange[];
}

export interface WeeklySchedule {
  openingRules: readonly WeeklyRule[];
  breakRules: readonly WeeklyRule[];
  exceptions: readonly ScheduleException[];
  closedOnPublicHolidays: boolean;
}

/** What one local day looks like: open ranges and breaks, sorted; no ranges means closed. */
export interface DaySchedule {
  ranges: MinuteRange[];
  breaks: MinuteRange[];
  closedReason?: 'weekly' | 'exception' | 'public_holiday';
}

const byStart = (a: MinuteRange, b: MinuteRange): number => a.startMinutes - b.startMinutes;
const plain = (r: MinuteRange): MinuteRange => ({ startMinutes: r.startMinutes, endMinutes: r.endMinutes });

/**
 * Resolves the day: a dated exception wins (its special hours replace the weekly ranges
 * and breaks), then a public holiday closes the day when the artisan asked for it, then
 * the weekly rules apply.
 */
export function resolveDaySchedule(date: Temporal.PlainDate, schedule: WeeklySchedule): DaySchedule {
  const iso = date.toString();
  const exception = schedule.exceptions.find((e) => e.date === iso);
  if (exception) {
    if (exception.closed || exception.ranges.length === 0) return { ranges: [], breaks: [], closedReason: 'exception' };
    return { ranges: exception.ranges.map(plain).sort(byStart), breaks: [] };
  }
  if (schedule.closedOnPublicHolidays && publicHolidayName(date)) {
    return { ranges: [], breaks: [], closedReason: 'public_holiday' };
  }
  const dow = contractDayOfWeek(date);
  const ranges = schedule.openingRules.filter((r) => r.dayOfWeek === dow).map(plain).sort(byStart);
  if (ranges.length === 0) return { ranges: [], breaks: [], closedReason: 'weekly' };
  const breaks = schedule.breakRules.filter((r) => r.dayOfWeek === dow).map(plain).sort(byStart);
  return { ranges, breaks };
}
