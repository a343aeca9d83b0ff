import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { CalendarError } from '../../app/ports/calendars.ts';

/**
 * fetch() for URLs the artisan typed (ICS address, CalDAV server): the server must not be
 * turned into a way into its own network. Every address a connection goes to, after DNS
 * resolution (the socket connects to the address that was checked, so a DNS answer cannot
 * change in between) and on every redirect, must be public unicast; the body is capped in
 * size and the whole exchange in time.
 */
export interface FetchLimits {
  /** CALENDAR_ALLOW_PRIVATE_URLS: tests, or a Nextcloud on the artisan's own network. */
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
  /** Tests: which addresses count as allowed (default: public unicast only). */
  isAllowedAddress?: (address: string) => boolean;
}

/** IPv4-compatible (::/96, deprecated) and local-use NAT64 (operator-defined layout): never fetched. */
const REFUSED_IPV6 = [ipaddr.parseCIDR('::/96'), ipaddr.parseCIDR('64:ff9b:1::/48')] as const;

/**
 * The IPv4 addresses an IPv6 one leads to, by its range (ipaddr.js names them): mapped and
 * translated (last 32 bits), NAT64 64:ff9b::/96 (last 32 bits), 6to4 (bits 16–47), Teredo
 * (the server, bits 32–63, and the client, the last 32 bits inverted). None for other ranges.
 */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4[] {
  const bytes = address.toByteArray();
  const v4 = (at: number, flip = 0): ipaddr.IPv4 => new ipaddr.IPv4(bytes.slice(at, at + 4).map((b) => b ^ flip));
  switch (address.range()) {
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return [v4(12)];
    case '6to4':
      return [v4(2)];
    case 'teredo':
      return [v4(4), v4(12, 0xff)];
    default:
      return [];
  }
}

/** Public unicast, and so is every IPv4 address an IPv6 one carries (else it reaches that one). */
export function isPublicAddress(address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return false;
  }
  if (parsed.kind() === 'ipv4') return parsed.range() === 'unicast';
  const v6 = parsed as ipaddr.IPv6;
  if (REFUSED_IPV6.some((cidr) => v6.match(cidr))) return false;
  const inside = embeddedIPv4(v6);
  if (inside.length > 0) return inside.every((v4) => v4.range() === 'unicast');
  return v6.range() === 'unicast';
}

const refused = (host: string): CalendarError =>
  new CalendarError(
    `Adresse refusée : « ${host} » mène à un réseau privé ou local (127.0.0.1, 10.x, 192.168.x, 169.254.x…). Utilisez l'adresse publique du calendrier.`,
  );

type Fetch = typeof globalThis.fetch;

export function makeSafeFetch(limits: FetchLimits): Fetch {
  const allowed = (address: string): boolean => limits.allowPrivate || (limits.isAllowedAddress ?? isPublicAddress)(address);

  const guardedLookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => !allowed(a.address));
      if (bad || list.length === 0) return callback(Object.assign(refused(hostname), { code: 'EREFUSED_PRIVATE' }), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };

  function once(url: URL, init: RequestInit, deadline: number): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject(new CalendarError('Seules les adresses http:// et https:// sont acceptées.'));
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && !allowed(host)) return reject(refused(host));
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, key) => {
        headers[key] = value;
      });
      const body = typeof init.body === 'string' ? init.body : init.body == null ? undefined : String(init.body);
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const remaining = deadline - Date.now();
      if (remaining <= 0) return reject(timeout());
      const request = (url.protocol === 'https:' ? https : http).request(url, { method: init.method ?? 'GET', headers, lookup: guardedLookup }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limits.maxBytes) {
            reject(new CalendarError(`Le calendrier dépasse la taille maximale acceptée (${sizeText(limits.maxBytes)}).`));
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (size <= limits.maxBytes) resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', (err) => reject(toCalendarError(err, host)));
      });
      const timer = setTimeout(() => request.destroy(timeout()), remaining);
      request.on('close', () => clearTimeout(timer));
      request.on('error', (err) => reject(toCalendarError(err, host)));
      request.end(body);
    });
  }

  const timeout = (): CalendarError => new CalendarError(`Le calendrier n'a pas répondu à temps (${Math.round(limits.timeoutMs / 1000)} s).`);

  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const deadline = Date.now() + limits.timeoutMs;
    let url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    let current = init;
    for (let hop = 0; ; hop++) {
      const res = await once(url, current, deadline);
      const location = res.headers.location;
      if (res.status >= 300 && res.status < 400 && location && init.redirect !== 'manual') {
        if (hop >= (limits.maxRedirects ?? 5)) throw new CalendarError('Trop de redirections vers le calendrier.');
        url = new URL(location, url);
        // Like fetch: 303 (and 301/302 after a POST) become a GET without a body.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && current.method === 'POST')) current = { ...current, method: 'GET', body: undefined };
        continue;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      }
      const nullBody = res.status === 204 || res.status === 304 || (res.status >= 100 && res.status < 200);
      return new Response(nullBody ? null : new Uint8Array(res.body), { status: res.status, headers });
    }
  }) as Fetch;
}

const sizeText = (bytes: number): string => (bytes >= 1_048_576 ? `${Math.round(bytes / 1_048_576)} Mo` : `${Math.max(1, Math.round(bytes / 1024))} Ko`);

function toCalendarError(err: unknown, host: string): CalendarError {
  if (err instanceof CalendarError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new CalendarError(`Serveur introuvable : « ${host} ».`, err);
  if (code === 'ECONNREFUSED') return new CalendarError(`Le serveur du calendrier refuse la connexion (${host}).`, err);
  return new CalendarError(`Le calendrier est injoignable (${host}).`, err);
}

/** The same rule as the fetch, checked when the artisan types the address (a clear 400 at once). */
export function makeUrlCheck(limits: Pick<FetchLimits, 'allowPrivate' | 'isAllowedAddress'>) {
  const allowed = (address: string): boolean => limits.allowPrivate || (limits.isAllowedAddress ?? isPublicAddress)(address);
  return async (raw: string): Promise<string | undefined> => {
    const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return allowed(host) ? undefined : refused(host).message;
    const addresses = await new Promise<LookupAddress[] | undefined>((resolve) =>
      dnsLookup(host, { all: true }, (err, list) => resolve(err ? undefined : list)),
    );
    if (!addresses || addresses.length === 0) return `Serveur introuvable : « ${host} ».`;
    return addresses.every((a) => allowed(a.address)) ? undefined : refused(host).message;
  };
}
