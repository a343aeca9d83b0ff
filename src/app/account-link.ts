import { createHash } from 'node:crypto';
import type { Randomness } from './ports/randomness.ts';
import { escapeHtml } from '../domain/html.ts';

/**
 * The secrets of e-mailed single-use links (password resets, sign-up confirmations,
 * invitations): 32 random bytes in base64url, of which only the SHA-256 is stored. A link
 * that belongs to a business carries its id before the secret (`{artisanId}.{secret}`), so
 * the lookup is scoped by the business the way every other read is.
 */

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SECRET_RE = /^[A-Za-z0-9_-]{20,100}$/;

/** A new link token (the secret alone) and the hash to store. */
export function newLinkSecret(random: Randomness): { token: string; tokenHash: string } {
  const token = Buffer.from(random.bytes(32)).toString('base64url');
  return { token, tokenHash: sha256(token) };
}

/** The stored hash of a link's secret; undefined when it cannot be one of ours. */
export function linkSecretHash(secret: string): string | undefined {
  return SECRET_RE.test(secret) ? sha256(secret) : undefined;
}

/** A business's link: `{artisanId}.{secret}` and the hash to store. */
export function newBusinessLink(random: Randomness, artisanId: string): { token: string; tokenHash: string } {
  const { token, tokenHash } = newLinkSecret(random);
  return { token: `${artisanId}.${token}`, tokenHash };
}

/** The business and the stored hash a business link names; undefined when it is malformed. */
export function readBusinessLink(token: string): { artisanId: string; tokenHash: string } | undefined {
  const dot = token.indexOf('.');
  if (dot < 0) return undefined;
  const artisanId = token.slice(0, dot);
  const tokenHash = linkSecretHash(token.slice(dot + 1));
  return UUID_RE.test(artisanId) && tokenHash ? { artisanId, tokenHash } : undefined;
}

/** The HTML of an account e-mail written as lines: one paragraph a line, the link's line a button named `label`. */
export function linkMailHtml(lines: readonly string[], link: string, label: string): string {
  return lines.map((l) => (l === link ? `<p><a href="${escapeHtml(link)}">${escapeHtml(label)}</a></p>` : l ? `<p>${escapeHtml(l)}</p>` : '')).join('\n');
}
