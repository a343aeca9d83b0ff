/**
 * A search typed as (part of) a phone number, in any common French way: "06 11 22 33 44",
 * "0611223344", "06.11.22.33.44", "+33 6 11 22 33 44", "0033 6 11…", or a fragment ("22 33 44").
 * Numbers are stored in E.164 (+33611223344); both sides are compared as digits, without the
 * trunk "0" or the international "00"/"+" and, for a full French number, its "33": the digits
 * typed must appear in the stored number's digits. Undefined when the query is not a phone
 * fragment (letters in it, or fewer than 3 digits left).
 */
export function phoneDigitsOf(query: string): string | undefined {
  const q = query.trim();
  if (!/^\+?[\d\s.\-/()]+$/.test(q)) return undefined;
  let digits = q.replace(/\D/g, '');
  if (q.startsWith('+')) {
    // "+33 6 11…": the country code stays, as it is in the stored number's digits.
  } else if (digits.startsWith('00')) {
    digits = digits.slice(2);
  } else if (digits.startsWith('0')) {
    digits = digits.slice(1);
  }
  return digits.length >= 3 ? digits : undefined;
}
