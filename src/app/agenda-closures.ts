import { Temporal } from 'temporal-polyfill';
import { ValidationError } from '../domain/errors.ts';
import { publicHolidayName } from '../domain/public-holidays.ts';
import { instantToLocal, localDayBounds, parseLocalDate } from '../domain/time.ts';
import { artisanNotFound } from './admin-settings.ts';
import type { SettingsStore } from './ports/settings-store.ts';
import type { TimeOffStore } from './ports/time-off-store.ts';
import { MANUAL_PROVIDER } from './time-off.ts';

/** What the agenda marks on a day besides bookings. */
export interface AgendaMark {
  date: string;
  kind: 'closed' | 'special_hours' | 'time_off' | 'holiday';
  /** The holiday's name, the days off' summary; absent for an exception. */
  label?: string;
  /** Local "HH:MM" bounds when only part of the day is concerned (special hours, part-day time off). */
  ranges?: { start: string; end: string }[];
  /** A holiday: whether the business is closed on it (its setting, or an exception). */
  closed?: boolean;
}

const MAX_DAYS = 62;
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/**
 * Closures, days off and French public holidays over local days from..to (the agenda's day and
 * week), so the artisan sees on the agenda why a day offers nothing. Time off is the one entered
 * by hand (imported calendar events are the artisan's own appointments, shown in their calendar).
 */
export function makeAgendaClosures(deps: { settings: SettingsStore; timeOff: TimeOffStore }) {
  return async function agendaClosures(artisanId: string, range: { from: string; to: string }): Promise<AgendaMark[]> {
    const from = parseLocalDate(range.from);
    const to = parseLocalDate(range.to);
    const message = "Cette date n'existe pas ou sort des années acceptées (1900 à 2999).";
    if (!from || !to) throw new ValidationError([...(from ? [] : [{ field: 'from', message }]), ...(to ? [] : [{ field: 'to', message }])]);
    const span = from.until(to).days;
    if (span < 0) throw new ValidationError([{ field: 'to', message: 'La date de fin doit suivre la date de début.' }]);
    if (span >= MAX_DAYS) throw new ValidationError([{ field: 'to', message: `La période est limitée à ${MAX_DAYS} jours.` }]);
    const profile = await deps.settings.readArtisan(artisanId);
    if (!profile) throw artisanNotFound();
    const zone = profile.timezone;

    const marks: AgendaMark[] = [];
    const exceptions = await deps.settings.listExceptions(artisanId, range.from, range.to);
    const byDate = new Map(exceptions.map((e) => [e.date, e]));
    for (let day = from; Temporal.PlainDate.compare(day, to) <= 0; day = day.add({ days: 1 })) {
      const date = day.toString();
      const name = publicHolidayName(day);
      const exception = byDate.get(date);
      if (name) {
        const closed = exception ? exception.closed || exception.ranges.length === 0 : profile.closedOnPublicHolidays;
        marks.push({ date, kind: 'holiday', label: name, closed });
      }
      if (exception) {
        marks.push(
          exception.closed || exception.ranges.length === 0
            ? { date, kind: 'closed' }
            : { date, kind: 'special_hours', ranges: exception.ranges.map((r) => ({ start: hhmm(r.startMinutes), end: hhmm(r.endMinutes) })) },
        );
      }
    }

    const blocks = await deps.timeOff.listBlocks(artisanId, localDayBounds(from, zone).startMs, localDayBounds(to, zone).endMs);
    for (const block of blocks.filter((b) => b.providerId === MANUAL_PROVIDER)) {
      // One mark per local day the block touches, with its hours when it covers only part of it.
      for (let day = from; Temporal.PlainDate.compare(day, to) <= 0; day = day.add({ days: 1 })) {
        const bounds = localDayBounds(day, zone);
        if (block.endMs <= bounds.startMs || block.startMs >= bounds.endMs) continue;
        const whole = block.startMs <= bounds.startMs && block.endMs >= bounds.endMs;
        const start = block.startMs <= bounds.startMs ? '00:00' : instantToLocal(block.startMs, zone).time;
        const end = block.endMs >= bounds.endMs ? '24:00' : instantToLocal(block.endMs, zone).time;
        marks.push({ date: day.toString(), kind: 'time_off', label: block.summary, ...(whole ? {} : { ranges: [{ start, end }] }) });
      }
    }
    const order = { holiday: 0, closed: 1, special_hours: 2, time_off: 3 } as const;
    return marks.sort((a, b) => a.date.localeCompare(b.date) || order[a.kind] - order[b.kind]);
  };
}
