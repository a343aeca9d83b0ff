import { calendar_v3, calendar as googleCalendar } from '@googleapis/calendar';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { Temporal } from 'temporal-polyfill';
import { CalendarError, type CalendarConnection, type CalendarConnector, type ConnectionSecrets, type ExportedEvent, type ExternalEvent } from '../../app/calendar-ports.ts';
import type { OAuthProvider } from '../../app/calendar-connections.ts';
import { bookingUid } from '../../domain/calendar-uid.ts';

export interface GoogleConfig {
  clientId: string;
  clientSecret: string;
  /** PUBLIC_BASE_URL + the callback path. */
  redirectUri: string;
  /** Tests: a local server speaking Google's OAuth and Calendar wire format. */
  oauthBaseUrl?: string;
  apiBaseUrl?: string;
}

const SCOPE = 'https://www.googleapis.com/auth/calendar.events';
const MAX_PAGES = 100;

/** Google event ids are base32hex (a–v, 0–9): a booking's UUID without dashes is one. */
const eventIdOf = (bookingId: string): string => bookingId.replace(/-/g, '').toLowerCase();
const bookingIdOfEventId = (id: string): string | undefined =>
  /^[0-9a-f]{32}$/.test(id) ? `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}` : undefined;

function googleError(error: unknown): CalendarError {
  if (error instanceof CalendarError) return error;
  const e = error as { status?: number; response?: { status?: number; data?: { error?: unknown } }; message?: string };
  const status = e.status ?? e.response?.status;
  const reason = JSON.stringify(e.response?.data?.error ?? '');
  if (status === 401 || /invalid_grant/.test(reason) || /invalid_grant/.test(e.message ?? '')) {
    return new CalendarError("Accès à Google Agenda refusé : l'autorisation a été retirée ou a expiré. Reconnectez ce calendrier.", error);
  }
  if (status === 403) return new CalendarError('Google Agenda refuse cette opération (HTTP 403) : vérifiez les autorisations accordées.', error);
  if (status === 404) return new CalendarError('Agenda Google introuvable (HTTP 404).', error);
  return new CalendarError(`Google Agenda n'a pas pu être joint${status ? ` (HTTP ${status})` : ''}.`, error);
}

/**
 * Google Calendar through its official clients: google-auth-library for the OAuth code flow
 * with PKCE and the token refresh, @googleapis/calendar for events (list with paging, insert,
 * patch, delete). The artisan's primary calendar; bookings are events whose id is the booking's.
 */
export function makeGoogleConnector(config: GoogleConfig): CalendarConnector & { oauth: OAuthProvider } {
  const endpoints = config.oauthBaseUrl
    ? { oauth2AuthBaseUrl: `${config.oauthBaseUrl}/o/oauth2/v2/auth`, oauth2TokenUrl: `${config.oauthBaseUrl}/token`, oauth2RevokeUrl: `${config.oauthBaseUrl}/revoke` }
    : undefined;
  const client = () => new OAuth2Client({ clientId: config.clientId, clientSecret: config.clientSecret, redirectUri: config.redirectUri, ...(endpoints ? { endpoints } : {}) });

  function api(c: CalendarConnection): calendar_v3.Calendar {
    if (!c.secrets.refreshToken) throw new CalendarError("Autorisation Google en attente : terminez la connexion depuis l'espace artisan.");
    const auth = client();
    auth.setCredentials({ refresh_token: c.secrets.refreshToken });
    return googleCalendar({ version: 'v3', auth, ...(config.apiBaseUrl ? { rootUrl: `${config.apiBaseUrl}/` } : {}) });
  }

  const toMs = (t: calendar_v3.Schema$EventDateTime | undefined, zone: string): number | undefined => {
    if (t?.dateTime) return Date.parse(t.dateTime);
    if (t?.date) return Temporal.PlainDate.from(t.date).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
    return undefined;
  };

  const body = (e: ExportedEvent): calendar_v3.Schema$Event => ({
    summary: e.summary,
    description: e.description,
    ...(e.location ? { location: e.location } : {}),
    start: { dateTime: new Date(e.startMs).toISOString() },
    end: { dateTime: new Date(e.endMs).toISOString() },
    transparency: 'opaque',
  });

  return {
    oauth: {
      async start() {
        const { codeVerifier, codeChallenge } = await client().generateCodeVerifierAsync();
        return {
          codeVerifier,
          authorizationUrl: (state: string) =>
            client().generateAuthUrl({ access_type: 'offline', prompt: 'consent', scope: [SCOPE], state, code_challenge: codeChallenge!, code_challenge_method: CodeChallengeMethod.S256 }),
        };
      },
      async exchange(code, codeVerifier): Promise<ConnectionSecrets> {
        try {
          const { tokens } = await client().getToken({ code, codeVerifier });
          if (!tokens.refresh_token) throw new CalendarError("Google n'a pas donné d'accès durable : recommencez la connexion.");
          return { refreshToken: tokens.refresh_token };
        } catch (error) {
          throw googleError(error);
        }
      },
    },

    async read(connection, window) {
      const cal = api(connection);
      const events: ExternalEvent[] = [];
      let pageToken: string | undefined;
      try {
        for (let page = 0; page < MAX_PAGES; page++) {
          const res = await cal.events.list({
            calendarId: 'primary',
            singleEvents: true,
            timeMin: new Date(window.fromMs).toISOString(),
            timeMax: new Date(window.toMs).toISOString(),
            maxResults: 250,
            ...(pageToken ? { pageToken } : {}),
          });
          for (const item of res.data.items ?? []) {
            if (item.status === 'cancelled' || item.transparency === 'transparent') continue;
            const startMs = toMs(item.start, window.timezone);
            const endMs = toMs(item.end, window.timezone);
            if (startMs === undefined || endMs === undefined || endMs <= startMs) continue;
            const own = item.id ? bookingIdOfEventId(item.id) : undefined;
            events.push({
              uid: own ? bookingUid(own) : (item.iCalUID ?? item.id ?? ''),
              startMs,
              endMs,
              summary: (item.summary ?? '').slice(0, 200),
              allDay: Boolean(item.start?.date),
            });
          }
          pageToken = res.data.nextPageToken ?? undefined;
          if (!pageToken) break;
        }
      } catch (error) {
        throw googleError(error);
      }
      return { events };
    },

    write: {
      async put(connection, event) {
        const cal = api(connection);
        const id = eventIdOf(event.bookingId);
        const requestBody = body(event);
        try {
          await cal.events.patch({ calendarId: 'primary', eventId: id, requestBody: { ...requestBody, status: 'confirmed' } });
        } catch (error) {
          const status = (error as { status?: number }).status;
          if (status !== 404 && status !== 410) throw googleError(error);
          try {
            await cal.events.insert({ calendarId: 'primary', requestBody: { ...requestBody, id } });
          } catch (insertError) {
            throw googleError(insertError);
          }
        }
        return id;
      },
      locate: async (_connection, bookingId) => eventIdOf(bookingId),
      async remove(connection, remoteRef) {
        try {
          await api(connection).events.delete({ calendarId: 'primary', eventId: remoteRef });
        } catch (error) {
          const status = (error as { status?: number }).status;
          if (status !== 404 && status !== 410) throw googleError(error);
        }
      },
    },
  };
}

