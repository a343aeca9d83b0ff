/**
 * French formatting for what customers and artisans read. Dates and times are the artisan's
 * wall clock: a `YYYY-MM-DD` is formatted as a calendar date (UTC on both sides) and an
 * instant in the artisan's IANA zone, never in the visitor's own zone.
 */
const EUR = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** 4000 -> "40,00 €" (no-break space before the sign). */
export function euros(cents: number): string {
  return EUR.format(cents / 100).replace(/\u202f/g, '\u00a0');
}

const LONG_DATE = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
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
  return LONG_DATE.format(new Date(Date.UTC(y, m - 1, d)));
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
  return `${Number(h)}\u00a0h${min === '00' ? '' : `\u00a0${min}`}`;
}

/** 90 -> "1 h 30", 30 -> "30 min". */
export function duration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}\u00a0min`;
  return m === 0 ? `${h}\u00a0h` : `${h}\u00a0h\u00a0${String(m).padStart(2, '0')}`;
}

/** An instant shown as the artisan's wall-clock date and time: "mardi 14 janvier à 9 h". */
export function instantInZone(epochMs: number, timeZone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(epochMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}
