/** Service ids are readable slugs (`entretien-chaudiere`), used in URLs and by integrations. */
export const SERVICE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** A slug from a service name: accents dropped, lower case, words joined by dashes. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/œ/gi, 'oe')
    .replace(/æ/gi, 'ae')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug || 'prestation';
}
