import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token of a maintenance invitation's links (issue 22 item 5): the business and the due
 * visit, signed with HMAC-SHA256 (its first 128 bits). It opens the booking page prefilled for
 * that visit and the opt-out page, with no sign-in; it carries no contact detail and never
 * expires (an opt-out link must keep working). Short enough for an SMS: the two UUIDs' 32
 * bytes and the 16-byte MAC, base64url, make 66 characters.
 */
export type DueVisitTokenCheck = { ok: true; artisanId: string; dueVisitId: string } | { ok: false };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAC_BYTES = 16;

const uuidBytes = (uuid: string): Buffer => Buffer.from(uuid.replace(/-/g, ''), 'hex');
const uuidOf = (bytes: Buffer): string => {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
// A distinct prefix: a manage link's MAC (same secret) can never pass for this one.
const mac = (body: Buffer, secret: string): Buffer => createHmac('sha256', secret).update('due-visit:').update(body).digest().subarray(0, MAC_BYTES);

export function signDueVisitToken(artisanId: string, dueVisitId: string, secret: string): string {
  if (!UUID.test(artisanId) || !UUID.test(dueVisitId)) throw new Error('due visit token: ids must be UUIDs');
  const body = Buffer.concat([uuidBytes(artisanId), uuidBytes(dueVisitId)]);
  return `${body.toString('base64url')}.${mac(body, secret).toString('base64url')}`;
}

export function verifyDueVisitToken(token: string, secret: string): DueVisitTokenCheck {
  const match = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{22})$/.exec(token.trim());
  if (!match) return { ok: false };
  const body = Buffer.from(match[1]!, 'base64url');
  const given = Buffer.from(match[2]!, 'base64url');
  // Only the spelling we issue (spare bits zero) is accepted: one token per visit.
  if (body.length !== 32 || body.toString('base64url') !== match[1] || given.toString('base64url') !== match[2]) return { ok: false };
  const expected = mac(body, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false };
  return { ok: true, artisanId: uuidOf(body.subarray(0, 16)), dueVisitId: uuidOf(body.subarray(16)) };
}
