import { Temporal } from 'temporal-polyfill';

/**
 * Wall-clock <-> instant conversions in the artisan's IANA zone. All DST handling of the
 * product lives here, on top of Temporal: no offset arithmetic by hand.
 */

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
/**
 * Years the service accepts in dates and instants: far wider than any booking horizon, and
 * inside what PostgreSQL and JavaScript dates represent (year 0000 or 9999-12-31 + 1 day are not).
 */
export const SUPPORTED_YEARS = { min: 1900, max: 2999 } as const;
const yearSupported = (year: number): boolean => year >= SUPPORTED_YEARS.min && year <= SUPPORTED_YEARS.max;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A calendar date, or undefined when the text is malformed, impossible (2025-02-30) or outside SUPPORTED_YEARS. */
export function parseLocalDate(text: string): Temporal.PlainDate | undefined {
  if (!DATE_RE.test(text)) return undefined;
  const known = parsedDates.get(text);
  if (known) return known;
  try {
    const date = Temporal.PlainDate.from(text, { overflow: 'reject' });
    if (!yearSupported(date.year)) return undefined;
    if (parsedDates.size >= 4_096) parsedDates.clear();
    parsedDates.set(text, date);
    return date;
  } catch {
    return undefined;
  }
}

/** PlainDate is immutable: the few dates asked about again and again are parsed once. */
const parsedDates = new Map<string, Temporal.PlainDate>();

const dateTexts = new WeakMap<Temporal.PlainDate, string>();
/** `date.toString()` (YYYY-MM-DD), written once per date object (~µs each through the polyfill). */
export function dateText(date: Temporal.PlainDate): string {
  let text = dateTexts.get(date);
  if (text === undefined) {
    text = date.toString();
    dateTexts.set(date, text);
  }
  return text;
}

const weeks = new WeakMap<Temporal.PlainDate, { monday: Temporal.PlainDate; sunday: Temporal.PlainDate }>();
/**
 * Monday and Sunday of the ISO week holding `day`, the same objects for the same `day` object
 * (parseLocalDate and todayIn hand back the same object for the same date).
 */
export function weekOf(day: Temporal.PlainDate): { monday: Temporal.PlainDate; sunday: Temporal.PlainDate } {
  let week = weeks.get(day);
  if (week === undefined) {
    const monday = day.subtract({ days: day.dayOfWeek - 1 });
    week = { monday, sunday: monday.add({ days: 6 }) };
    weeks.set(day, week);
  }
  return week;
}

/** Minutes since local midnight for "HH:MM", or undefined. */
export function parseLocalTime(text: string): number | undefined {
  const m = TIME_RE.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 60 + Number(m[2]);
}

export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

export function isValidTimeZone(zone: string): boolean {
  return canonicalTimeZone(zone) !== undefined;
}

/** The zone's IANA name as the database spells it (`europe/paris` -> `Europe/Paris`), or undefined. */
export function canonicalTimeZone(zone: string): string | undefined {
  try {
    return Temporal.Now.instant().toZonedDateTimeISO(zone).timeZoneId;
  } catch {
    return undefined;
  }
}

/**
 * The instant at which the wall clock of `zone` shows `date` + `minutes` (0..1440).
 * Returns undefined when that wall-clock time does not exist (spring-forward gap);
 * a time that occurs twice (fall-back) resolves to its first occurrence.
 */
export function wallClockToInstant(date: Temporal.PlainDate, minutes: number, zone: string): number | undefined {
  const local = date.toPlainDateTime().add({ minutes });
  const zoned = local.toZonedDateTime(zone, { disambiguation: 'earlier' });
  if (!zoned.toPlainDateTime().equals(local)) return undefined;
  return zoned.epochMilliseconds;
}

/**
 * Like wallClockToInstant, for range boundaries (opening hours, breaks): a time that occurs
 * twice is its first occurrence, and a time inside a spring-forward gap is the instant the
 * clock jumps, so "closing at 02:30" on that night still has a place on the time line.
 */
export function boundaryToInstant(date: Temporal.PlainDate, minutes: number, zone: string): number {
  const local = date.toPlainDateTime().add({ minutes });
  const zoned = local.toZonedDateTime(zone, { disambiguation: 'earlier' });
  if (zoned.toPlainDateTime().equals(local)) return zoned.epochMilliseconds;
  const jump = zoned.getTimeZoneTransition('next');
  return jump ? jump.epochMilliseconds : zoned.epochMilliseconds;
}

/** Wall-clock minutes of one local day -> instants. */
export interface DayClock {
  /** Like wallClockToInstant: undefined in a gap, first occurrence when repeated. */
  instant(minutes: number): number | undefined;
  /** Like boundaryToInstant. */
  boundary(minutes: number): number;
}

const DAY_CLOCK_MARGIN_MS = 26 * 3_600_000;

/**
 * Conversions for one local day. Temporal is asked once whether the zone changes offset
 * around that day; on the (usual) day when it does not, every minute maps with that one
 * offset, which is exactly what Temporal would answer and ~50× cheaper. Days with a
 * transition take the general path.
 */
export function makeDayClock(date: Temporal.PlainDate, zone: string): DayClock {
  const key = `${zone}|${date.toString()}`;
  let clock = dayClocks.get(key);
  if (!clock) {
    // Zone rules do not change while the process runs, so a day's clock can be reused.
    if (dayClocks.size >= DAY_CLOCK_CACHE_SIZE) dayClocks.clear();
    clock = buildDayClock(date, zone);
    dayClocks.set(key, clock);
  }
  return clock;
}

const DAY_CLOCK_CACHE_SIZE = 4_096;
const dayClocks = new Map<string, DayClock>();

function buildDayClock(date: Temporal.PlainDate, zone: string): DayClock {
  const start = date.toZonedDateTime({ timeZone: zone });
  const transition = start.getTimeZoneTransition('next');
  const steady = transition === null || transition.epochMilliseconds > start.epochMilliseconds + DAY_CLOCK_MARGIN_MS;
  if (!steady || start.hour !== 0 || start.minute !== 0) {
    return {
      instant: (minutes) => wallClockToInstant(date, minutes, zone),
      boundary: (minutes) => boundaryToInstant(date, minutes, zone),
    };
  }
  const midnightMs = start.epochMilliseconds;
  const at = (minutes: number): number => midnightMs + minutes * 60_000;
  return { instant: at, boundary: at };
}

/** ISO 8601 with the offset in force at that instant, e.g. 2025-01-15T09:00:00+01:00. */
export function formatInstant(epochMs: number, zone: string): string {
  return remembered(formatted, `${zone} ${epochMs}`, () =>
    Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone).toString({ timeZoneName: 'never', smallestUnit: 'second' }),
  );
}

/**
 * Pure conversions asked again and again (every list and agenda shows the same bookings'
 * start, end and dates: ~0.1 ms each through the Temporal polyfill) are remembered, bounded.
 */
const formatted = new Map<string, string>();
const localized = new Map<string, { date: string; time: string }>();
const REMEMBERED_MAX = 50_000;
function remembered<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = compute();
  if (cache.size >= REMEMBERED_MAX) cache.clear();
  cache.set(key, value);
  return value;
}

/** The local date and "HH:MM" of an instant in `zone`. */
export function instantToLocal(epochMs: number, zone: string): { date: string; time: string } {
  const local = remembered(localized, `${zone} ${epochMs}`, () => {
    const zoned = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone);
    return { date: zoned.toPlainDate().toString(), time: formatMinutes(zoned.hour * 60 + zoned.minute) };
  });
  // A copy: callers may change what they get.
  return { ...local };
}

export interface LocalMoment {
  /** ISO 8601 with the offset, as formatInstant gives it. */
  iso: string;
  date: string;
  time: string;
}

/**
 * Formats instants of the `days` local days from `from` in `zone` with one zone lookup per
 * day, not per instant (a week's agenda: ~50 bookings, two instants each): on a day whose
 * offset is the same at both midnights and which lasts 24 hours, the wall clock is the
 * instant plus that offset. Instants outside those days, or on a day the offset changes
 * (summer time), go through Temporal as formatInstant / instantToLocal do.
 */
export function localDaysFormatter(from: Temporal.PlainDate, days: number, zone: string): (epochMs: number) => LocalMoment {
  // The day spans are pure (zone, dates) and cost a Temporal zone lookup per day (~0.1 ms
  // each through the polyfill): remembered, bounded, as every agenda read asks for the same weeks.
  const spans = remembered(daySpans, `${zone} ${from.toString()} ${days}`, () => computeDaySpans(from, days, zone));
  return (epochMs) => {
    const span = spans.find((s) => epochMs >= s.startMs && epochMs < s.endMs);
    if (!span) return { iso: formatInstant(epochMs, zone), ...instantToLocal(epochMs, zone) };
    const wall = new Date(epochMs + span.offsetMs).toISOString();
    return { iso: `${wall.slice(0, 19)}${span.offset}`, date: wall.slice(0, 10), time: wall.slice(11, 16) };
  };
}

interface DaySpan {
  startMs: number;
  endMs: number;
  offsetMs: number;
  offset: string;
}
const daySpans = new Map<string, readonly DaySpan[]>();

function computeDaySpans(from: Temporal.PlainDate, days: number, zone: string): readonly DaySpan[] {
  const spans: DaySpan[] = [];
  let start = from.toZonedDateTime({ timeZone: zone });
  for (let i = 1; i <= days; i++) {
    const next = from.add({ days: i }).toZonedDateTime({ timeZone: zone });
    const offsetNs = start.offsetNanoseconds;
    if (offsetNs === next.offsetNanoseconds && offsetNs % 60e9 === 0 && next.epochMilliseconds - start.epochMilliseconds === 86_400_000) {
      spans.push({ startMs: start.epochMilliseconds, endMs: next.epochMilliseconds, offsetMs: offsetNs / 1e6, offset: start.offset });
    }
    start = next;
  }
  return spans;
}

const todayCache = new Map<string, { date: Temporal.PlainDate; startMs: number; endMs: number }>();

/** The local date at `nowMs` in `zone` (remembered per zone until that local day ends). */
export function todayIn(zone: string, nowMs: number): Temporal.PlainDate {
  const hit = todayCache.get(zone);
  if (hit && nowMs >= hit.startMs && nowMs < hit.endMs) return hit.date;
  const date = Temporal.Instant.fromEpochMilliseconds(nowMs).toZonedDateTimeISO(zone).toPlainDate();
  todayCache.set(zone, { date, ...localDayBounds(date, zone) });
  return date;
}

/** Day of week with the contract's numbering: 0 = Sunday … 6 = Saturday. */
export function contractDayOfWeek(date: Temporal.PlainDate): number {
  return date.dayOfWeek % 7;
}

/** Instants bounding the local day, for loading what may overlap it. */
export function localDayBounds(date: Temporal.PlainDate, zone: string): { startMs: number; endMs: number } {
  return {
    startMs: date.toZonedDateTime({ timeZone: zone }).epochMilliseconds,
    endMs: date.add({ days: 1 }).toZonedDateTime({ timeZone: zone }).epochMilliseconds,
  };
}

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an ISO 8601 date-time that states its offset (…+01:00 or …Z); undefined otherwise. */
export function parseInstant(text: string): number | undefined {
  if (!INSTANT_RE.test(text)) return undefined;
  try {
    const instant = Temporal.Instant.from(text);
    if (!yearSupported(instant.toZonedDateTimeISO('UTC').year)) return undefined;
    return instant.epochMilliseconds;
  } catch {
    return undefined;
  }
}

/** The calendar month containing an instant, as instants in the given zone: [start, end). */
export function localMonthBounds(epochMs: number, zone: string): { startMs: number; endMs: number } {
  const first = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone).toPlainDate().with({ day: 1 });
  return { startMs: localDayBounds(first, zone).startMs, endMs: localDayBounds(first.add({ months: 1 }), zone).startMs };
}

/** The instant `months` calendar months before `epochMs` (UTC calendar; clamped to month end). */
export function monthsBefore(epochMs: number, months: number): number {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO('UTC').subtract({ months }).epochMilliseconds;
}
