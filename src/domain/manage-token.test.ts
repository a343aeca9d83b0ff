import { describe, expect, it } from 'vitest';
import { signManageToken, verifyManageToken } from './manage-token.ts';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const ID = '0b7c7a3e-2f4d-4e8a-9c1b-5d6e7f8a9b0c';
const NOW = Date.parse('2027-03-01T07:00:00Z');

describe('manage token', () => {
  it('round-trips the booking id until it expires', () => {
    const token = signManageToken(ID, NOW + 1000, SECRET);
    expect(verifyManageToken(token, SECRET, NOW)).toEqual({ ok: true, bookingId: ID, expiresMs: NOW + 1000 });
    expect(verifyManageToken(token, SECRET, NOW + 1000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses another secret, a changed body or signature, and garbage', () => {
    const token = signManageToken(ID, NOW + 1000, SECRET);
    const [body, mac] = token.split('.') as [string, string];
    const later = Buffer.from(`${ID}.${NOW + 10_000_000}`).toString('base64url');
    expect(verifyManageToken(token, `${SECRET}x`, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyManageToken(`${later}.${mac}`, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyManageToken(`${body}.${mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    for (const junk of ['', 'abc', `${body}.`, `${body}.${mac}.x`, 'é.é']) expect(verifyManageToken(junk, SECRET, NOW).ok).toBe(false);
  });

  it('accepts only the canonical spelling of the signature (its last character has spare bits)', () => {
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < 20; i++) {
      const token = signManageToken(ID, NOW + 1000 + i, SECRET);
      const accepted = [...ALPHABET].filter((c) => verifyManageToken(`${token.slice(0, -1)}${c}`, SECRET, NOW).ok);
      expect(accepted).toEqual([token.slice(-1)]);
    }
  });

  it('carries no contact detail, only the id and the expiry', () => {
    const token = signManageToken(ID, NOW, SECRET);
    expect(Buffer.from(token.split('.')[0]!, 'base64url').toString()).toBe(`${ID}.${NOW}`);
  });
});
