/**
 * How a person reads a time and a duration, in French: one module for the back office, the
 * customer's pages (web/ imports it) and the messages (notify/). Pure, no dependency (the
 * customer's pages load it). Phones: phone-format.ts.
 */

/** 9, 30 -> "9 h 30"; 14, 0 -> "14 h" (no-break spaces: "9 h" never splits over two lines). */
export function hourMinute(hour: number, minute: number): string {
  return `${hour}\u00a0h${minute === 0 ? '' : `\u00a0${String(minute).padStart(2, '0')}`}`;
}

/** 90 -> "1 h 30", 30 -> "30 min", 120 -> "2 h". */
export function durationForReading(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}\u00a0min`;
  return m === 0 ? `${h}\u00a0h` : `${h}\u00a0h\u00a0${String(m).padStart(2, '0')}`;
}

/** French writes the first day of a month as an ordinal: 1 -> "1er" ("lundi 1er mars"), 2 -> "2". */
export function dayOfMonth(day: number): string {
  return day === 1 ? '1er' : String(day);
}

/** "12 rue des Lilas, 75011 Paris": an intervention address on one line. */
export function addressForReading(a: { street: string; postalCode: string; city: string }): string {
  return `${a.street}, ${a.postalCode} ${a.city}`;
}

/** The `tel:` (call) and `sms:` links of a stored number (E.164 as it is: every phone dials it). */
export const telHref = (e164: string): string => `tel:${e164.replace(/[^+\d]/g, '')}`;
export const smsHref = (e164: string): string => `sms:${e164.replace(/[^+\d]/g, '')}`;
