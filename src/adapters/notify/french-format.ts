import type { Address } from '../../domain/address.ts';
import { Temporal } from 'temporal-polyfill';
import { addressForReading, dayOfMonth, durationForReading, hourMinute } from '../../domain/reading-format.ts';

/** French formatting for messages: amounts, dates, HTML escaping and SMS (GSM-7) text. */

const DAYS = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

const zoned = (epochMs: number, zone: string) => Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone);
const pad = (n: number): string => String(n).padStart(2, '0');

/** 1234567 -> "12 345,67 €" (plain spaces: they survive SMS and every mail client). */
export function formatEuros(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  const units = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${sign}${units},${pad(abs % 100)} €`;
}

// Plain spaces in messages, as in formatEuros: they survive SMS and every mail client.
const plainSpaces = (text: string): string => text.replace(/\u00a0/g, ' ');

/** "9 h 30", the one way times read (domain/reading-format.ts), with plain spaces. */
export const formatTime = (hour: number, minute: number): string => plainSpaces(hourMinute(hour, minute));

/** "1 h 30", "30 min", with plain spaces. */
export const formatDuration = (minutes: number): string => plainSpaces(durationForReading(minutes));

/** "mercredi 10 mars 2027 à 9 h", read in the artisan's zone. */
export function formatLongDateTime(epochMs: number, zone: string): string {
  const z = zoned(epochMs, zone);
  return `${DAYS[z.dayOfWeek - 1]} ${dayOfMonth(z.day)} ${MONTHS[z.month - 1]} ${z.year} à ${formatTime(z.hour, z.minute)}`;
}

/** "mer. 10/03 à 9 h": short enough for an SMS. */
export function formatShortDateTime(epochMs: number, zone: string): string {
  const z = zoned(epochMs, zone);
  return `${DAYS[z.dayOfWeek - 1]!.slice(0, 3)}. ${pad(z.day)}/${pad(z.month)} à ${formatTime(z.hour, z.minute)}`;
}

export { escapeHtml } from '../../domain/html.ts';

// GSM 03.38: the basic set (one septet each) and the extension table (two septets each).
const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM_EXTENDED = new Set('^{}\\[~]|€');
const SUBSTITUTES: Record<string, string> = { '’': "'", '‘': "'", '«': '"', '»': '"', '“': '"', '”': '"', '–': '-', '—': '-', '…': '...', œ: 'oe', Œ: 'OE', '\u00a0': ' ', '\u202f': ' ' };

/**
 * Keeps a text inside GSM-7 so an SMS holds 160 characters a segment (one accent outside the
 * set would switch the whole message to UCS-2 and 70 a segment): â, ê, ç… lose their accent.
 */
export function toGsm7(text: string): string {
  let out = '';
  for (const ch of text) {
    if (GSM_BASIC.has(ch) || GSM_EXTENDED.has(ch)) out += ch;
    else if (SUBSTITUTES[ch] !== undefined) out += SUBSTITUTES[ch];
    else {
      const plain = ch.normalize('NFD').replace(/\p{M}/gu, '');
      out += [...plain].every((c) => GSM_BASIC.has(c)) ? plain : '?';
    }
  }
  return out;
}

/** Segments a GSM-7 text takes: 160 septets alone, 153 each when concatenated. */
export function smsSegments(text: string): number {
  let septets = 0;
  for (const ch of text) septets += GSM_EXTENDED.has(ch) ? 2 : 1;
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
}

export const isGsm7 = (text: string): boolean => [...text].every((c) => GSM_BASIC.has(c) || GSM_EXTENDED.has(c));

/** "12 rue des Lilas, 75011 Paris": the intervention address on one line (domain/reading-format.ts). */
export const formatAddress = (a: Address): string => addressForReading(a);

/** "vendredi 3 mars 2028", from a local date (AAAA-MM-JJ): a due visit's date. */
export function formatLongDate(localDate: string): string {
  const d = Temporal.PlainDate.from(localDate);
  return `${DAYS[d.dayOfWeek - 1]} ${dayOfMonth(d.day)} ${MONTHS[d.month - 1]} ${d.year}`;
}

/** "03/03/2028": short enough for an SMS. */
export function formatShortDate(localDate: string): string {
  const d = Temporal.PlainDate.from(localDate);
  return `${pad(d.day)}/${pad(d.month)}/${d.year}`;
}
