/**
 * A business's own public address (issue 19), the one rule behind every address the back
 * office hands out (embed snippet, calendar feed, API description):
 *  - its host name when it has one (same scheme and port as the instance);
 *  - otherwise `/{slug}` on the instance;
 *  - otherwise the instance's own address: a business without a slug is reached there only
 *    while it is the instance's only business (business.ts's sole-business fallback).
 */
export function businessAddress(instanceUrl: string, business: { slug: string | null; hostName: string | null }): string {
  const url = new URL(instanceUrl);
  if (business.hostName) {
    url.hostname = business.hostName;
    return url.origin;
  }
  return business.slug ? `${url.origin}/${business.slug}` : url.origin;
}
