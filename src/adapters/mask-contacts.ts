/**
 * E-mail addresses and phone numbers never reach the logs (STYLE §3). They are recognised by
 * what they look like, not by the name of the field or parameter that carries them.
 */

const EMAIL = /[^\s<>"(),;:@[\]]+@[^\s<>"'(),;:@[\]]+\.[^\s<>"'(),;:@[\]]+/g;
// A run of digits with the separators people type (+33 6 12 34 56 78, 06.12.34.56.78,
// (0)6-12…), not glued to a letter, digit or hyphen (so ids and UUIDs are left alone).
const PHONE_CANDIDATE = /(?<![\w-])\+?\(?\d[\d .()-]{6,}\d(?![\w-])/g;
const PHONE_DIGITS = { min: 9, max: 15 };

const looksLikePhone = (candidate: string): boolean => {
  const digits = candidate.replace(/\D/g, '').length;
  // Dates and times (2027-03-03, 09:00) have fewer digits; a phone has 9 to 15 (E.164).
  return digits >= PHONE_DIGITS.min && digits <= PHONE_DIGITS.max && !/^\d{4}-\d{2}-\d{2}/.test(candidate);
};

export function maskContacts(text: string): string {
  return text
    .replace(EMAIL, '[e-mail masqué]')
    .replace(PHONE_CANDIDATE, (candidate) => (looksLikePhone(candidate) ? '[téléphone masqué]' : candidate));
}

/** Whether a text holds something that looks like an e-mail address or a phone number. */
export function hasContact(text: string): boolean {
  return maskContacts(text) !== text;
}
