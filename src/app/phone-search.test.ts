import { describe, expect, it } from 'vitest';
import { phoneDigitsOf } from './phone-search.ts';

const STORED_DIGITS = '33611223344'; // +33611223344

describe('phoneDigitsOf', () => {
  it.each(['06 11 22 33 44', '0611223344', '06.11.22.33.44', '06-11-22-33-44', '+33 6 11 22 33 44', '+33611223344', '0033 6 11 22 33 44', '22 33 44', '06 11 22'])(
    'reads %s as digits found in the stored number',
    (typed) => {
      const digits = phoneDigitsOf(typed);
      expect(digits).toBeDefined();
      expect(STORED_DIGITS.includes(digits!)).toBe(true);
    },
  );

  it('does not read a name, a code or too short a fragment as a phone', () => {
    expect(phoneDigitsOf('Martin')).toBeUndefined();
    expect(phoneDigitsOf('AC-123456')).toBeUndefined();
    expect(phoneDigitsOf('06')).toBeUndefined();
    expect(phoneDigitsOf('0')).toBeUndefined();
  });

  it('does not match another number', () => {
    expect(STORED_DIGITS.includes(phoneDigitsOf('06 99 88 77 66')!)).toBe(false);
  });
});
