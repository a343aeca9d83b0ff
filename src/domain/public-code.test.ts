import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { generatePublicCode, normalizeEmail, normalizePublicCode } from './public-code.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const CODE_RE = /^AC-[A-Z0-9]{6}$/;

/** A fake RNG that hands out the given bytes in order (then zeros), n at a time. */
function byteStream(bytes: readonly number[]): { randomBytes: (n: number) => Uint8Array; requested: number[] } {
  let pos = 0;
  const requested: number[] = [];
  return {
    requested,
    randomBytes: (n: number) => {
      requested.push(n);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = bytes[pos++] ?? 0;
      return out;
    },
  };
}

describe('generatePublicCode (decisions §6: "AC-" + 6 of A–Z0–9)', () => {
  it('maps bytes to characters: 0 -> A … 25 -> Z, 26 -> 0 … 35 -> 9', () => {
    expect(generatePublicCode(byteStream([0, 1, 2, 3, 4, 5]).randomBytes)).toBe('AC-ABCDEF');
    expect(generatePublicCode(byteStream([25, 26, 35, 34, 27, 33]).randomBytes)).toBe('AC-Z09817');
  });

  it('wraps modulo 36 below 252: 36 -> A, 71 -> 9, 61 -> Z, 250 -> 8, 251 -> 9', () => {
    expect(generatePublicCode(byteStream([36, 71, 72, 61, 250, 251]).randomBytes)).toBe('AC-A9AZ89');
  });

  it('skips bytes >= 252 (rejection sampling) and keeps drawing until 6 are accepted', () => {
    const rng = byteStream([252, 253, 254, 255, 0, 1, 2, 3, 255, 255, 255, 255, 255, 255, 4, 5]);
    expect(generatePublicCode(rng.randomBytes)).toBe('AC-ABCDEF');
    expect(rng.requested.length).toBe(2); // two draws were needed
  });

  it('survives a long run of rejected bytes', () => {
    const rng = byteStream([...Array<number>(100).fill(255), 7, 8, 9, 10, 11, 12]);
    expect(generatePublicCode(rng.randomBytes)).toBe('AC-HIJKLM');
  });

  it('gives every character to exactly 7 of the 252 accepted byte values (uniform)', () => {
    const counts = new Map<string, number>();
    for (let b = 0; b < 252; b++) {
      const code = generatePublicCode(byteStream(Array<number>(6).fill(b)).randomBytes);
      expect(code).toBe(`AC-${code[3]!.repeat(6)}`);
      counts.set(code[3]!, (counts.get(code[3]!) ?? 0) + 1);
    }
    expect([...counts.keys()].sort().join('')).toBe([...ALPHABET].sort().join(''));
    for (const n of counts.values()) expect(n).toBe(7);
  });

  it('always matches /^AC-[A-Z0-9]{6}$/ and uses the accepted bytes in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }), (bytes) => {
        const code = generatePublicCode(byteStream(bytes).randomBytes);
        expect(code).toMatch(CODE_RE);
        // zeros follow the stream, so the accepted sequence is padded with 'A'
        const accepted = bytes.filter((b) => b < 252).map((b) => ALPHABET[b % 36]);
        const expected = [...accepted, ...Array<string>(6).fill('A')].slice(0, 6).join('');
        expect(code).toBe(`AC-${expected}`);
      }),
      { numRuns: 500 },
    );
  });

  it('works with node:crypto', async () => {
    const { randomBytes } = await import('node:crypto');
    const codes = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = generatePublicCode((n) => randomBytes(n));
      expect(code).toMatch(CODE_RE);
      codes.add(code);
    }
    expect(codes.size).toBeGreaterThan(190); // 36^6 ≈ 2.2e9 codes: collisions are very unlikely
  });
});

describe('normalizePublicCode (trimmed, case-insensitive)', () => {
  it.each([
    ['AC-AB12CD', 'AC-AB12CD'],
    ['ac-ab12cd', 'AC-AB12CD'],
    ['Ac-aB12cD', 'AC-AB12CD'],
    ['  AC-AB12CD  ', 'AC-AB12CD'],
    ['\tac-000000\n', 'AC-000000'],
    ['ac-zzzzzz', 'AC-ZZZZZZ'],
  ])('%j -> %s', (input, expected) => {
    expect(normalizePublicCode(input)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    'AC-',
    'AC-AB12C', // 5 characters
    'AC-AB12CDE', // 7 characters
    'AB-AB12CD',
    'ACAB12CD',
    'AC_AB12CD',
    'AC AB12CD',
    'AC-AB 12C',
    'AC-AB12C!',
    'AC-AB12CÉ',
    'AC-AB-2CD',
    'xAC-AB12CD',
    'AC-AB12CDx',
  ])('rejects %j', (input) => {
    expect(normalizePublicCode(input)).toBeUndefined();
  });

  it('accepts any generated code whatever its case and padding', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...ALPHABET), { minLength: 6, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
        fc.constantFrom('', ' ', '  ', '\t', '\n'),
        fc.constantFrom('', ' ', '\t', '\r\n'),
        (chars, lower, before, after) => {
          const canonical = `AC-${chars.join('')}`;
          const typed = [...canonical].map((c, i) => (lower[i] ? c.toLowerCase() : c)).join('');
          expect(normalizePublicCode(`${before}${typed}${after}`)).toBe(canonical);
        },
      ),
    );
  });
});

describe('normalizeEmail (ignores case and surrounding spaces)', () => {
  it.each([
    ['jean@example.com', 'jean@example.com'],
    ['Jean.Dupont@Example.FR', 'jean.dupont@example.fr'],
    ['  JEAN@EXAMPLE.COM  ', 'jean@example.com'],
    ['\tmarie+rdv@Exemple.fr\n', 'marie+rdv@exemple.fr'],
  ])('%j -> %s', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it('two spellings of the same address normalize equal', () => {
    expect(normalizeEmail(' Jean@Example.com')).toBe(normalizeEmail('jean@example.COM '));
  });
});
