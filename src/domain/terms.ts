import { createHash } from 'node:crypto';

/**
 * The version of a terms-of-sale text: a digest of the text itself, so any edit is a new
 * version without a counter to keep, and a consent names exactly the text that was shown.
 */
export function termsVersion(text: string | null): string | null {
  if (text === null) return null;
  return `cgv-${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16)}`;
}
