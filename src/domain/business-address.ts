/**
 * A business's own public addresses (issue 19), the one rule behind every address the back
 * office hands out (booking page and its QR code, embed snippet, calendar feed, API description).
 * Where the business is reached:
 *  - on its host name when it has one (same scheme, port and path as the instance);
 *  - otherwise under `/{slug}` on the instance;
 *  - otherwise on the instance's own address: a business without a slug is reached there only
 *    while it is the instance's only business (business.ts's sole-business fallback).
 */
export interface BusinessAddress {
  /** The host name's or the instance's address (no trailing slash): where `/embed.js` is. */
  site: string;
  /** Where the business's paths start (no trailing slash): `{base}/api/…`. */
  base: string;
  /** Its booking page, the address to share. */
  page: string;
}

export function businessAddress(instanceUrl: string, business: { slug: string | null; hostName: string | null }): BusinessAddress {
  const url = new URL(instanceUrl);
  if (business.hostName) url.hostname = business.hostName;
  const site = (url.origin + url.pathname).replace(/\/+$/, '');
  if (business.hostName || !business.slug) return { site, base: site, page: `${site}/` };
  const base = `${site}/${business.slug}`;
  return { site, base, page: base };
}
