import { Client, HTTPMessageHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import * as oauth from 'oauth4webapi';
import { Temporal } from 'temporal-polyfill';
import { findIana } from 'windows-iana';
import { CalendarError, type CalendarConnection, type CalendarConnector, type ConnectionSecrets, type ExportedEvent, type ExternalEvent } from '../../app/calendar-ports.ts';
import type { OAuthProvider } from '../../app/calendar-connections.ts';
import { bookingUid } from '../../domain/calendar-uid.ts';

export interface MicrosoftConfig {
  clientId: string;
  clientSecret: string;
  /** PUBLIC_BASE_URL + the callback path. */
  redirectUri: string;
  /** Tests: local servers speaking the Microsoft identity platform and Graph wire formats. */
  oauthBaseUrl?: string;
  graphBaseUrl?: string;
}

const SCOPE = 'offline_access https://graph.microsoft.com/Calendars.ReadWrite';
const MAX_PAGES = 100;
/** Marks the events this service writes, with the booking's id as value (a named extended property). */
const BOOKING_PROPERTY = 'String {2f1c7a52-8d43-4f0e-9d1b-6a1e0b7c3a91} Name artisanConnectBookingId';

interface GraphTime {
  dateTime?: string;
  timeZone?: string;
}
interface GraphEvent {
  id?: string;
  iCalUId?: string;
  subject?: string;
  isAllDay?: boolean;
  isCancelled?: boolean;
  showAs?: string;
  start?: GraphTime;
  end?: GraphTime;
  singleValueExtendedProperties?: { id: string; value: string }[];
}

/** Graph gives IANA or Windows zone names ("Romance Standard Time"); both are read. */
function zoneOf(name: string | undefined, fallback: string): string {
  if (!name) return fallback;
  try {
    Temporal.Now.instant().toZonedDateTimeISO(name);
    return name;
  } catch {
    return findIana(name)[0] ?? fallback;
  }
}

const plainDateTime = (value: string): Temporal.PlainDateTime => Temporal.PlainDateTime.from(value.replace(/Z$/, '').slice(0, 23));

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
 * platform's code flow with PKCE and the token refresh, the official Graph client for events
 * (calendarView with paging, create, patch, delete). Events written carry the booking's id in
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

  async function accessToken(refreshToken: string): Promise<string> {
    try {
      const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, http);
      return (await oauth.processRefreshTokenResponse(as, client, response)).access_token;
    } catch (error) {
      throw graphError(error);
    }
  }

  /** The bearer on every request (the stock handler only signs https Graph hosts), then the HTTP call. */
  async function graph(c: CalendarConnection): Promise<Client> {
    const refreshToken = c.secrets.refreshToken;
    if (!refreshToken) throw new CalendarError("Autorisation Outlook en attente : terminez la connexion depuis l'espace artisan.");
    // Fetched first, so that a refused grant is its own error (not wrapped by the client).
    const token = await accessToken(refreshToken);
    const send = new HTTPMessageHandler();
    const auth: Middleware = {
      async execute(context: Context) {
        context.options = { ...context.options, headers: { ...(context.options?.headers as Record<string, string>), Authorization: `Bearer ${token}` } };
        await send.execute(context);
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

    async read(connection, window) {
      const api = await graph(connection);
      const events: ExternalEvent[] = [];
      try {
        let res = (await api
          .api('/me/calendarView')
          .query({ startDateTime: new Date(window.fromMs).toISOString(), endDateTime: new Date(window.toMs).toISOString() })
          .select('id,iCalUId,subject,isAllDay,isCancelled,showAs,start,end')
          .expand(`singleValueExtendedProperties($filter=id eq '${BOOKING_PROPERTY}')`)
          .top(100)
          .get()) as { value?: GraphEvent[]; '@odata.nextLink'?: string };
        for (let page = 0; page < MAX_PAGES; page++) {
          for (const item of res.value ?? []) {
            if (item.isCancelled || item.showAs === 'free') continue;
            if (!item.start?.dateTime || !item.end?.dateTime) continue;
            let startMs: number;
            let endMs: number;
            if (item.isAllDay) {
              // The local day(s), in the artisan's zone.
              startMs = plainDateTime(item.start.dateTime).toPlainDate().toZonedDateTime({ timeZone: window.timezone }).epochMilliseconds;
              endMs = plainDateTime(item.end.dateTime).toPlainDate().toZonedDateTime({ timeZone: window.timezone }).epochMilliseconds;
            } else {
              startMs = plainDateTime(item.start.dateTime).toZonedDateTime(zoneOf(item.start.timeZone, 'UTC')).epochMilliseconds;
              endMs = plainDateTime(item.end.dateTime).toZonedDateTime(zoneOf(item.end.timeZone, 'UTC')).epochMilliseconds;
            }
            if (endMs <= startMs) continue;
            const own = item.singleValueExtendedProperties?.find((p) => p.id === BOOKING_PROPERTY)?.value;
            events.push({ uid: own ? bookingUid(own) : (item.iCalUId ?? item.id ?? ''), startMs, endMs, summary: (item.subject ?? '').slice(0, 200), allDay: Boolean(item.isAllDay) });
          }
          const next = res['@odata.nextLink'];
          if (!next) break;
          res = (await api.api(relative(next)).get()) as typeof res;
        }
      } catch (error) {
        throw graphError(error);
      }
      return { events };
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
