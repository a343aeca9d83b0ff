import { describe, expect, it } from 'vitest';
import { escapeHtml, formatEuros, formatLongDateTime, formatShortDateTime, isGsm7, smsSegments, toGsm7 } from './french-format.ts';
import { maskContacts } from '../mask-contacts.ts';

describe('formatEuros', () => {
  it.each([
    [1200, '12,00 €'],
    [5, '0,05 €'],
    [0, '0,00 €'],
    [123456789, '1 234 567,89 €'],
    [-600, '-6,00 €'],
  ])('%i cents -> %s', (cents, text) => expect(formatEuros(cents)).toBe(text));
});

describe('French dates in the artisan zone', () => {
  it.each([
    ['2027-03-10T08:00:00Z', 'mercredi 10 mars 2027 à 9 h', 'mer. 10/03 à 9 h'], // winter, +01:00
    ['2027-07-01T07:30:00Z', 'jeudi 1er juillet 2027 à 9 h 30', 'jeu. 01/07 à 9 h 30'], // summer, +02:00
    ['2027-03-28T01:30:00Z', 'dimanche 28 mars 2027 à 3 h 30', 'dim. 28/03 à 3 h 30'], // just after the spring-forward gap
    ['2027-08-15T22:00:00Z', 'lundi 16 août 2027 à 0 h', 'lun. 16/08 à 0 h'], // the local day differs from UTC's
  ])('%s', (iso, long, short) => {
    expect(formatLongDateTime(Date.parse(iso), 'Europe/Paris')).toBe(long);
    expect(formatShortDateTime(Date.parse(iso), 'Europe/Paris')).toBe(short);
  });
});

describe('escapeHtml', () => {
  it('escapes markup and quotes', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
  });
});

describe('SMS text (GSM-7)', () => {
  it('keeps the accents GSM-7 has and drops those it lacks', () => {
    expect(toGsm7('Réservé à Noël, chaudière, façade, crème brûlée, œuvre – “ok”')).toBe('Réservé à Noel, chaudière, facade, crème brulée, oeuvre - "ok"');
    expect(isGsm7(toGsm7('Ça coûte 12,00 € — voilà 😀'))).toBe(true);
  });

  it('counts segments: 160 septets alone, 153 each when concatenated, € counts twice', () => {
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(306))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
    expect(smsSegments(`${'a'.repeat(159)}€`)).toBe(2);
  });
});

describe('maskContacts', () => {
  it('masks e-mail addresses and phone numbers in log text', () => {
    const masked = maskContacts('550 5.1.1 <jean.martin@example.com>: Recipient address rejected; to +33 6 12 34 56 78');
    expect(masked).not.toMatch(/jean|example\.com|12 34/);
    expect(masked).toContain('[e-mail masqué]');
    expect(masked).toContain('[téléphone masqué]');
  });
});
