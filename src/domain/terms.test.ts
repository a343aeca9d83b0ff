import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { termsVersion } from './terms.ts';

describe('termsVersion', () => {
  it('is null without terms, stable for one text, different for any other text', () => {
    expect(termsVersion(null)).toBeNull();
    expect(termsVersion('Conditions')).toMatch(/^cgv-[0-9a-f]{16}$/);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(termsVersion(a)).toBe(termsVersion(a));
        if (a !== b) expect(termsVersion(a)).not.toBe(termsVersion(b));
      }),
    );
  });
});
