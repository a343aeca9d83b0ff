/**
 * A request URL as the logs may keep it: the lookup's `email` and the manage link's `token`
 * (which opens a booking) are masked in the query string.
 */
export function maskUrlForLog(url: string): string {
  return url.replace(/([?&](?:email|token)=)[^&#]*/gi, '$1[masqué]');
}
