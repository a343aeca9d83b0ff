import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server answering in the wire format of Google's OAuth 2 token endpoint and of the
 * Calendar API v3 (events list with paging, insert, patch, delete), for the official clients
 * (google-auth-library, @googleapis/calendar) pointed at it. Pages hold 2 events, whatever
 * maxResults says, so that paging is exercised.
 */
export interface FakeGoogleEvent {
  id: string;
  status?: string;
  summary?: string;
  description?: string;
  location?: string;
  transparency?: string;
  start: { dateTime?: string; date?: string };
  end: { dateTime?: string; date?: string };
}

export interface FakeGoogle {
  url: string;
  events: Map<string, FakeGoogleEvent>;
  /** The code the user's consent gives for a PKCE challenge (what the authorisation page would redirect with). */
  authorize(codeChallenge: string): string;
  /** The user removes the app's access: refresh tokens and access tokens stop working. */
  revoke(): void;
  requests: { method: string; path: string; grant?: string }[];
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const events = new Map<string, FakeGoogleEvent>();
  const codes = new Map<string, string>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Set<string>();
  const requests: FakeGoogle['requests'] = [];
  const issueAccess = () => {
    const token = `ya29.${randomBytes(12).toString('hex')}`;
    accessTokens.add(token);
    return token;
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      requests.push({ method: 'POST', path: '/token', grant: form.get('grant_type') ?? '' });
      if (form.get('grant_type') === 'authorization_code') {
        const challenge = codes.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const computed = createHash('sha256').update(verifier).digest('base64url');
        if (!challenge || computed !== challenge) return json(400, { error: 'invalid_grant', error_description: 'Bad code or code_verifier' });
        codes.delete(form.get('code')!);
        const refresh = `1//${randomBytes(12).toString('hex')}`;
        refreshTokens.add(refresh);
        return json(200, { access_token: issueAccess(), refresh_token: refresh, expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/calendar.events' });
      }
      if (form.get('grant_type') === 'refresh_token') {
        if (!refreshTokens.has(form.get('refresh_token') ?? '')) return json(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
        return json(200, { access_token: issueAccess(), expires_in: 3599, token_type: 'Bearer' });
      }
      return json(400, { error: 'unsupported_grant_type' });
    }
    const m = /^\/calendar\/v3\/calendars\/primary\/events(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) return json(404, { error: { code: 404, message: 'Not Found' } });
    requests.push({ method: req.method ?? '', path: url.pathname });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !accessTokens.has(bearer)) {
      return json(401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
    }
    const id = m[1] ? decodeURIComponent(m[1]) : undefined;
    if (req.method === 'GET' && !id) {
      const min = Date.parse(url.searchParams.get('timeMin') ?? '1970-01-01T00:00:00Z');
      const max = Date.parse(url.searchParams.get('timeMax') ?? '2999-01-01T00:00:00Z');
      const at = (t: { dateTime?: string; date?: string }) => Date.parse(t.dateTime ?? `${t.date}T00:00:00Z`);
      const all = [...events.values()].filter((e) => at(e.end) > min && at(e.start) < max).sort((a, b) => at(a.start) - at(b.start));
      const offset = Number(url.searchParams.get('pageToken') ?? '0');
      const page = all.slice(offset, offset + 2);
      const more = offset + 2 < all.length;
      return json(200, {
        kind: 'calendar#events',
        items: page.map((e) => ({ kind: 'calendar#event', iCalUID: `${e.id}@google.com`, ...e })),
        ...(more ? { nextPageToken: String(offset + 2) } : { nextSyncToken: `sync-${Date.now()}` }),
      });
    }
    if (req.method === 'POST' && !id) {
      const event = JSON.parse(body) as FakeGoogleEvent;
      if (events.has(event.id)) return json(409, { error: { code: 409, message: 'The requested identifier already exists.' } });
      events.set(event.id, { status: 'confirmed', ...event });
      return json(200, events.get(event.id));
    }
    if (id && req.method === 'PATCH') {
      const current = events.get(id);
      if (!current || current.status === 'cancelled') return json(404, { error: { code: 404, message: 'Not Found' } });
      events.set(id, { ...current, ...(JSON.parse(body) as Partial<FakeGoogleEvent>) });
      return json(200, events.get(id));
    }
    if (id && req.method === 'DELETE') {
      if (!events.has(id)) return json(410, { error: { code: 410, message: 'Resource has been deleted' } });
      events.delete(id);
      return res.writeHead(204).end();
    }
    return json(405, { error: { code: 405, message: 'Method not allowed' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    events,
    requests,
    authorize(codeChallenge) {
      const code = `4/${randomBytes(10).toString('hex')}`;
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
