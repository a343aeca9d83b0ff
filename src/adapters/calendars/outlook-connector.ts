import { Client, HTTPMessageHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import * as oauth from 'oauth4webapi';
import { CalendarError, type CalendarConnection, type CalendarConnector, type ConnectionSecrets, type ExportedEvent, type ExternalEvent, type IncrementalReader } from '../../app/ports/calendars.ts';
import type { OAuthProvider } from '../../app/calendar-connections.ts';
import { BOOKING_PROPERTY, keep, occurrence, type GraphEvent } from './outlook-events.ts';

export interface MicrosoftConfig {
  clientId: string;
  clientSecret: string;
  /** PUBLIC_BASE_URL + the callback path. */
  redirectUri: string;
  /** Tests: local servers speaking the Microsoft identity platform and Graph wire formats. */
  oauthBaseUrl?: string;
  graphBaseUrl?: string;
  /** Microsoft rotates refresh tokens: the new one is sealed and saved before the old one stops working. */
  saveSecrets?(connection: CalendarConnection, secrets: ConnectionSecrets): Promise<void>;
}

const SCOPE = 'offline_access https://graph.microsoft.com/Calendars.ReadWrite';
const MAX_PAGES = 100;
const DAY_MS = 86_400_000;
const PAGE_SIZE = 'odata.maxpagesize=100';

function graphError(error: unknown): CalendarError {
  if (error instanceof CalendarError) return error;
  const e = error as { statusCode?: number; status?: number; error?: string; code?: string; message?: string };
  const status = e.statusCode ?? e.status;
  if (status === 401 || e.error === 'invalid_grant' || /invalid_grant/.test(e.message ?? '')) {
    return new CalendarError("Accès à Outlook refusé : l'autorisation a été retirée ou a expiré. Reconnectez ce calendrier.", error);
  }
  if (status === 403) return new CalendarError('Outlook refuse cette opération (HTTP 403) : vérifiez les autorisations accordées.', error);
  if (status === 404) return new CalendarError('Calendrier Outlook introuvable (HTTP 404).', error);
  return new CalendarError(`Outlook n'a pas pu être joint${status && status > 0 ? ` (HTTP ${status})` : ''}.`, error);
}

const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

/**
 * Outlook / Microsoft 365 through Microsoft Graph: oauth4webapi for the Microsoft identity
 * platform's code flow with PKCE and the token refresh (rotated refresh tokens saved), the
 * official Graph client for events (calendarView/delta with paging and delta links, create,
 * patch, delete). Events written carry the booking's id in
 * an extended property, which is how they are recognised and found again.
 */
export function makeOutlookConnector(config: MicrosoftConfig): CalendarConnector & { oauth: OAuthProvider } {
  const authority = `${(config.oauthBaseUrl ?? 'https://login.microsoftonline.com').replace(/\/$/, '')}/common`;
  const as: oauth.AuthorizationServer = {
    issuer: `${authority}/v2.0`,
    authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
    token_endpoint: `${authority}/oauth2/v2.0/token`,
  };
  const client: oauth.Client = { client_id: config.clientId };
  const clientAuth = oauth.ClientSecretPost(config.clientSecret);
  // Only the tests' local server is plain HTTP.
  const http = config.oauthBaseUrl?.startsWith('http:') ? { [oauth.allowInsecureRequests]: true } : {};
  const graphBase = (config.graphBaseUrl ?? 'https://graph.microsoft.com').replace(/\/$/, '');

  // Per connection: the access token (reused until shortly before it expires) and the refresh
  // token it came with, so a connection read before a rotation was saved still finds the new
  // one; one refresh at a time per connection (the old token is refused once rotated).
  const grants = new Map<string, { from: string; refresh: string; access: string; expiresMs: number }>();
  const refreshing = new Map<string, Promise<string>>();

  async function accessToken(c: CalendarConnection, given: string): Promise<string> {
    const pending = refreshing.get(c.id);
    if (pending) return pending;
    const known = grants.get(c.id);
    if (known && (known.from === given || known.refresh === given) && known.expiresMs > Date.now() + 60_000) return known.access;
    const refreshToken = known && known.from === given ? known.refresh : given;
    const run = (async () => {
      try {
        const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, http);
        const tokens = await oauth.processRefreshTokenResponse(as, client, response);
        const rotated = tokens.refresh_token ?? refreshToken;
        if (rotated !== refreshToken) await config.saveSecrets?.(c, { ...c.secrets, refreshToken: rotated });
        grants.set(c.id, { from: refreshToken, refresh: rotated, access: tokens.access_token, expiresMs: Date.now() + (tokens.expires_in ?? 0) * 1000 });
        return tokens.access_token;
      } catch (error) {
        grants.delete(c.id);
        throw graphError(error);
      }
    })().finally(() => refreshing.delete(c.id));
    refreshing.set(c.id, run);
    return run;
  }

  /** The bearer on every request (the stock handler only signs https Graph hosts), then the HTTP call. */
  async function graph(c: CalendarConnection): Promise<Client> {
    const refreshToken = c.secrets.refreshToken;
    if (!refreshToken) throw new CalendarError("Autorisation Outlook en attente : terminez la connexion depuis l'espace artisan.");
    // Fetched first, so that a refused grant is its own error (not wrapped by the client).
    const token = await accessToken(c, refreshToken);
    const send = new HTTPMessageHandler();
    const auth: Middleware = {
      async execute(context: Context) {
        context.options = { ...context.options, headers: { ...(context.options?.headers as Record<string, string>), Authorization: `Bearer ${token}` } };
        await send.execute(context);
        // A token refused before its time (revoked): the next call refreshes.
        if (context.response?.status === 401) grants.delete(c.id);
      },
    };
    return Client.initWithMiddleware({ middleware: auth, baseUrl: `${graphBase}/`, defaultVersion: 'v1.0' });
  }

  /** A nextLink is absolute; the client takes it relative to its base and version. */
  const relative = (link: string): string => {
    const prefix = `${graphBase}/v1.0`;
    return link.startsWith(prefix) ? link.slice(prefix.length) : link;
  };

  const body = (e: ExportedEvent) => ({
    subject: e.summary,
    body: { contentType: 'text', content: e.description },
    ...(e.location ? { location: { displayName: e.location } } : {}),
    start: { dateTime: new Date(e.startMs).toISOString().replace('Z', ''), timeZone: 'UTC' },
    end: { dateTime: new Date(e.endMs).toISOString().replace('Z', ''), timeZone: 'UTC' },
    showAs: 'busy',
  });

  async function find(c: CalendarConnection, bookingId: string): Promise<string | undefined> {
    const res = (await (await graph(c))
      .api('/me/events')
      .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${BOOKING_PROPERTY}' and ep/value eq '${bookingId.replace(/'/g, "''")}')`)
      .select('id')
      .get()) as { value?: GraphEvent[] };
    return res.value?.[0]?.id;
  }


  type DeltaPage = { value?: (GraphEvent & { '@removed'?: unknown })[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
  interface DeltaCursor {
    link: string;
    fromMs: number;
    toMs: number;
  }

  /** Every page of a delta round, from its first request (or a delta link) to the next delta link. */
  async function deltaRound(api: Client, first: () => Promise<DeltaPage>): Promise<{ items: DeltaPage['value'] & object; link: string | null }> {
    const items: NonNullable<DeltaPage['value']> = [];
    let res = await first();
    for (let page = 0; page < MAX_PAGES; page++) {
      items.push(...(res.value ?? []));
      const next = res['@odata.nextLink'];
      if (!next) return { items, link: res['@odata.deltaLink'] ?? null };
      res = (await api.api(relative(next)).header('Prefer', PAGE_SIZE).get()) as DeltaPage;
    }
    throw new CalendarError(`Le calendrier Outlook a trop d'événements (plus de ${MAX_PAGES} pages).`);
  }

  /**
   * calendarView/delta: the first request fixes the window (startDateTime, endDateTime) for
   * the whole round, its delta link gives only what changed since (deleted or moved out as
   * `@removed`). The window is taken a day longer than the horizon; once the horizon has moved
   * past it, or the delta link is refused (410: syncStateNotFound, resyncRequired), a new
   * full round starts.
   */
  const incremental: IncrementalReader = {
    async changes(connection, window, cursor) {
      const api = await graph(connection);
      const toChanges = (items: NonNullable<DeltaPage['value']>) => ({
        upserts: items.filter((e) => !e['@removed'] && e.id).map((e) => ({ id: e.id!, data: keep(e) })),
        removals: items.filter((e) => e['@removed'] && e.id).map((e) => e.id!),
      });
      try {
        const kept = cursor ? (JSON.parse(cursor) as DeltaCursor) : undefined;
        if (kept && window.fromMs >= kept.fromMs && window.toMs <= kept.toMs) {
          try {
            const { items, link } = await deltaRound(api, async () => (await api.api(relative(kept.link)).header('Prefer', PAGE_SIZE).get()) as DeltaPage);
            return { full: false, ...toChanges(items), cursor: link ? JSON.stringify({ ...kept, link }) : null };
          } catch (error) {
            if (statusOf(error) !== 410) throw error;
          }
        }
        const fromMs = window.fromMs;
        const toMs = window.toMs + DAY_MS;
        const { items, link } = await deltaRound(
          api,
          async () =>
            (await api
              .api('/me/calendarView/delta')
              .query({ startDateTime: new Date(fromMs).toISOString(), endDateTime: new Date(toMs).toISOString() })
              .header('Prefer', PAGE_SIZE)
              .get()) as DeltaPage,
        );
        return { full: true, ...toChanges(items), removals: [], cursor: link ? JSON.stringify({ link, fromMs, toMs }) : null };
      } catch (error) {
        throw graphError(error);
      }
    },
    expand(items, window, own) {
      const out: ExternalEvent[] = [];
      for (const { id, data } of items) {
        const e = occurrence(data as GraphEvent, window.timezone, own.get(id));
        if (e && e.endMs > window.fromMs && e.startMs < window.toMs) out.push(e);
      }
      return out.sort((a, b) => a.startMs - b.startMs);
    },
  };

  return {
    oauth: {
      async start() {
        const codeVerifier = oauth.generateRandomCodeVerifier();
        const challenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
        return {
          codeVerifier,
          authorizationUrl(state: string) {
            const url = new URL(as.authorization_endpoint!);
            url.search = new URLSearchParams({
              client_id: config.clientId,
              response_type: 'code',
              redirect_uri: config.redirectUri,
              response_mode: 'query',
              scope: SCOPE,
              state,
              code_challenge: challenge,
              code_challenge_method: 'S256',
              prompt: 'consent',
            }).toString();
            return url.toString();
          },
        };
      },
      async exchange(code, codeVerifier): Promise<ConnectionSecrets> {
        try {
          // The state was checked against the connection by the caller.
          const params = oauth.validateAuthResponse(as, client, new URLSearchParams({ code }), oauth.skipStateCheck);
          const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, config.redirectUri, codeVerifier, http);
          const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
          if (!tokens.refresh_token) throw new CalendarError("Microsoft n'a pas donné d'accès durable (offline_access) : recommencez la connexion.");
          return { refreshToken: tokens.refresh_token };
        } catch (error) {
          throw graphError(error);
        }
      },
    },

    incremental,
    async read(connection, window) {
      const { upserts } = await incremental.changes(connection, window, null);
      return { events: incremental.expand(upserts, window, new Map()) };
    },

    write: {
      async put(connection, event, existingRef) {
        const api = await graph(connection);
        try {
          const ref = existingRef ?? (await find(connection, event.bookingId));
          if (ref) {
            try {
              await api.api(`/me/events/${encodeURIComponent(ref)}`).patch({ ...body(event), isCancelled: undefined });
              return ref;
            } catch (error) {
              if (statusOf(error) !== 404) throw error;
            }
          }
          const created = (await api.api('/me/events').post({
            ...body(event),
            transactionId: event.bookingId,
            singleValueExtendedProperties: [{ id: BOOKING_PROPERTY, value: event.bookingId }],
          })) as GraphEvent;
          if (!created.id) throw new CalendarError("Outlook n'a pas renvoyé l'identifiant de l'événement créé.");
          return created.id;
        } catch (error) {
          throw graphError(error);
        }
      },
      async locate(connection, bookingId) {
        try {
          return (await find(connection, bookingId)) ?? '';
        } catch (error) {
          throw graphError(error);
        }
      },
      async remove(connection, remoteRef) {
        if (!remoteRef) return;
        try {
          await (await graph(connection)).api(`/me/events/${encodeURIComponent(remoteRef)}`).delete();
        } catch (error) {
          if (statusOf(error) !== 404) throw graphError(error);
        }
      },
    },
  };
}
