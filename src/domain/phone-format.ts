import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * How a person reads a phone number: one rule for the back office (web/ imports it) and the
 * messages (notify/). Numbers are stored in E.164 and only shown this way. Apart from
 * reading-format.ts so the customer's pages do not load the numbering plans (~30 kB gzipped).
 */

/** "+33612345678" -> "06 12 34 56 78"; a foreign number in its international form ("+44 20 7946 0958"). */
export function phoneForReading(e164: string): string {
  const phone = parsePhoneNumberFromString(e164, 'FR');
  if (!phone) return e164;
  return phone.country === 'FR' ? phone.formatNational() : phone.formatInternational();
}

/** The `tel:` (call) and `sms:` links of a stored number (E.164 as it is: every phone dials it). */
export const telHref = (e164: string): string => `tel:${e164.replace(/[^+\d]/g, '')}`;
export const smsHref = (e164: string): string => `sms:${e164.replace(/[^+\d]/g, '')}`;
