import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server answering in the wire formats of the Microsoft identity platform's v2.0 token
 * endpoint (code with PKCE, refresh) and of Microsoft Graph v1.0 events (calendarView paged with
 * @odata.nextLink, $filter on an extended property, create, patch, delete), for oauth4webapi and
 * the official Graph client pointed at it. Pages hold 2 events, so that paging is exercised.
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
  revoke(): void;
  requests: { method: string; path: string; grant?: string; query?: string }[];
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });

export async function startFakeMicrosoft(clientId: string, clientSecret: string): Promise<FakeMicrosoft> {
  const events = new Map<string, FakeGraphEvent>();
  const codes = new Map<string, string>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Set<string>();
  const requests: FakeMicrosoft['requests'] = [];
  let base = '';
  const issue = () => {
    const access = `eyJ0eXAi.${randomBytes(12).toString('hex')}`;
    const refresh = `M.C5${randomBytes(12).toString('hex')}`;
    accessTokens.add(access);
    refreshTokens.add(refresh);
    return { token_type: 'Bearer', scope: 'https://graph.microsoft.com/Calendars.ReadWrite', expires_in: 3599, ext_expires_in: 3599, access_token: access, refresh_token: refresh };
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (url.pathname === '/common/oauth2/v2.0/token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      requests.push({ method: 'POST', path: url.pathname, grant: form.get('grant_type') ?? '' });
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
        return json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      }
      if (form.get('grant_type') === 'authorization_code') {
        const challenge = codes.get(form.get('code') ?? '');
        const computed = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
        if (!challenge || computed !== challenge || !form.get('redirect_uri')) {
          return json(400, { error: 'invalid_grant', error_description: 'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.' });
        }
        codes.delete(form.get('code')!);
        return json(200, issue());
      }
      if (form.get('grant_type') === 'refresh_token') {
        if (!refreshTokens.has(form.get('refresh_token') ?? '')) {
          return json(400, { error: 'invalid_grant', error_description: "AADSTS50173: The provided grant has expired due to it being revoked." });
        }
        return json(200, issue());
      }
      return json(400, { error: 'unsupported_grant_type' });
    }
    const m = /^\/v1\.0\/me\/(calendarView|events)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) return json(404, { error: { code: 'ResourceNotFound', message: 'Resource not found for the segment.' } });
    requests.push({ method: req.method ?? '', path: url.pathname, query: url.search });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !accessTokens.has(bearer)) {
      return json(401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.' } });
    }
    const id = m[2] ? decodeURIComponent(m[2]) : undefined;
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
    authorize(codeChallenge) {
      const code = `M.C5_BAY.2.U.${randomBytes(10).toString('hex')}`;
      codes.set(code, codeChallenge);
      return code;
    },
    revoke() {
      refreshTokens.clear();
      accessTokens.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
