import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The manage link's token: the booking id and an expiry, signed with HMAC-SHA256. It carries
 * no contact detail, and anyone holding it may manage that one booking until it expires.
 * Format: base64url("<bookingId>.<expiresMs>") + "." + base64url(hmac).
 */
export type TokenCheck = { ok: true; bookingId: string; expiresMs: number } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const mac = (body: string, secret: string): Buffer => createHmac('sha256', secret).update(`manage:${body}`).digest();

export function signManageToken(bookingId: string, expiresMs: number, secret: string): string {
  const body = Buffer.from(`${bookingId}.${Math.floor(expiresMs)}`).toString('base64url');
  return `${body}.${mac(body, secret).toString('base64url')}`;
}

export function verifyManageToken(token: string, secret: string, nowMs: number): TokenCheck {
  const match = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, body, signature] = match as unknown as [string, string, string];
  const expected = mac(body, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  // 43 base64url characters carry 258 bits for a 256-bit MAC: the last one has 2 spare bits, so
  // four spellings decode to the same bytes. Only the one we issue (spare bits zero) is accepted.
  if (given.toString('base64url') !== signature) return { ok: false, reason: 'bad_signature' };
  const decoded = /^([0-9a-f-]{36})\.(\d{1,16})$/.exec(Buffer.from(body, 'base64url').toString('utf8'));
  if (!decoded) return { ok: false, reason: 'malformed' };
  const expiresMs = Number(decoded[2]);
  if (expiresMs <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, bookingId: decoded[1]!, expiresMs };
}
