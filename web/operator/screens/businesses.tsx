import { useEffect, useState } from 'preact/hooks';
import { Field } from '../../admin/field';
import { call, errorOf, type ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { euros } from '../../shared/format';
import { PLAN_LABEL, planLabel } from '../../shared/wording';
import type { OperatorSession } from '../App';
import { Pager } from '../../shared/components/Pager';

type Page = ResponseOf<'/api/operator/businesses', 'get'>;
type Business = Page['businesses'][number];
type Plan = Business['plan'];
type Deletion = ResponseOf<'/api/operator/businesses/{artisanId}/deletion', 'get'>;

export const when = (iso: string | null): string =>
  iso ? new Date(iso).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' }) : 'aucune';
const day = (iso: string): string => new Date(iso).toLocaleDateString('fr-FR', { dateStyle: 'long' });

/** Before a deletion: its date, and the paid bookings still to come that the business must settle. */
function DeletionPanel({ b, session, preview, done, close }: { b: Business; session: OperatorSession; preview: Deletion; done: (message: string) => Promise<void>; close: () => void }) {
  const [error, setError] = useState<string>();
  const paid = preview.upcomingPaidBookings;
  return (
    <div class="card" role="group" aria-labelledby={`del-${b.artisanId}`}>
      <h4 id={`del-${b.artisanId}`}>Supprimer {b.displayName}</h4>
      <p>
        L’entreprise sera suspendue tout de suite, puis supprimée avec toutes ses données le <strong>{day(preview.deletionDueAt)}</strong> (délai de grâce de{' '}
        {preview.graceDays} jours). Vous pourrez annuler d’ici là. Pensez à exporter ses données avant.
      </p>
      {paid.length === 0 ? (
        <p>Aucun rendez-vous à venir avec un acompte payé.</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={`Rendez-vous payés à venir de ${b.displayName}`}>
          <table class="list">
            <caption>
              {paid.length} rendez-vous à venir avec un acompte payé : à rembourser ou à honorer avec l’entreprise avant la date.
            </caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Date</th>
                <th scope="col">Client</th>
                <th scope="col">Prestation</th>
                <th scope="col">Acompte</th>
              </tr>
            </thead>
            <tbody>
              {paid.map((p) => (
                <tr key={p.publicCode}>
                  <td>{p.publicCode}</td>
                  <td>{when(p.startsAt)}</td>
                  <td>{p.customerName}</td>
                  <td>{p.serviceName}</td>
                  <td>{euros(p.depositCents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {error && <Alert kind="err" text={error} />}
      <div class="actions">
        <button
          type="button"
          class="danger"
          onClick={async () => {
            setError(undefined);
            try {
              const r = await call(session.api.POST('/api/operator/businesses/{artisanId}/deletion', { params: { path: { artisanId: b.artisanId } } }));
              await done(`${b.displayName} est suspendue ; suppression de toutes ses données le ${day(r.deletionDueAt)}.`);
            } catch (e) {
              setError(errorOf(e).message);
            }
          }}
        >
          Confirmer la suppression le {day(preview.deletionDueAt)}
        </button>
        <button type="button" class="secondary" onClick={close}>
          Ne pas supprimer
        </button>
      </div>
    </div>
  );
}

/** Where the business is reached: its slug (checked as at sign-up) and its own host name. */
function AddressForm({ b, session, done, close }: { b: Business; session: OperatorSession; done: (message: string) => Promise<void>; close: () => void }) {
  const [slug, setSlug] = useState(b.slug ?? '');
  const [hostName, setHostName] = useState(b.hostName ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setErrors({});
    try {
      const r = await call(session.api.PUT('/api/operator/businesses/{artisanId}/address', { params: { path: { artisanId: b.artisanId } }, body: { slug, hostName: hostName.trim() || null } }));
      await done(`Adresse de ${b.displayName} : /${r.slug}${r.hostName ? ` et ${r.hostName}` : ''}. L’ancienne adresse ne mène plus à sa page.`);
    } catch (err) {
      const problem = errorOf(err);
      setError(problem.message);
      setErrors(Object.fromEntries((problem.details ?? []).map((d) => [d.field, d.message])));
    }
  };
  const id = (name: string) => `${name}-${b.artisanId}`;
  return (
    <form class="card" aria-labelledby={id('address-title')} onSubmit={submit} noValidate>
      <h4 id={id('address-title')}>Adresse de {b.displayName}</h4>
      <p>L’ancienne adresse ne mènera plus à sa page (pas de redirection) : prévenez l’entreprise, ses liens et QR codes devront être remplacés.</p>
      {error && <Alert kind="err" text={error} />}
      <Field id={id('slug')} label="Adresse sur l’instance (/…)" hint="Lettres minuscules, chiffres et tirets, ex. plomberie-dupont." value={slug} onInput={setSlug} error={errors.slug} required />
      <Field id={id('host')} label="Nom d’hôte propre (facultatif)" hint="Ex. rdv.plomberie-dupont.fr ; laissez vide pour aucun." value={hostName} onInput={setHostName} error={errors.hostName} />
      <div class="actions">
        <button type="submit">Enregistrer l’adresse</button>
        <button type="button" class="secondary" onClick={close}>
          Annuler
        </button>
      </div>
    </form>
  );
}

function BusinessCard({ b, session, done }: { b: Business; session: OperatorSession; done: (message: string) => Promise<void> }) {
  const [plan, setPlan] = useState<Plan>(b.plan);
  const [error, setError] = useState<string>();
  const [preview, setPreview] = useState<Deletion>();
  const [editing, setEditing] = useState(false);
  const params = { path: { artisanId: b.artisanId } };
  const act = async (run: () => Promise<unknown>, message: string) => {
    setError(undefined);
    try {
      await run();
      await done(message);
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  const suspended = b.status === 'suspended';
  return (
    <li class="business">
      <h3>{b.displayName}</h3>
      <dl class="facts">
        <dt>Statut</dt>
        <dd>
          <span class={`status-${b.status}`}>
            {b.status === 'unconfirmed' ? 'En attente de confirmation (page non publiée)' : suspended ? `Suspendue depuis le ${when(b.suspendedAt)}` : 'Active'}
          </span>
        </dd>
        {b.deletionDueAt && (
          <>
            <dt>Suppression</dt>
            <dd>
              <strong>prévue le {day(b.deletionDueAt)}</strong>
            </dd>
          </>
        )}
        <dt>Formule</dt>
        <dd>{planLabel(b.plan)}</dd>
        <dt>Réservations ce mois-ci</dt>
        <dd>{b.bookingsThisMonth}</dd>
        <dt>Dernière activité</dt>
        <dd>{when(b.lastActivityAt)}</dd>
        <dt>Adresse</dt>
        <dd>
          {b.slug ? `/${b.slug}` : 'aucune'}
          {b.hostName ? ` — ${b.hostName}` : ''}
        </dd>
      </dl>
      {error && <Alert kind="err" text={error} />}
      <div class="plan-row">
        <div>
          <label for={`plan-${b.artisanId}`}>Formule de {b.displayName}</label>
          <select id={`plan-${b.artisanId}`} value={plan} onChange={(e) => setPlan((e.currentTarget as HTMLSelectElement).value as Plan)}>
            {Object.entries(PLAN_LABEL).map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          class="secondary"
          disabled={plan === b.plan}
          onClick={() => act(() => call(session.api.PUT('/api/operator/businesses/{artisanId}/plan', { params, body: { plan } })), `Formule de ${b.displayName} : ${planLabel(plan)}.`)}
        >
          Changer la formule
        </button>
      </div>
      <div class="actions">
        <a class="button secondary" href={`/api/operator/businesses/${b.artisanId}/export`} download>
          Exporter les données de {b.displayName}
        </a>
        {b.deletionDueAt ? (
          <button type="button" onClick={() => act(() => call(session.api.DELETE('/api/operator/businesses/{artisanId}/deletion', { params })), `La suppression de ${b.displayName} est annulée ; elle reste suspendue.`)}>
            Annuler la suppression de {b.displayName}
          </button>
        ) : suspended ? (
          <button type="button" onClick={() => act(() => call(session.api.POST('/api/operator/businesses/{artisanId}/resume', { params })), `${b.displayName} est rétablie : sa page prend à nouveau les réservations.`)}>
            Rétablir {b.displayName}
          </button>
        ) : (
          <button
            type="button"
            class="danger"
            onClick={() => act(() => call(session.api.POST('/api/operator/businesses/{artisanId}/suspend', { params })), `${b.displayName} est suspendue : sa page ne prend plus de réservation.`)}
          >
            Suspendre {b.displayName}
          </button>
        )}
        {!editing && (
          <button type="button" class="secondary" onClick={() => setEditing(true)}>
            Changer l’adresse de {b.displayName}
          </button>
        )}
        {!b.deletionDueAt && !preview && (
          <button
            type="button"
            class="danger"
            onClick={async () => {
              setError(undefined);
              try {
                setPreview(await call(session.api.GET('/api/operator/businesses/{artisanId}/deletion', { params })));
              } catch (e) {
                setError(errorOf(e).message);
              }
            }}
          >
            Supprimer {b.displayName}…
          </button>
        )}
      </div>
      {editing && <AddressForm b={b} session={session} done={done} close={() => setEditing(false)} />}
      {preview && !b.deletionDueAt && <DeletionPanel b={b} session={session} preview={preview} done={done} close={() => setPreview(undefined)} />}
    </li>
  );
}

/** SIGNUP=invite: a single-use sign-up link, optionally for one address, shown once. */
export function InviteForm({ session, onMade }: { session: OperatorSession; onMade?: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [link, setLink] = useState<string>();
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setLink(undefined);
    try {
      const made = await call(session.api.POST('/api/operator/invitations', { body: { email: email.trim() } }));
      setLink(made.url);
      await onMade?.();
    } catch (err) {
      setError(errorOf(err).message);
    }
  };
  return (
    <section class="card" aria-labelledby="invite-title">
      <h2 id="invite-title">Inviter un artisan</h2>
      <p>Les inscriptions se font sur invitation : créez un lien (valable 14 jours, utilisable une fois) et envoyez-le à l’artisan.</p>
      {error && <Alert kind="err" text={error} />}
      <form onSubmit={submit} class="narrow">
        <Field id="invite-email" label="E-mail de l’artisan (facultatif)" type="email" hint="Si vous l’indiquez, l’inscription devra se faire avec cette adresse." value={email} onInput={setEmail} />
        <div class="actions">
          <button type="submit">Créer le lien d’invitation</button>
        </div>
      </form>
      {link && (
        <div role="status">
          <p>Lien d’invitation (affiché une seule fois) :</p>
          <p>
            <code class="invite-link">{link}</code>
          </p>
        </div>
      )}
    </section>
  );
}

/** The businesses on the instance, by name, 20 a page. */
export function BusinessesScreen({ session }: { session: OperatorSession }) {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState({ q: '', page: 1 });
  const [data, setData] = useState<Page>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const load = async () => {
    try {
      setData(await call(session.api.GET('/api/operator/businesses', { params: { query: { ...(query.q ? { q: query.q } : {}), page: query.page } } })));
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  useEffect(() => void load(), [query]);
  const [inviting, setInviting] = useState(false);
  useEffect(() => {
    call(session.api.GET('/api/signup/status')).then((s) => setInviting(s.mode === 'invite'), () => undefined);
  }, []);
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <>
      <h1>Entreprises</h1>
      {inviting && <InviteForm session={session} />}
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setNotice(undefined);
          setQuery({ q: search.trim(), page: 1 });
        }}
      >
        <Field id="search" label="Rechercher par nom" type="search" value={search} onInput={setSearch} />
        <button type="submit">Rechercher</button>
      </form>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      {!data && !error && <p>Chargement…</p>}
      {data && (
        <>
          <p role="status">
            {data.total === 0 ? 'Aucune entreprise' : `${data.total} entreprise${data.total > 1 ? 's' : ''}`}
            {query.q ? ` pour « ${query.q} »` : ''}.
          </p>
          <ul class="plain businesses">
            {data.businesses.map((b) => (
              <BusinessCard
                key={`${b.artisanId}-${b.plan}-${b.status}-${b.deletionDueAt}-${b.slug}-${b.hostName}`}
                b={b}
                session={session}
                done={async (message) => {
                  setNotice(message);
                  await load();
                }}
              />
            ))}
          </ul>
          <Pager page={query.page} pages={pages} onPage={(page) => setQuery({ ...query, page })} />
        </>
      )}
    </>
  );
}
