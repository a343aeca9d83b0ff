import slugify from 'slugify';
import type { ErrorDetail } from './errors.ts';

/**
 * A business's address on the instance (`/plomberie-dupont`): lowercase letters, digits and
 * single dashes, accents transliterated the French way (« Œ » → "oe", « & » → "et").
 * The same shape is checked by the database (migration 0029).
 */
const SLUG_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const SLUG_MIN = 3;
export const SLUG_MAX = 60;

/**
 * First path segments the instance itself uses, or that would read as one of its pages: a
 * business cannot take them (its page would hide the instance's route, or mislead).
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'admin', 'api', 'assets', 'static', 'embed', 'embed-js', 'operator', 'operateur', 'inscription', 'signup',
  'connexion', 'login', 'logout', 'gerer', 'reservation', 'reservations', 'metrics', 'health', 'ready',
  'docs', 'www', 'app', 'mail', 'support', 'aide', 'help', 'contact', 'cgu', 'cgv', 'mentions-legales',
  'confidentialite', 'tarifs', 'pricing', 'artisanconnect', 'favicon-ico', 'robots-txt', 'mot-de-passe',
  'password', 'compte', 'account', 'setup', 'demo-login', 'webhooks', 'stripe', 'oauth', 'ics', 'feeds',
]);

/** The slug a name suggests (may still be reserved or taken). */
export function suggestSlug(name: string): string {
  return slugify(name, { lower: true, strict: true, locale: 'fr', trim: true }).slice(0, SLUG_MAX).replace(/-+$/, '');
}

/** Problems with a chosen slug, in French, added to `details` under `field`; the slug as kept. */
export function checkSlug(input: string, details: ErrorDetail[], field = 'slug'): string {
  const slug = input.trim().toLowerCase();
  if (slug.length < SLUG_MIN || slug.length > SLUG_MAX) {
    details.push({ field, message: `L'adresse doit compter de ${SLUG_MIN} à ${SLUG_MAX} caractères.` });
  } else if (!SLUG_RE.test(slug)) {
    details.push({ field, message: "L'adresse ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets simples (ex. plomberie-dupont)." });
  } else if (RESERVED_SLUGS.has(slug)) {
    details.push({ field, message: 'Cette adresse est réservée : choisissez-en une autre.' });
  }
  return slug;
}

/** True when `segment` may be a business's slug (used to tell /{slug}/… from the instance's own paths). */
export function mayBeSlug(segment: string): boolean {
  return segment.length >= SLUG_MIN && segment.length <= SLUG_MAX && SLUG_RE.test(segment) && !RESERVED_SLUGS.has(segment);
}
