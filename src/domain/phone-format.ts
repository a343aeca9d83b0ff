import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * How a person reads a phone number: one rule for the back office (web/ imports it) and the
 * messages (notify/). Numbers are stored in E.164 and only shown this way. Apart from
 * reading-format.ts (which has the call and SMS links) so the customer's pages do not load the
 * numbering plans (~30 kB gzipped).
 */

/** "+33612345678" -> "06 12 34 56 78"; a foreign number in its international form ("+44 20 7946 0958"). */
export function phoneForReading(e164: string): string {
  const phone = parsePhoneNumberFromString(e164, 'FR');
  if (!phone) return e164;
  return phone.country === 'FR' ? phone.formatNational() : phone.formatInternational();
}
