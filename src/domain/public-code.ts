/** Public booking codes: "AC-" + 6 characters from A–Z0–9, drawn from a cryptographic RNG. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const CODE_RE = /^AC-[A-Z0-9]{6}$/;

/** `randomBytes` is injected so tests are deterministic; main wires node:crypto. */
export function generatePublicCode(randomBytes: (n: number) => Uint8Array): string {
  let code = 'AC-';
  while (code.length < 9) {
    // Rejection sampling keeps every character equally likely (256 is not a multiple of 36).
    for (const byte of randomBytes(8)) {
      if (byte < 252 && code.length < 9) code += ALPHABET[byte % 36];
    }
  }
  return code;
}

/** Trims and upper-cases an input code; undefined when it is not a well-formed code. */
export function normalizePublicCode(input: string): string | undefined {
  const code = input.trim().toUpperCase();
  return CODE_RE.test(code) ? code : undefined;
}

// Strict address check (a dotted domain is required); surrounding spaces are tolerated
// because the address is trimmed and lower-cased before use (contract, security rules).
export const EMAIL_PATTERN =
  "^\\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.[A-Za-z]{2,63}\\s*$";

export function normalizeEmail(input: string): string {
  return input.trim().toLowerCase();
}
