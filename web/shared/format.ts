/**
 * French formatting for what customers and artisans read. Dates and times are the artisan's
 * wall clock: a `YYYY-MM-DD` is formatted as a calendar date (UTC on both sides) and an
 * instant in the artisan's IANA zone, never in the visitor's own zone.
 */
import { dayOfMonth, durationForReading, hourMinute } from '../../src/domain/reading-format.ts';

const EUR = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** 4000 -> "40,00 €" (no-break space before the sign). */
export function euros(cents: number): string {
  return EUR.format(cents / 100).replace(/\u202f/g, '\u00a0');
}

const LONG_DATE = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const DAY_MONTH = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' });
const MONTH = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', month: 'long', year: 'numeric' });

export function parseYmd(ymd: string): { y: number; m: number; d: number } {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return { y, m, d };
}

export function ymd(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.toISOString().slice(0, 10);
}

/** "2027-03-10" -> "mercredi 10 mars 2027". */
export function longDate(date: string): string {
  const { y, m, d } = parseYmd(date);
  return withOrdinalDay(LONG_DATE, new Date(Date.UTC(y, m - 1, d)));
}

/**
 * "lundi 1 mars 2027": the date with the day as the number a calendar cell shows, for the
 * cell's accessible name (it must contain the visible "1"; prose uses longDate's "1er").
 */
export function calendarDate(date: string): string {
  const { y, m, d } = parseYmd(date);
  return LONG_DATE.format(new Date(Date.UTC(y, m - 1, d)));
}

/** A date written with its day as French prose writes it ("lundi 1er mars": domain/reading-format.ts's dayOfMonth). */
function withOrdinalDay(format: Intl.DateTimeFormat, date: Date): string {
  return format
    .formatToParts(date)
    .map((p) => (p.type === 'day' ? dayOfMonth(Number(p.value)) : p.value))
    .join('');
}

/** "2027-03" -> "mars 2027". */
export function monthName(y: number, m: number): string {
  return MONTH.format(new Date(Date.UTC(y, m - 1, 1)));
}

/** Day of the week of a calendar date, 0 = Monday … 6 = Sunday (French calendars start on Monday). */
export function weekdayMondayFirst(date: string): number {
  const { y, m, d } = parseYmd(date);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function addDays(date: string, days: number): string {
  const { y, m, d } = parseYmd(date);
  return ymd(y, m, d + days);
}

/** "09:00" -> "9 h", "14:30" -> "14 h 30". */
export function frenchTime(time: string): string {
  const [h, min] = time.split(':') as [string, string];
  return hourMinute(Number(h), Number(min));
}

/** 90 -> "1 h 30", 30 -> "30 min". */
export const duration = durationForReading;

/** An instant shown as the artisan's wall-clock date and time: "mardi 14 janvier à 9 h". */
export function instantInZone(epochMs: number, timeZone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(epochMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

/** Offset (ms) of a zone at an instant: wall clock read in the zone minus UTC. */
function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const local = instantInZone(epochMs, timeZone);
  const { y, m, d } = parseYmd(local.date);
  const [h, min] = local.time.split(':').map(Number) as [number, number];
  return Date.UTC(y, m - 1, d, h, min) - Math.floor(epochMs / 60_000) * 60_000;
}

/** The instant of a wall-clock date and time in the artisan's zone (slots are never in a DST gap). */
export function zonedToEpoch(date: string, time: string, timeZone: string): number {
  const { y, m, d } = parseYmd(date);
  const [h, min] = time.split(':').map(Number) as [number, number];
  const naive = Date.UTC(y, m - 1, d, h, min);
  let guess = naive - zoneOffsetMs(naive, timeZone);
  guess = naive - zoneOffsetMs(guess, timeZone);
  return guess;
}

/** "mardi 14 janvier à 9 h" for an instant, in the artisan's zone (year left out). */
export function whenInZone(epochMs: number, timeZone: string): string {
  const local = instantInZone(epochMs, timeZone);
  const { y, m, d } = parseYmd(local.date);
  const day = withOrdinalDay(DAY_MONTH, new Date(Date.UTC(y, m - 1, d)));
  return `${day} à ${frenchTime(local.time)}`;
}

/** Half-up rounding of cents × rate to the basis point, as the server does (domain/money.ts). */
export function applyRate(amountCents: number, rate: number): number {
  return Math.floor((amountCents * Math.round(rate * 10_000) + 5_000) / 10_000);
}

export interface RefundTier {
  minHoursBefore: number;
  refundRate: number;
}

/**
 * The cancellation policy written out for one booking: each tier with its deadline in the
 * artisan's zone and the amount it refunds, then what happens after the last deadline.
 * Deadlines already past at `nowMs` are left out: a booking made inside the last refundable
 * window is told directly that its deposit is not refundable, never a date already gone.
 */
export function policySentences(input: { tiers: RefundTier[]; startMs: number; depositCents: number; timeZone: string; nowMs: number }): string[] {
  const open = (t: RefundTier) => input.startMs - t.minHoursBefore * 3_600_000 > input.nowMs;
  const tiers = [...input.tiers].sort((a, b) => b.minHoursBefore - a.minHoursBefore).filter(open);
  const when = (hours: number) => whenInZone(input.startMs - hours * 3_600_000, input.timeZone);
  const amount = (rate: number) => (rate >= 1 ? `remboursement total de l’acompte (${euros(input.depositCents)})` : `remboursement de ${euros(applyRate(input.depositCents, rate))} sur ${euros(input.depositCents)} d’acompte`);
  const out: string[] = [];
  tiers.forEach((tier, i) => {
    if (tier.refundRate <= 0) return;
    const deadline = when(tier.minHoursBefore);
    const upper = i > 0 ? tiers[i - 1] : undefined;
    const line = upper
      ? `${capitalize(amount(tier.refundRate))} si vous annulez entre le ${when(upper.minHoursBefore)} et le ${deadline}.`
      : `${capitalize(amount(tier.refundRate))} si vous annulez avant le ${deadline}.`;
    out.push(line);
  });
  const last = tiers.filter((t) => t.refundRate > 0).at(-1);
  if (last) out.push(`Après le ${when(last.minHoursBefore)}, l’acompte de ${euros(input.depositCents)} est conservé.`);
  else if (input.tiers.some((t) => t.refundRate > 0)) {
    out.push(`L’acompte de ${euros(input.depositCents)} n’est pas remboursable : le rendez-vous est trop proche pour une annulation remboursée.`);
  } else out.push(`L’acompte de ${euros(input.depositCents)} n’est pas remboursable en cas d’annulation.`);
  return out;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "2026-12-09" -> "mercredi 9 décembre", "mardi 1er décembre" (the year left out: days off and closures are near). */
export function dayMonth(date: string): string {
  const { y, m, d } = parseYmd(date);
  return withOrdinalDay(DAY_MONTH, new Date(Date.UTC(y, m - 1, d)));
}

/**
 * A period in the artisan's zone, in words: whole days as "le mercredi 9 décembre" or "du
 * mercredi 9 au vendredi 11 décembre"-style ranges ("du … au …"), parts of days with their times.
 */
export function periodInZone(startIso: string, endIso: string, timeZone: string): string {
  const start = instantInZone(Date.parse(startIso), timeZone);
  const end = instantInZone(Date.parse(endIso), timeZone);
  if (start.time === '00:00' && end.time === '00:00') {
    const last = addDays(end.date, -1);
    return last <= start.date ? `le ${dayMonth(start.date)}` : `du ${dayMonth(start.date)} au ${dayMonth(last)}`;
  }
  if (start.date === end.date) return `le ${dayMonth(start.date)} de ${frenchTime(start.time)} à ${frenchTime(end.time)}`;
  return `du ${dayMonth(start.date)} à ${frenchTime(start.time)} au ${dayMonth(end.date)} à ${frenchTime(end.time)}`;
}
