import { hasContact } from '../mask-contacts.ts';

const MASK = '[masqué]';
/** Parameters whose value opens a booking or names a customer, whatever it looks like. */
const SECRET_NAMES = new Set(['email', 'token', 'phone', 'q']);

/**
 * Routes whose URL carries a secret the rules above do not see: the private calendar feed's
 * file name is its token (the feed lists every customer), and the OAuth callback's `code` and
 * `state` are credentials (elsewhere `code` is a booking's public code, kept for support).
 * Matched on the decoded path without empty segments, whatever the case, as a router might.
 */
const SECRET_ROUTES: { path: RegExp; segmentsFrom?: number; params?: string[] }[] = [
  { path: /^\/api\/calendar(\/|$)/i, segmentsFrom: 2 },
  { path: /^\/api\/admin\/calendars\/oauth\/[^/]+\/callback$/i, params: ['code', 'state'] },
];

/** Percent-decoding that never throws: a malformed sequence is kept as typed, the rest decoded. */
const decode = (part: string): string =>
  part.replace(/\+/g, ' ').replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%[0-9a-f]{2}/gi, (one) => {
        const code = parseInt(one.slice(1), 16);
        return code < 0x80 ? String.fromCharCode(code) : one;
      });
    }
  });

/**
 * A request URL as the logs may keep it. Each path segment, parameter name and value is read
 * decoded (so `e%6Dail=` or `jean%40example.com` are seen for what they are): a value that
 * looks like an e-mail address or a phone number is masked, whatever its parameter is called,
 * and so are the values of `email`, `token` (a manage link opens a booking), `phone` and `q`
 * (the back office's search), and the secrets of SECRET_ROUTES.
 */
export function maskUrlForLog(url: string): string {
  const hashAt = url.indexOf('#');
  const withoutHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = withoutHash.indexOf('?');
  const path = queryAt === -1 ? withoutHash : withoutHash.slice(0, queryAt);
  const segments = path.split('/');
  const decoded = segments.map(decode);
  const route = SECRET_ROUTES.find((r) => r.path.test(`/${decoded.filter(Boolean).join('/')}`));
  const secretNames = route?.params ? new Set([...SECRET_NAMES, ...route.params]) : SECRET_NAMES;
  let position = 0; // among the non-empty segments
  const maskedPath = segments
    .map((segment, i) => {
      if (decoded[i] === '') return segment;
      const secret = route?.segmentsFrom !== undefined && position >= route.segmentsFrom;
      position++;
      return secret || hasContact(decoded[i]!) ? MASK : segment;
    })
    .join('/');
  if (queryAt === -1) return maskedPath;
  const query = withoutHash
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      const name = decode(rawName);
      if (hasContact(name)) return MASK;
      if (eq === -1) return pair;
      const value = decode(pair.slice(eq + 1));
      return secretNames.has(name.trim().toLowerCase()) || hasContact(value) ? `${rawName}=${MASK}` : pair;
    })
    .join('&');
  return `${maskedPath}?${query}`;
}
