import { useEffect, useState } from 'preact/hooks';
import { fieldErrors } from '../../shared/api/client';
import type { paths } from '../../shared/api/schema';
import { Alert } from '../../shared/components/Alert';
import { Field } from '../field';
import { atInZone, call, errorOf, type Session } from '../lib';
import { tokenName as readableTokenName, planLabel } from '../../shared/wording';
import { BookingPageCard, ProfileForm } from './account-profile';

/** The terms of sale the booking page shows (the customer accepts them when booking). */
function TermsOfSale({ session }: { session: Session }) {
  const [text, setText] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    call(session.api.GET('/api/admin/artisan')).then((r) => setText(r.artisan.termsOfSale ?? ''), (e) => setError(errorOf(e).message));
  }, []);
  if (text === undefined) return error ? <Alert kind="err" text={error} /> : null;
  return (
    <form
      class="card"
      onSubmit={async (e) => {
        e.preventDefault();
        setNotice(undefined);
        setError(undefined);
        try {
          await call(session.api.PATCH('/api/admin/artisan', { body: { termsOfSale: text.trim() || null } }));
          setNotice('Conditions de vente enregistrées : la page de réservation les affiche.');
        } catch (err) {
          setError(errorOf(err).message);
        }
      }}
    >
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <label for="terms-text">Texte affiché sur la page de réservation, accepté par le client</label>
      <textarea id="terms-text" rows={8} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <div class="actions">
        <button type="submit">Enregistrer les conditions de vente</button>
      </div>
    </form>
  );
}

type ApiToken = paths['/api/admin/tokens']['get']['responses'][200]['content']['application/json']['tokens'][number];

type TokenScope = ApiToken['scopes'][number];

/** What each API token scope allows, in the artisan's words (the API names them in English). */
const SCOPE_LABELS: Record<TokenScope, [label: string, hint: string]> = {
  'bookings:read': ['Lire les réservations', 'Liste, détail et agenda des rendez-vous, indisponibilités.'],
  'bookings:write': ['Modifier les réservations', 'Saisir, annuler ou déplacer un rendez-vous, bloquer du temps, effacer un client.'],
  'availability:read': ['Lire les disponibilités', 'Créneaux libres et raisons des créneaux pris.'],
  'services:read': ['Lire les prestations', 'Liste et détail des prestations.'],
  'services:write': ['Modifier les prestations', 'Créer, modifier, archiver ou supprimer une prestation.'],
  settings: ['Réglages', 'Profil, horaires, prestations, notifications, acompte.'],
  calendars: ['Calendriers', 'Calendriers connectés et flux .ics des rendez-vous.'],
  export: ['Export des données d’un client', 'Tout ce qui est conservé sur un client (droit d’accès RGPD).'],
  'webhooks:manage': ['Webhooks', 'Points d’accès qui reçoivent les événements des réservations, et leurs envois.'],
};

const SCOPES = Object.keys(SCOPE_LABELS) as TokenScope[];

export function AccountScreen({ session }: { session: Session }) {
  const [pw, setPw] = useState({ current: '', next: '' });
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const at = (iso: string) => <time dateTime={iso}>{atInZone(iso, session.me.timezone)}</time>;
  const [tokenName, setTokenName] = useState('');
  // Least privilege by default: the artisan ticks what the integration needs.
  const [tokenScopes, setTokenScopes] = useState<TokenScope[]>(['bookings:read']);
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const load = () => call(session.api.GET('/api/admin/tokens')).then((r) => setTokens(r.tokens), (e) => setError(errorOf(e).message));
  useEffect(() => void load(), []);
  return (
    <>
      <h1>Compte</h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <h2>Votre entreprise</h2>
      {session.me.plan && <p>Formule : <strong>{planLabel(session.me.plan)}</strong> (choisie avec l’exploitant du service).</p>}
      <ProfileForm session={session} />
      <BookingPageCard session={session} />
      <h2>Changer de mot de passe</h2>
      <form
        class="card narrow"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          try {
            await call(session.api.POST('/api/admin/password', { body: { currentPassword: pw.current, newPassword: pw.next } }));
            setNotice('Mot de passe changé : reconnectez-vous avec le nouveau.');
            setTimeout(() => location.assign('/admin'), 1500);
          } catch (err) {
            const api = errorOf(err);
            setError([api.message, ...Object.values(fieldErrors(api))].join(' '));
          }
        }}
      >
        <Field id="pw-current" label="Mot de passe actuel" type="password" autocomplete="current-password" value={pw.current} onInput={(current) => setPw({ ...pw, current })} required />
        <Field id="pw-next" label="Nouveau mot de passe" type="password" autocomplete="new-password" value={pw.next} onInput={(next) => setPw({ ...pw, next })} hint="Au moins 10 caractères." required />
        <div class="actions">
          <button type="submit">Changer le mot de passe</button>
        </div>
      </form>
      <h2>Exporter mes données</h2>
      <div class="card narrow">
        <p>
          Téléchargez toutes les données de votre entreprise (prestations, horaires, rendez-vous, clients, messages…) dans une archive : un fichier par table au
          format NDJSON, lisible par tout outil JSON, avec un manifeste. Les mots de passe, jetons et identifiants de calendrier n’y figurent jamais.
        </p>
        <p class="hint">L’archive contient les données personnelles de vos clients : conservez-la en lieu sûr.</p>
        <div class="actions">
          <a class="button" href="/api/admin/export" download>
            Exporter mes données
          </a>
        </div>
      </div>
      <h2>Conditions générales de vente</h2>
      <TermsOfSale session={session} />
      <h2>Jetons d’API (intégrations)</h2>
      {created && (
        <div class="msg ok" role="status">
          Jeton créé, copiez-le maintenant (il ne sera plus affiché) : <code class="code">{created}</code>
        </div>
      )}
      <form
        class="card narrow"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          if (tokenScopes.length === 0) {
            setError('Choisissez au moins un droit pour ce jeton.');
            return;
          }
          try {
            setCreated((await call(session.api.POST('/api/admin/tokens', { body: { name: tokenName, scopes: tokenScopes } }))).token);
            setTokenName('');
            await load();
          } catch (err) {
            const api = errorOf(err);
            setError([api.message, ...Object.values(fieldErrors(api))].join(' '));
          }
        }}
      >
        <Field id="tok-name" label="Nom du jeton" value={tokenName} onInput={setTokenName} hint="Exemple : Comptabilité" required />
        <fieldset>
          <legend>Ce que le jeton pourra faire</legend>
          {SCOPES.map((scope) => (
            <div key={scope}>
              <label class="check">
                <input
                  type="checkbox"
                  name="scopes"
                  value={scope}
                  checked={tokenScopes.includes(scope)}
                  aria-describedby={`tok-${scope.replace(':', '-')}-hint`}
                  onChange={(e) =>
                    setTokenScopes((e.target as HTMLInputElement).checked ? SCOPES.filter((s) => s === scope || tokenScopes.includes(s)) : tokenScopes.filter((s) => s !== scope))
                  }
                />
                {SCOPE_LABELS[scope][0]}
              </label>
              <p class="hint" id={`tok-${scope.replace(':', '-')}-hint`}>
                {SCOPE_LABELS[scope][1]}
              </p>
            </div>
          ))}
        </fieldset>
        <p class="hint">Créer ou révoquer un jeton, changer le mot de passe et exporter vos données restent réservés à votre session.</p>
        <div class="actions">
          <button type="submit">Créer un jeton</button>
        </div>
      </form>
      <ul class="plain">
        {tokens.map((t) => (
          <li key={t.id} class="row">
            <span>
              {readableTokenName(t.name)} ({t.prefix}…) — {t.revokedAt ? <>révoqué le {at(t.revokedAt)}</> : 'actif'} — créé le {at(t.createdAt)} —{' '}
              {t.lastUsedAt ? <>dernière utilisation le {at(t.lastUsedAt)}</> : 'jamais utilisé'}
              <br />
              Droits : {t.scopes.map((scope) => SCOPE_LABELS[scope][0]).join(', ')}
            </span>
            {!t.revokedAt && (
              <button
                type="button"
                class="secondary"
                aria-label={`Révoquer le jeton ${readableTokenName(t.name)}`}
                onClick={async () => {
                  try {
                    await call(session.api.DELETE('/api/admin/tokens/{id}', { params: { path: { id: t.id } } }));
                    await load();
                  } catch (e) {
                    setError(errorOf(e).message);
                  }
                }}
              >
                Révoquer
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
