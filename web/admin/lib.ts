import { useState } from 'preact/hooks';
import { call, createApiClient, errorOf, fieldErrors, type ApiClient, type ResponseOf } from '../shared/api/client';

/** Who is signed in (GET /api/admin/me): the artisan, how (session or token), their time zone. */
export type Me = ResponseOf<'/api/admin/me', 'get'>;

/**
 * The back office's session: the typed client with the session's CSRF token on every request
 * (the cookie itself is HttpOnly), and who is signed in (`me.timezone`: every instant the back
 * office shows is in it).
 */
export interface Session {
  me: Me;
  api: ApiClient;
}

export function sessionFor(me: Me): Session {
  return { me, api: createApiClient({ headers: me.csrfToken ? { 'x-csrf-token': me.csrfToken } : {} }) };
}

export const anonymous = createApiClient();

export { call, errorOf };

/**
 * An instant ("2027-03-10T09:00:00+01:00" or ISO UTC) as the wall clock of `timeZone`, in
 * French ("10/03/2027 09:00"). Pass the artisan's zone, `session.me.timezone` (from
 * GET /api/admin/me), never the browser's: the artisan may be away from home.
 */
export function atInZone(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleString('fr-FR', { timeZone, dateStyle: 'short', timeStyle: 'short' });
}

/** Minutes since midnight <-> "HH:MM" (the value of an `<input type="time">`). */
export const hhmm = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
export function minutesOf(value: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const total = Number(m[1]) * 60 + Number(m[2]);
  return total >= 0 && total <= 1440 ? total : undefined;
}

export const DAY_NAMES = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];
/** The API's days (0 = Sunday) in French order, Monday first. */
export const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0];


/** Navigation inside the single-page back office (paths under /admin). */
export function navigate(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

/**
 * A settings screen's messages and the one way it runs an action: clear both messages, run,
 * say `ok` and reload; on failure show the API's French message with its per-field details.
 */
export function useScreenAction(reload: () => Promise<void>) {
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const run = async (f: () => Promise<unknown>, ok: string): Promise<void> => {
    setError(undefined);
    setNotice(undefined);
    try {
      await f();
      setNotice(ok);
      await reload();
    } catch (e) {
      const api = errorOf(e);
      setError([api.message, ...Object.values(fieldErrors(api))].join(' '));
    }
  };
  return { error, setError, notice, run };
}
