import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { Field } from '../field';
import { atInZone, call, errorOf, useScreenAction, type Session } from '../lib';
import { problemText } from '../../shared/wording';

type Connection = ResponseOf<'/api/admin/calendars', 'get'>['calendars'][number];

const PROVIDER_LABEL: Record<string, string> = { ics: 'Abonnement iCal', caldav: 'CalDAV (iCloud, Nextcloud…)', google: 'Google Agenda', outlook: 'Outlook' };

/**
 * How the OAuth round trip ended: the server's callback sends the browser back here with
 * `connexion=ok|erreur` (and the calendar's name or the reason). Read once, then taken off the
 * address so a reload does not say it again.
 */
function useOAuthReturn(): { ok?: string; err?: string } {
  const [result] = useState(() => {
    const q = new URLSearchParams(location.search);
    const outcome = q.get('connexion');
    if (!outcome) return {};
    const message = q.get('message') ?? '';
    if (outcome === 'ok') return { ok: `« ${q.get('nom') ?? 'Calendrier'} » connecté.`, ...(message ? { err: `La première synchronisation a échoué : ${message}` } : {}) };
    return { err: `La connexion n’a pas abouti : ${message || 'autorisation refusée.'}` };
  });
  useEffect(() => {
    if (location.search) history.replaceState(history.state, '', location.pathname);
  }, []);
  return result;
}

/** Connected calendars (their busy times block slots) and the private feed of the bookings. */
export function CalendarsScreen({ session }: { session: Session }) {
  const [calendars, setCalendars] = useState<Connection[]>([]);
  const [connectable, setConnectable] = useState({ google: false, outlook: false });
  const [feed, setFeed] = useState<string>();
  const [f, setF] = useState({ providerId: 'ics' as 'ics' | 'caldav', name: '', url: '', serverUrl: '', username: '', password: '', writeBookings: false });
  const { error, setError, notice, run: act } = useScreenAction(() => load());
  const returned = useOAuthReturn();
  const load = async () => {
    try {
      const list = await call(session.api.GET('/api/admin/calendars'));
      setCalendars(list.calendars);
      setConnectable(list.connectable);
      setFeed((await call(session.api.GET('/api/admin/calendar-feed'))).url);
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  useEffect(() => void load(), []);
  const set = (k: 'name' | 'url' | 'serverUrl' | 'username' | 'password') => (v: string) => setF({ ...f, [k]: v });
  /** Creates the pending connection, then hands the browser to Google or Microsoft for consent. */
  const authorize = (providerId: 'google' | 'outlook') =>
    act(async () => {
      const created = await call(session.api.POST('/api/admin/calendars', { body: { providerId, name: PROVIDER_LABEL[providerId]! } }));
      if (created.authorizationUrl) location.assign(created.authorizationUrl);
    }, `Ouverture de ${PROVIDER_LABEL[providerId]}…`);
  /** A sync that ran but failed is an error to show, not a success. */
  const syncNow = async (c: Connection) => {
    const { sync } = await call(session.api.POST('/api/admin/calendars/{id}/sync', { params: { path: { id: c.id } } }));
    if (sync.ok) return;
    await load();
    throw Object.assign(new Error('sync'), { api: { code: 'CALENDAR_SYNC_FAILED', message: `« ${c.name} » n’a pas pu être synchronisé : ${sync.error ?? ''}`, status: 200 } });
  };
  const shownNotice = notice ?? returned.ok;
  const shownError = error ?? (notice ? undefined : returned.err);
  return (
    <>
      <h1>Calendriers</h1>
      {shownNotice && <Alert kind="ok" text={shownNotice} />}
      {shownError && <Alert kind="err" text={shownError} />}
      <h2>Mes rendez-vous dans mon agenda</h2>
      {feed && (
        <>
          <label for="feed-url">Adresse privée à ajouter comme abonnement dans votre application d’agenda</label>
          <input id="feed-url" type="text" readOnly value={feed} />
        </>
      )}
      <h2>Calendriers connectés</h2>
      {calendars.length === 0 && <p>Aucun calendrier connecté.</p>}
      <ul class="plain">
        {calendars.map((c) => (
          <li key={c.id} class="card">
            <h3>{c.name}</h3>
            <p>
              {PROVIDER_LABEL[c.providerId] ?? c.providerId}
              {c.writeBookings ? ' — vos rendez-vous y sont écrits' : ' — lecture seule'}
            </p>
            <p>
              {c.sync.lastSuccessAt ? `Dernière synchronisation réussie : ${atInZone(c.sync.lastSuccessAt, session.me.timezone)}` : 'Pas encore synchronisé'}
              {c.sync.counts ? ` — ${c.sync.counts.blocks} indisponibilités importées` : ''}
            </p>
            {c.sync.lastError && <p class="field-error">Dernière erreur : {problemText(c.sync.lastError)}</p>}
            {c.sync.lastExportError && <p class="field-error">Écriture des rendez-vous : {problemText(c.sync.lastExportError)}</p>}
            <div class="actions">
              <button type="button" class="secondary" onClick={() => act(() => syncNow(c), `« ${c.name} » synchronisé.`)}>
                Synchroniser « {c.name} »
              </button>
              <button type="button" class="secondary" onClick={() => act(() => call(session.api.DELETE('/api/admin/calendars/{id}', { params: { path: { id: c.id } } })), `« ${c.name} » déconnecté.`)}>
                Déconnecter « {c.name} »
              </button>
            </div>
          </li>
        ))}
      </ul>
      {(connectable.google || connectable.outlook) && (
        <section class="card narrow" aria-labelledby="cal-oauth">
          <h2 id="cal-oauth">Connecter mon agenda en ligne</h2>
          <p class="hint">Vous donnez votre accord sur la page de Google ou de Microsoft, puis revenez ici. Vos rendez-vous y seront écrits, vos occupations bloqueront vos créneaux.</p>
          <div class="actions">
            {connectable.google && (
              <button type="button" onClick={() => authorize('google')}>
                Connecter Google Agenda
              </button>
            )}
            {connectable.outlook && (
              <button type="button" onClick={() => authorize('outlook')}>
                Connecter Outlook
              </button>
            )}
          </div>
        </section>
      )}
      <h2>Connecter un calendrier par son adresse</h2>
      <form
        class="card narrow"
        onSubmit={(e) => {
          e.preventDefault();
          const body =
            f.providerId === 'ics'
              ? { providerId: 'ics' as const, name: f.name, url: f.url }
              : { providerId: 'caldav' as const, name: f.name, serverUrl: f.serverUrl, username: f.username, password: f.password, writeBookings: f.writeBookings };
          void act(() => call(session.api.POST('/api/admin/calendars', { body })), `« ${f.name} » connecté.`);
        }}
      >
        <label for="cal-kind">Type</label>
        <select id="cal-kind" value={f.providerId} onChange={(e) => setF({ ...f, providerId: (e.target as HTMLSelectElement).value as 'ics' | 'caldav' })}>
          <option value="ics">{PROVIDER_LABEL.ics}</option>
          <option value="caldav">{PROVIDER_LABEL.caldav}</option>
        </select>
        <Field id="cal-name" label="Nom" value={f.name} onInput={set('name')} required />
        {f.providerId === 'ics' ? (
          <Field id="cal-url" label="Adresse iCal secrète" value={f.url} onInput={set('url')} hint="https://… ou webcal://…" required />
        ) : (
          <>
            <Field id="cal-server" label="Adresse du serveur" value={f.serverUrl} onInput={set('serverUrl')} required />
            <Field id="cal-user" label="Identifiant" value={f.username} onInput={set('username')} required />
            <Field id="cal-pass" label="Mot de passe (d’application)" type="password" value={f.password} onInput={set('password')} required />
            <label class="check">
              <input type="checkbox" checked={f.writeBookings} onChange={(e) => setF({ ...f, writeBookings: (e.target as HTMLInputElement).checked })} />
              Y écrire mes rendez-vous
            </label>
          </>
        )}
        <div class="actions">
          <button type="submit">Connecter</button>
        </div>
      </form>
    </>
  );
}
