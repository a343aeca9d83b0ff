import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeFakeOAuth, readBody } from './fake-oauth.ts';

/**
 * A local server answering in the wire formats of the Microsoft identity platform's v2.0 token
 * endpoint (code with PKCE, refresh with rotation) and of Microsoft Graph v1.0 events
 * (calendarView and calendarView/delta paged with @odata.nextLink, $filter on an extended
 * property, create, patch, delete), for oauth4webapi and the official Graph client pointed at
 * it. Pages hold 2 events, so that paging is exercised.
 *
 * Delta as Graph does it: the first request fixes the window (startDateTime, endDateTime), the
 * last page carries `@odata.deltaLink` ($deltatoken); following it gives the events changed
 * since, deleted or moved out of the window as `{id, "@removed": {reason}}`. Expired delta
 * tokens (`expireDeltaTokens()`) answer 410 syncStateNotFound. Each refresh gives a new refresh
 * token and the one used stops working (rotation).
 */
export interface FakeGraphEvent {
  id: string;
  subject?: string;
  isAllDay?: boolean;
  isCancelled?: boolean;
  showAs?: string;
  start: { dateTime: string; timeZone: string };
  end: { dateTime: string; timeZone: string };
  singleValueExtendedProperties?: { id: string; value: string }[];
  [key: string]: unknown;
}

export interface FakeMicrosoft {
  url: string;
  clientId: string;
  clientSecret: string;
  events: Map<string, FakeGraphEvent>;
  authorize(codeChallenge: string): string;
  /** The consent page (GET /common/oauth2/v2.0/authorize) refuses the next time it is shown (error=access_denied). */
  denyNext(): void;
  revoke(): void;
  /** Every delta link given so far is refused (410 syncStateNotFound). */
  expireDeltaTokens(): void;
  /** expires_in of the access tokens given from now on (seconds). */
  accessTokenSeconds: number;
  requests: { method: string; path: string; grant?: string; query?: string; refreshToken?: string; status?: number }[];
  close(): Promise<void>;
}

/** The calendar's events; every change is numbered (what delta tokens replay), deletions remembered. */
class ChangeLog extends Map<string, FakeGraphEvent> {
  seq = 0;
  changedAt = new Map<string, number>();
  override set(id: string, event: FakeGraphEvent): this {
    this.changedAt?.set(id, ++this.seq);
    return super.set(id, event);
  }
  override delete(id: string): boolean {
    if (!this.has(id)) return false;
    this.changedAt.set(id, ++this.seq);
    return super.delete(id);
  }
  override clear(): void {
    for (const id of [...this.keys()]) this.delete(id);
  }
}

export async function startFakeMicrosoft(clientId: string, clientSecret: string): Promise<FakeMicrosoft> {
  const events = new ChangeLog();
  /** $deltatoken -> the change number and window it was given for. */
  const deltaTokens = new Map<string, { at: number; start: string; end: string }>();
  const requests: FakeMicrosoft['requests'] = [];
  const oauth = makeFakeOAuth(
    {
      authorizePath: '/common/oauth2/v2.0/authorize',
      tokenPath: '/common/oauth2/v2.0/token',
      codePrefix: 'M.C5_BAY.2.U.',
      accessPrefix: 'eyJ0eXAi.',
      refreshPrefix: 'M.C5',
      scope: 'https://graph.microsoft.com/Calendars.ReadWrite',
      client: { id: clientId, secret: clientSecret, refused: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' } },
      requireRedirectUri: true,
      rotate: true,
      extra: (seconds) => ({ ext_expires_in: seconds }),
      errors: {
        badCode: { error: 'invalid_grant', error_description: 'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.' },
        revoked: { error: 'invalid_grant', error_description: 'AADSTS50173: The provided grant has expired due to it being revoked.' },
      },
      refused: { error: 'access_denied', error_description: 'AADSTS65004: User declined to consent to access the app.' },
    },
    (r) => requests.push(r),
  );
  let base = '';
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (oauth.handle(req, url, body, res)) return;
    const m = /^\/v1\.0\/me\/(calendarView\/delta|calendarView|events)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) return json(404, { error: { code: 'ResourceNotFound', message: 'Resource not found for the segment.' } });
    requests.push({ method: req.method ?? '', path: url.pathname, query: url.search });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!oauth.hasAccess(bearer)) {
      return json(401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.' } });
    }
    const id = m[2] ? decodeURIComponent(m[2]) : undefined;
    if (m[1] === 'calendarView/delta' && req.method === 'GET') {
      const q = url.searchParams;
      const deltaToken = q.get('$deltatoken');
      const skip = q.get('$skiptoken') ? (JSON.parse(Buffer.from(q.get('$skiptoken')!, 'base64url').toString()) as { o: number; since: number | null; at: number; start: string; end: string }) : undefined;
      let round: { since: number | null; at: number; start: string; end: string };
      if (skip) round = skip;
      else if (deltaToken) {
        const known = deltaTokens.get(deltaToken);
        if (!known) {
          requests.at(-1)!.status = 410;
          return json(410, { error: { code: 'syncStateNotFound', message: 'The sync state generation is not found. Please resync.' } });
        }
        round = { since: known.at, at: events.seq, start: known.start, end: known.end };
      } else {
        if (!q.get('startDateTime') || !q.get('endDateTime')) {
          return json(400, { error: { code: 'ErrorInvalidParameter', message: 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.' } });
        }
        round = { since: null, at: events.seq, start: q.get('startDateTime')!, end: q.get('endDateTime')! };
      }
      const from = Date.parse(round.start);
      const to = Date.parse(round.end);
      const inWindow = (e: FakeGraphEvent) => Date.parse(`${e.start.dateTime.slice(0, 19)}Z`) < to + 86_400_000 && Date.parse(`${e.end.dateTime.slice(0, 19)}Z`) > from - 86_400_000;
      type Entry = FakeGraphEvent | { id: string; '@removed': { reason: string } };
      let all: Entry[];
      if (round.since === null) all = [...events.values()].filter(inWindow);
      else {
        const since = round.since;
        all = [...events.changedAt]
          .filter(([, n]) => n > since)
          .map(([id]) => {
            const e = events.get(id);
            return e && inWindow(e) ? e : { id, '@removed': { reason: e ? 'changed' : 'deleted' } };
          });
      }
      all.sort((a, b) => a.id.localeCompare(b.id));
      const offset = skip?.o ?? 0;
      const more = offset + 2 < all.length;
      let tail: Record<string, string>;
      if (more) {
        const next = new URL(`${base}/v1.0/me/calendarView/delta`);
        next.searchParams.set('$skiptoken', Buffer.from(JSON.stringify({ ...round, o: offset + 2 })).toString('base64url'));
        tail = { '@odata.nextLink': next.toString() };
      } else {
        const token = randomBytes(12).toString('base64url');
        deltaTokens.set(token, { at: round.at, start: round.start, end: round.end });
        const link = new URL(`${base}/v1.0/me/calendarView/delta`);
        link.searchParams.set('$deltatoken', token);
        tail = { '@odata.deltaLink': link.toString() };
      }
      return json(200, {
        '@odata.context': `${base}/v1.0/$metadata#Collection(event)`,
        value: all.slice(offset, offset + 2).map((e) => ('@removed' in e ? { '@odata.type': '#microsoft.graph.event', ...e } : { '@odata.type': '#microsoft.graph.event', '@odata.etag': 'W/"1"', iCalUId: `040000008200E00074C5B7101A82E008${e.id}`, ...e })),
        ...tail,
      });
    }
    if (m[1] === 'calendarView' && req.method === 'GET') {
      if (!url.searchParams.get('startDateTime') || !url.searchParams.get('endDateTime')) {
        return json(400, { error: { code: 'ErrorInvalidParameter', message: "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime." } });
      }
      const all = [...events.values()].sort((a, b) => a.start.dateTime.localeCompare(b.start.dateTime));
      const skip = Number(url.searchParams.get('$skip') ?? '0');
      const page = all.slice(skip, skip + 2);
      const next = new URL(`${base}/v1.0/me/calendarView`);
      next.searchParams.set('startDateTime', url.searchParams.get('startDateTime')!);
      next.searchParams.set('endDateTime', url.searchParams.get('endDateTime')!);
      next.searchParams.set('$skip', String(skip + 2));
      return json(200, {
        '@odata.context': `${base}/v1.0/$metadata#users('me')/calendarView`,
        value: page.map((e) => ({ '@odata.etag': 'W/"1"', iCalUId: `040000008200E00074C5B7101A82E008${e.id}`, ...e })),
        ...(skip + 2 < all.length ? { '@odata.nextLink': next.toString() } : {}),
      });
    }
    if (m[1] === 'events' && !id && req.method === 'GET') {
      const wanted = /ep\/value eq '([^']*)'/.exec(url.searchParams.get('$filter') ?? '')?.[1];
      const found = [...events.values()].filter((e) => wanted !== undefined && e.singleValueExtendedProperties?.some((p) => p.value === wanted));
      return json(200, { value: found.map((e) => ({ id: e.id })) });
    }
    if (m[1] === 'events' && !id && req.method === 'POST') {
      const event = JSON.parse(body) as Omit<FakeGraphEvent, 'id'>;
      const created = { ...event, id: `AAMkAD${randomBytes(16).toString('base64url')}=` } as FakeGraphEvent;
      events.set(created.id, created);
      return json(201, created);
    }
    if (m[1] === 'events' && id && req.method === 'PATCH') {
      const current = events.get(id);
      if (!current) return json(404, { error: { code: 'ErrorItemNotFound', message: 'The specified object was not found in the store.' } });
      events.set(id, { ...current, ...(JSON.parse(body) as Partial<FakeGraphEvent>) });
      return json(200, events.get(id));
    }
    if (m[1] === 'events' && id && req.method === 'DELETE') {
      if (!events.delete(id)) return json(404, { error: { code: 'ErrorItemNotFound', message: 'The specified object was not found in the store.' } });
      return res.writeHead(204).end();
    }
    return json(405, { error: { code: 'ErrorInvalidRequest', message: 'Method not allowed' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    clientId,
    clientSecret,
    events,
    requests,
    authorize: (codeChallenge) => oauth.authorize(codeChallenge),
    denyNext: () => oauth.denyNext(),
    revoke: () => oauth.revoke(),
    expireDeltaTokens() {
      deltaTokens.clear();
    },
    get accessTokenSeconds() {
      return oauth.accessTokenSeconds;
    },
    set accessTokenSeconds(value: number) {
      oauth.accessTokenSeconds = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
