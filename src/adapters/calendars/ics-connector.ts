import { CalendarError, type CalendarConnector } from '../../app/ports/calendars.ts';
import { expandCalendar } from './ics-expand.ts';

/** HTTP statuses of a calendar server, in words the artisan can act on. */
export function httpProblem(status: number): string {
  if (status === 401 || status === 403) return `Accès refusé par le calendrier (HTTP ${status}) : l'adresse ou le mot de passe a peut-être changé.`;
  if (status === 404 || status === 410) return `Calendrier introuvable à cette adresse (HTTP ${status}).`;
  return `Le serveur du calendrier a répondu par une erreur (HTTP ${status}).`;
}

/**
 * An ICS subscription: the secret address Google, Outlook.com and iCloud publish. Read only;
 * `webcal://` is the same address over HTTPS.
 */
export function makeIcsConnector(deps: { fetch: typeof globalThis.fetch; maxEvents: number }): CalendarConnector {
  return {
    async read(connection, window) {
      const raw = connection.secrets.url;
      if (!raw) throw new CalendarError("L'adresse du calendrier manque.");
      const url = raw.replace(/^webcals?:\/\//i, 'https://');
      const res = await deps.fetch(url, { headers: { accept: 'text/calendar, */*;q=0.5' } });
      if (!res.ok) throw new CalendarError(httpProblem(res.status));
      const text = await res.text();
      return { events: expandCalendar(text, { ...window, maxEvents: deps.maxEvents }) };
    },
  };
}
