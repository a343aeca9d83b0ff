import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeFakeOAuth, readBody } from './fake-oauth.ts';

/**
 * A local server answering in the wire format of Google's OAuth 2 token endpoint and of the
 * Calendar API v3 (events list with paging and sync tokens, insert, patch, delete), for the
 * official clients (google-auth-library, @googleapis/calendar) pointed at it. Pages hold 2
 * events (or `pageSize`), whatever maxResults says, so that paging is exercised.
 *
 * Sync tokens as Google gives them: the last page of a list carries `nextSyncToken`; a list
 * with `syncToken` returns only the events changed since (deleted ones as `status:
 * "cancelled"`), refuses timeMin/timeMax/updatedMin/orderBy/q/iCalUID with 400, and answers
 * 410 (reason fullSyncRequired) once the token has expired (`expireSyncTokens()`). Recurring
 * series are masters with `recurrence`; their exceptions carry `recurringEventId` and
 * `originalStartTime` (singleEvents=true is not implemented and refused).
 */
export interface FakeGoogleEvent {
  id: string;
  status?: string;
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: { dateTime?: string; date?: string; timeZone?: string };
  summary?: string;
  description?: string;
  location?: string;
  transparency?: string;
  start: { dateTime?: string; date?: string; timeZone?: string };
  end: { dateTime?: string; date?: string; timeZone?: string };
}

export interface FakeGoogle {
  url: string;
  events: Map<string, FakeGoogleEvent>;
  /** The code the user's consent gives for a PKCE challenge (what the authorisation page would redirect with). */
  authorize(codeChallenge: string): string;
  /** The consent page (GET /o/oauth2/v2/auth) refuses the next time it is shown (error=access_denied). */
  denyNext(): void;
  /** The user removes the app's access: refresh tokens and access tokens stop working. */
  revoke(): void;
  /** Every sync token given so far stops working (Google: 410 GONE, a full sync is required). */
  expireSyncTokens(): void;
  /**
   * The next `method` request to the events API is held until `release()`, `reached`
   * resolving then: before anything is done ('before'), or done (listed, written) with its
   * answer held ('after'). To replay an interleaving step by step.
   */
  hold(method: string, when?: 'before' | 'after'): { reached: Promise<void>; release(): void };
  /** The next `method` request to the events API fails with this HTTP status, doing nothing. */
  failNext(method: string, status: number): void;
  requests: { method: string; path: string; grant?: string; refreshToken?: string; query?: URLSearchParams; status?: number }[];
  close(): Promise<void>;
}

/** The calendar's events; every change is numbered, a deletion leaves a tombstone (what sync tokens replay). */
class ChangeLog extends Map<string, FakeGoogleEvent> {
  seq = 0;
  changedAt = new Map<string, number>();
  tombstones = new Map<string, FakeGoogleEvent>();
  override set(id: string, event: FakeGoogleEvent): this {
    this.changedAt?.set(id, ++this.seq);
    this.tombstones?.delete(id);
    return super.set(id, event);
  }
  override delete(id: string): boolean {
    const event = this.get(id);
    if (!event) return false;
    this.changedAt.set(id, ++this.seq);
    this.tombstones.set(id, {
      id,
      status: 'cancelled',
      ...(event.recurringEventId ? { recurringEventId: event.recurringEventId, originalStartTime: event.originalStartTime } : {}),
    } as FakeGoogleEvent);
    return super.delete(id);
  }
  override clear(): void {
    for (const id of [...this.keys()]) this.delete(id);
  }
}

export async function startFakeGoogle(options: { pageSize?: number } = {}): Promise<FakeGoogle> {
  const pageSize = options.pageSize ?? 2;
  const events = new ChangeLog();
  /** Sync token -> the change number it was given at. */
  const syncTokens = new Map<string, number>();
  const requests: FakeGoogle['requests'] = [];
  const oauth = makeFakeOAuth(
    {
      authorizePath: '/o/oauth2/v2/auth',
      tokenPath: '/token',
      codePrefix: '4/',
      accessPrefix: 'ya29.',
      refreshPrefix: '1//',
      scope: 'https://www.googleapis.com/auth/calendar.events',
      errors: { badCode: { error: 'invalid_grant', error_description: 'Bad code or code_verifier' }, revoked: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } },
      granted: (q) => ({ scope: q.get('scope') ?? '' }),
      refused: { error: 'access_denied' },
    },
    (r) => requests.push(r),
  );
  const failures: { method: string; status: number }[] = [];
  const holds: { method: string; when: 'before' | 'after'; reached: () => void; released: Promise<void> }[] = [];
  const gate = async (method: string | undefined, when: 'before' | 'after') => {
    const held = holds.findIndex((h) => h.method === method && h.when === when);
    if (held < 0) return;
    const [h] = holds.splice(held, 1);
    h!.reached();
    await h!.released;
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const api = url.pathname.startsWith('/calendar/');
    const json = async (status: number, value: unknown) => {
      const text = JSON.stringify(value);
      if (api) await gate(req.method, 'after');
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    };
    if (oauth.handle(req, url, body, res)) return;
    const m = /^\/calendar\/v3\/calendars\/primary\/events(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) return json(404, { error: { code: 404, message: 'Not Found' } });
    requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams });
    await gate(req.method, 'before');
    const failure = failures.findIndex((f) => f.method === req.method);
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      return json(f!.status, { error: { code: f!.status, message: 'Backend Error', errors: [{ domain: 'global', reason: 'backendError', message: 'Backend Error' }] } });
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!oauth.hasAccess(bearer)) {
      return json(401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
    }
    const id = m[1] ? decodeURIComponent(m[1]) : undefined;
    if (req.method === 'GET' && !id) {
      const q = url.searchParams;
      const syncToken = q.get('syncToken');
      const page = q.get('pageToken') ? (JSON.parse(Buffer.from(q.get('pageToken')!, 'base64url').toString()) as { o: number; since: number | null; at: number }) : undefined;
      if (q.get('singleEvents') === 'true') return json(400, { error: { code: 400, message: 'singleEvents=true is not implemented by this fake.' } });
      if (syncToken) {
        const refused = ['timeMin', 'timeMax', 'updatedMin', 'orderBy', 'q', 'iCalUID', 'privateExtendedProperty', 'sharedExtendedProperty'].filter((p) => q.has(p));
        if (refused.length > 0) {
          return json(400, { error: { code: 400, message: `Invalid combination of parameters: ${refused.join(', ')} with syncToken.`, errors: [{ domain: 'global', reason: 'invalid', message: 'Invalid request' }] } });
        }
        if (!syncTokens.has(syncToken)) {
          requests.at(-1)!.status = 410;
          return json(410, {
            error: { code: 410, message: 'Sync token is no longer valid, a full sync is required.', errors: [{ domain: 'calendar', reason: 'fullSyncRequired', message: 'Sync token is no longer valid, a full sync is required.' }] },
          });
        }
      }
      const since = page ? page.since : syncToken ? syncTokens.get(syncToken)! : null;
      const at = page?.at ?? events.seq;
      const when = (t: { dateTime?: string; date?: string }) => Date.parse(t.dateTime ?? `${t.date}T00:00:00Z`);
      let all: FakeGoogleEvent[];
      if (since !== null) {
        // Changed since the token: live events and tombstones alike.
        all = [...events.changedAt].filter(([, n]) => n > since).map(([i]) => events.get(i) ?? events.tombstones.get(i)!).filter(Boolean);
      } else {
        const min = Date.parse(q.get('timeMin') ?? '1970-01-01T00:00:00Z');
        const max = Date.parse(q.get('timeMax') ?? '2999-01-01T00:00:00Z');
        // showDeleted=false: cancelled events are left out, but not cancelled occurrences of a series.
        all = [...events.values(), ...[...events.tombstones.values()].filter((e) => e.recurringEventId)]
          .filter((e) => e.status !== 'cancelled' || e.recurringEventId)
          .filter((e) => e.recurrence || !e.start || !e.end || (when(e.end) > min && when(e.start) < max));
      }
      all.sort((a, b) => a.id.localeCompare(b.id));
      const offset = page?.o ?? 0;
      const slice = all.slice(offset, offset + pageSize);
      const more = offset + pageSize < all.length;
      let next: string | undefined;
      if (!more) {
        next = `CP${randomBytes(9).toString('base64url')}`;
        syncTokens.set(next, at);
      }
      return json(200, {
        kind: 'calendar#events',
        items: slice.map((e) => (e.status === 'cancelled' && !events.has(e.id) ? { kind: 'calendar#event', ...e } : { kind: 'calendar#event', iCalUID: `${e.recurringEventId ?? e.id}@google.com`, ...e })),
        ...(more ? { nextPageToken: Buffer.from(JSON.stringify({ o: offset + pageSize, since, at })).toString('base64url') } : { nextSyncToken: next }),
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
    authorize: (codeChallenge) => oauth.authorize(codeChallenge),
    denyNext: () => oauth.denyNext(),
    revoke: () => oauth.revoke(),
    expireSyncTokens() {
      syncTokens.clear();
    },
    failNext(method, status) {
      failures.push({ method, status });
    },
    hold(method, when = 'after') {
      let reached!: () => void;
      let release!: () => void;
      const reachedP = new Promise<void>((r) => (reached = r));
      const released = new Promise<void>((r) => (release = r));
      holds.push({ method, when, reached, released });
      return { reached: reachedP, release };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
