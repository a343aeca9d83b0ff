import { calendar_v3, calendar as googleCalendar } from '@googleapis/calendar';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { CalendarError, type CalendarConnection, type CalendarConnector, type ConnectionSecrets, type ExportedEvent, type ImportWindow, type IncrementalReader } from '../../app/ports/calendars.ts';
import type { OAuthProvider } from '../../app/calendar-connections.ts';
import { expandGoogleItems, pastGoogleItems, type GoogleItem } from './google-expand.ts';

export interface GoogleConfig {
  clientId: string;
  clientSecret: string;
  /** PUBLIC_BASE_URL + the callback path. */
  redirectUri: string;
  /** Tests: a local server speaking Google's OAuth and Calendar wire format. */
  oauthBaseUrl?: string;
  apiBaseUrl?: string;
  /** Most occurrences imported (CALENDAR_MAX_EVENTS). */
  maxEvents?: number;
}

const SCOPE = 'https://www.googleapis.com/auth/calendar.events';
const MAX_PAGES = 100;

/** Google event ids are base32hex (a–v, 0–9): a booking's UUID without dashes is one. */
const eventIdOf = (bookingId: string): string => bookingId.replace(/-/g, '').toLowerCase();
const DEFAULT_MAX_EVENTS = 20_000;
const pickTime = (t: calendar_v3.Schema$EventDateTime) => ({
  ...(t.dateTime ? { dateTime: t.dateTime } : {}),
  ...(t.date ? { date: t.date } : {}),
  ...(t.timeZone ? { timeZone: t.timeZone } : {}),
});

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
 * with PKCE and the token refresh, @googleapis/calendar for events (list with paging and sync tokens, insert,
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

  const body = (e: ExportedEvent): calendar_v3.Schema$Event => ({
    summary: e.summary,
    description: e.description,
    ...(e.location ? { location: e.location } : {}),
    start: { dateTime: new Date(e.startMs).toISOString() },
    end: { dateTime: new Date(e.endMs).toISOString() },
    transparency: 'opaque',
  });

  /** Kept of each event: what its expansion needs. */
  const keep = (e: calendar_v3.Schema$Event): GoogleItem => ({
    id: e.id ?? '',
    ...(e.status ? { status: e.status } : {}),
    ...(e.summary ? { summary: e.summary.slice(0, 200) } : {}),
    ...(e.transparency ? { transparency: e.transparency } : {}),
    ...(e.start ? { start: pickTime(e.start) } : {}),
    ...(e.end ? { end: pickTime(e.end) } : {}),
    ...(e.recurrence?.length ? { recurrence: e.recurrence } : {}),
    ...(e.recurringEventId ? { recurringEventId: e.recurringEventId } : {}),
    ...(e.originalStartTime ? { originalStartTime: pickTime(e.originalStartTime) } : {}),
  });

  /**
   * events.list over the primary calendar, every page. Series come as masters with their
   * recurrence (singleEvents=false) so the kept copy can be expanded over any later window.
   * Full: from the window's start on, no end (the horizon moves forward). With a syncToken
   * Google refuses timeMin, timeMax, updatedMin, orderBy, q, iCalUID and the extended
   * property filters, so none is sent; an expired token is HTTP 410 and means a full read.
   */
  async function list(cal: calendar_v3.Calendar, window: ImportWindow, syncToken: string | null) {
    const items: calendar_v3.Schema$Event[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await cal.events.list({
        calendarId: 'primary',
        singleEvents: false,
        maxResults: 250,
        ...(syncToken ? { syncToken } : { timeMin: new Date(window.fromMs).toISOString() }),
        ...(pageToken ? { pageToken } : {}),
      });
      items.push(...(res.data.items ?? []));
      pageToken = res.data.nextPageToken ?? undefined;
      if (!pageToken) return { items, cursor: res.data.nextSyncToken ?? null };
    }
    throw new CalendarError(`Le calendrier Google a trop d'événements (plus de ${MAX_PAGES} pages).`);
  }

  const incremental: IncrementalReader = {
    async changes(connection, window, cursor) {
      const cal = api(connection);
      try {
        if (cursor) {
          try {
            const { items, cursor: next } = await list(cal, window, cursor);
            // A deleted event comes back as "cancelled"; a cancelled occurrence of a series is
            // kept (it removes that occurrence), a cancelled series or single event goes.
            const gone = items.filter((e) => e.status === 'cancelled' && !e.recurringEventId);
            return { full: false, upserts: items.filter((e) => !gone.includes(e)).map((e) => ({ id: e.id ?? '', data: keep(e) })), removals: gone.map((e) => e.id ?? ''), cursor: next };
          } catch (error) {
            if ((error as { status?: number }).status !== 410) throw error;
          }
        }
        const { items, cursor: next } = await list(cal, window, null);
        return { full: true, upserts: items.map((e) => ({ id: e.id ?? '', data: keep(e) })), removals: [], cursor: next };
      } catch (error) {
        throw googleError(error);
      }
    },
    expand: (items, window) => expandGoogleItems(items, window, config.maxEvents ?? DEFAULT_MAX_EVENTS),
    past: (items, window) => pastGoogleItems(items, window),
  };

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

    incremental,
    async read(connection, window) {
      const { upserts } = await incremental.changes(connection, window, null);
      return { events: incremental.expand(upserts, window, new Map()) };
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

