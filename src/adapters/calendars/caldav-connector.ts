import { createAccount, deleteObject, fetchCalendarObjects, getBasicAuthHeaders, updateObject, type DAVCalendar } from 'tsdav';
import { CalendarError, type CalendarConnection, type CalendarConnector } from '../../app/ports/calendars.ts';
import { expandCalendar } from './ics-expand.ts';
import { httpProblem } from './ics-connector.ts';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** tsdav reports HTTP failures as plain errors: keep ours, word the rest for the artisan. */
function calendarError(error: unknown): CalendarError {
  if (error instanceof CalendarError) return error;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof CalendarError) return cause;
  const message = error instanceof Error ? error.message : String(error);
  const status = /\b(40[13]|404|5\d\d)\b/.exec(message)?.[1];
  if (status) return new CalendarError(httpProblem(Number(status)), error);
  if (/Invalid credentials|unauthori[sz]ed/i.test(message)) return new CalendarError(httpProblem(401), error);
  return new CalendarError(`Le serveur CalDAV n'a pas pu être lu (${message.slice(0, 120)}).`, error);
}

/**
 * A CalDAV calendar (iCloud with an app-specific password, Nextcloud, Fastmail, Radicale…)
 * through tsdav: discovery of the calendar when none is given, a time-range REPORT for the
 * import, and PUT/DELETE of one object per booking, named after the booking, for the export.
 */
export function makeCaldavConnector(deps: { fetch: typeof globalThis.fetch; maxEvents: number }): CalendarConnector {
  const auth = (c: CalendarConnection) => getBasicAuthHeaders({ username: c.settings.username ?? '', password: c.secrets.password ?? '' });

  async function calendarUrl(c: CalendarConnection): Promise<string> {
    if (c.settings.calendarUrl) return c.settings.calendarUrl;
    const account = await createAccount({
      account: { serverUrl: c.settings.serverUrl ?? '', accountType: 'caldav' },
      headers: auth(c),
      loadCollections: true,
      fetch: deps.fetch,
    }).catch((error: unknown) => {
      throw calendarError(error);
    });
    const calendars = (account.calendars ?? []).filter((cal: DAVCalendar) => !cal.components || cal.components.includes('VEVENT'));
    if (calendars.length === 0) throw new CalendarError("Aucun agenda d'événements n'a été trouvé sur ce serveur CalDAV.");
    return calendars[0]!.url;
  }

  const objectUrl = (base: string, bookingId: string): string => new URL(`${bookingId}.ics`, base.endsWith('/') ? base : `${base}/`).toString();

  return {
    async read(connection, window) {
      const url = await calendarUrl(connection);
      try {
        const objects = await fetchCalendarObjects({
          calendar: { url } as DAVCalendar,
          timeRange: { start: iso(window.fromMs), end: iso(window.toMs) },
          headers: auth(connection),
          fetch: deps.fetch,
        });
        const events = [];
        for (const o of objects) {
          if (typeof o.data !== 'string' || !o.data.includes('BEGIN:VCALENDAR')) continue;
          events.push(...expandCalendar(o.data, { ...window, maxEvents: deps.maxEvents - events.length }));
        }
        return { events, settings: { ...connection.settings, calendarUrl: url } };
      } catch (error) {
        throw calendarError(error);
      }
    },
    write: {
      async put(connection, event) {
        const url = objectUrl(await calendarUrl(connection), event.bookingId);
        const res = await updateObject({
          url,
          data: event.ics,
          headers: { ...auth(connection), 'content-type': 'text/calendar; charset=utf-8' },
          fetch: deps.fetch,
        }).catch((error: unknown) => {
          throw calendarError(error);
        });
        if (!res.ok) throw new CalendarError(httpProblem(res.status));
        return url;
      },
      locate: async (connection, bookingId) => objectUrl(await calendarUrl(connection), bookingId),
      async remove(connection, remoteRef) {
        const res = await deleteObject({ url: remoteRef, headers: auth(connection), fetch: deps.fetch }).catch((error: unknown) => {
          throw calendarError(error);
        });
        if (!res.ok && res.status !== 404 && res.status !== 410) throw new CalendarError(httpProblem(res.status));
      },
    },
  };
}
