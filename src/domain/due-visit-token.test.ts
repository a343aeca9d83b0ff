import { describe, expect, it } from 'vitest';
import { signDueVisitToken, verifyDueVisitToken } from './due-visit-token.ts';
import { signManageToken } from './manage-token.ts';

const ARTISAN = '0f8fad5b-d9cb-469f-a165-70867728950e';
const VISIT = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const SECRET = 'a-secret-of-the-instance';

describe('the token of an invitation link', () => {
  it('opens the visit it was signed for, and is short enough for an SMS', () => {
    const token = signDueVisitToken(ARTISAN, VISIT, SECRET);
    expect(token).toHaveLength(66);
    expect(verifyDueVisitToken(token, SECRET)).toEqual({ ok: true, artisanId: ARTISAN, dueVisitId: VISIT });
  });

  it('refuses a changed character, another key, a manage link token and garbage', () => {
    const token = signDueVisitToken(ARTISAN, VISIT, SECRET);
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      const changed = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      expect(verifyDueVisitToken(changed, SECRET), `character ${i}`).toEqual({ ok: false });
    }
    expect(verifyDueVisitToken(token, 'another-secret')).toEqual({ ok: false });
    expect(verifyDueVisitToken(signManageToken(VISIT, Date.parse('2030-01-01T00:00:00Z'), SECRET), SECRET)).toEqual({ ok: false });
    for (const junk of ['', '.', 'abc.def', `${token}x`, token.toUpperCase()]) expect(verifyDueVisitToken(junk, SECRET)).toEqual({ ok: false });
  });
});
