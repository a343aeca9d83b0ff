import { useEffect, useRef, useState } from 'preact/hooks';
import { Field } from '../admin/field';
import { call, createApiClient, errorOf, fieldErrors } from '../shared/api/client';
import { Alert } from '../shared/components/Alert';
import { keep } from '../shared/setup-wizard-state';

const api = createApiClient();
const ZONES = ['Europe/Paris', 'America/Martinique', 'America/Guadeloupe', 'America/Cayenne', 'Indian/Reunion', 'Indian/Mayotte', 'Pacific/Noumea', 'Pacific/Tahiti'];
const TRADES = ['Plombier', 'Électricien', 'Chauffagiste'];
const OTHER = 'autre';

type Mode = 'open' | 'invite' | 'closed';
type State = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; mode: Mode };

/**
 * /inscription: a tradesperson creates their business and sign-in, then confirms the address
 * from the e-mail (/inscription/confirmer), which publishes the page, signs them in and opens
 * the back office's setup (hours, first service). The server decides everything: who may sign
 * up (SIGNUP), whether a slug is free, every field's check.
 */
export function SignupApp() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const params = new URLSearchParams(location.search);
  const confirming = location.pathname === '/inscription/confirmer';
  useEffect(() => {
    if (confirming) return;
    call(api.GET('/api/signup/status')).then(
      (s) => setState({ kind: 'ready', mode: s.mode }),
      (e: unknown) => setState({ kind: 'error', message: errorOf(e).message }),
    );
  }, []);
  const invitation = params.get('invitation') ?? undefined;
  return (
    <>
      <a class="skip" href="#contenu">
        Aller au contenu
      </a>
      <header class="site admin-head">
        <div class="wrap head-row">
          <p class="brand">ArtisanConnect</p>
        </div>
      </header>
      <main class="wrap admin-main" id="contenu" tabIndex={-1}>
        {confirming ? (
          <ConfirmScreen token={params.get('token') ?? ''} />
        ) : state.kind === 'loading' ? (
          <p>Chargement…</p>
        ) : state.kind === 'error' ? (
          <Alert kind="err" text={state.message} />
        ) : state.mode === 'closed' ? (
          <>
            <h1>Inscriptions fermées</h1>
            <p>Les inscriptions sont fermées sur ce service pour le moment. Pour ouvrir un espace, contactez la société qui l’exploite.</p>
            <p>
              Vous avez déjà un espace ? <a href="/admin">Connectez-vous</a>.
            </p>
          </>
        ) : state.mode === 'invite' && !invitation ? (
          <>
            <h1>Inscription sur invitation</h1>
            <p>Sur ce service, un espace se crée avec le lien d’invitation envoyé par la société qui l’exploite. Ouvrez ce lien, ou demandez-en un.</p>
            <p>
              Vous avez déjà un espace ? <a href="/admin">Connectez-vous</a>.
            </p>
          </>
        ) : (
          <SignupForm invitation={invitation} />
        )}
      </main>
    </>
  );
}

type SlugState = { kind: 'idle' } | { kind: 'checking' } | { kind: 'free'; slug: string } | { kind: 'refused'; message: string };

function SignupForm({ invitation }: { invitation?: string }) {
  const [name, setName] = useState('');
  const [trade, setTrade] = useState(TRADES[0]!);
  const [otherTrade, setOtherTrade] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [slugState, setSlugState] = useState<SlugState>({ kind: 'idle' });
  const [timezone, setTimezone] = useState('Europe/Paris');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<{ email: string; message: string }>();
  const asked = useRef(0);

  // Live suggestion from the name (until the slug is edited by hand), then availability.
  useEffect(() => {
    const query = slugEdited ? (slug.trim() ? { slug: slug.trim() } : undefined) : name.trim() ? { name: name.trim() } : undefined;
    if (!query) return setSlugState({ kind: 'idle' });
    const ask = ++asked.current;
    setSlugState({ kind: 'checking' });
    const timer = setTimeout(() => {
      call(api.GET('/api/signup/slug', { params: { query } })).then(
        (r) => {
          if (ask !== asked.current) return;
          if (!slugEdited) setSlug(r.slug);
          setSlugState(r.available ? { kind: 'free', slug: r.slug } : { kind: 'refused', message: r.message ?? 'Cette adresse n’est pas disponible.' });
        },
        (e: unknown) => ask === asked.current && setSlugState({ kind: 'refused', message: errorOf(e).message }),
      );
    }, 350);
    return () => clearTimeout(timer);
  }, [name, slug, slugEdited]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setFields({});
    try {
      const body = {
        displayName: name,
        trade: trade === OTHER ? otherTrade : trade,
        slug,
        timezone,
        email,
        password,
        ...(phone.trim() ? { phone } : {}),
        ...(invitation ? { invitation } : {}),
      };
      setSent(await call(api.POST('/api/signup', { body })));
    } catch (err) {
      const apiError = errorOf(err);
      setError(apiError.message);
      setFields(fieldErrors(apiError));
    } finally {
      setBusy(false);
    }
  };

  if (sent) return <CheckMailbox email={sent.email} message={sent.message} />;
  const slugHint =
    slugState.kind === 'free'
      ? `Disponible : votre page sera ${location.host}/${slugState.slug}`
      : slugState.kind === 'checking'
        ? 'Vérification…'
        : slugState.kind === 'refused'
          ? slugState.message
          : 'Lettres minuscules sans accent, chiffres et tirets (ex. plomberie-dupont).';
  return (
    <>
      <h1>Créer votre espace</h1>
      <p>Vos clients réserveront en ligne sur votre page, acompte compris. Cela prend deux minutes ; vos horaires et vos prestations viennent ensuite.</p>
      {error && <Alert kind="err" text={error} />}
      <form onSubmit={submit} class="narrow" noValidate>
        <Field id="signup-name" label="Nom de votre entreprise" value={name} onInput={setName} required autocomplete="organization" error={fields.displayName} />
        <div>
          <label for="signup-trade">Métier</label>
          <select id="signup-trade" value={trade} onChange={(e) => setTrade((e.target as HTMLSelectElement).value)}>
            {TRADES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
            <option value={OTHER}>Autre métier</option>
          </select>
        </div>
        {trade === OTHER && <Field id="signup-other-trade" label="Votre métier" value={otherTrade} onInput={setOtherTrade} error={fields.trade} />}
        <div>
          <label for="signup-slug">Adresse de votre page</label>
          <input
            id="signup-slug"
            type="text"
            value={slug}
            autocomplete="off"
            autocapitalize="none"
            spellcheck={false}
            required
            aria-invalid={fields.slug || slugState.kind === 'refused' ? 'true' : undefined}
            aria-describedby="signup-slug-state"
            onInput={(e) => {
              setSlugEdited(true);
              setSlug((e.target as HTMLInputElement).value);
            }}
          />
          <p class={fields.slug || slugState.kind === 'refused' ? 'field-error' : 'hint'} id="signup-slug-state" role="status">
            {fields.slug ?? slugHint}
          </p>
        </div>
        <div>
          <label for="signup-timezone">Fuseau horaire</label>
          <select id="signup-timezone" value={timezone} onChange={(e) => setTimezone((e.target as HTMLSelectElement).value)}>
            {ZONES.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
          {fields.timezone && <p class="field-error">{fields.timezone}</p>}
        </div>
        <Field
          id="signup-email"
          label="Adresse e-mail"
          type="email"
          autocomplete="email"
          hint="Pour vous connecter et recevoir vos réservations. Un lien de confirmation y sera envoyé."
          value={email}
          onInput={setEmail}
          required
          error={fields.email}
        />
        <Field id="signup-phone" label="Téléphone (facultatif)" type="tel" autocomplete="tel" value={phone} onInput={setPhone} error={fields.phone} />
        <Field
          id="signup-password"
          label="Mot de passe"
          type="password"
          autocomplete="new-password"
          hint="10 caractères au moins."
          value={password}
          onInput={setPassword}
          required
          error={fields.password}
        />
        <div class="actions">
          <button type="submit" disabled={busy}>
            Créer mon espace
          </button>
        </div>
      </form>
      <p>
        Vous avez déjà un espace ? <a href="/admin">Connectez-vous</a>.
      </p>
    </>
  );
}

function CheckMailbox({ email, message }: { email: string; message: string }) {
  const [answer, setAnswer] = useState<{ kind: 'ok' | 'err'; text: string }>();
  const resend = async () => {
    try {
      setAnswer({ kind: 'ok', text: (await call(api.POST('/api/signup/resend', { body: { email } }))).message });
    } catch (e) {
      setAnswer({ kind: 'err', text: errorOf(e).message });
    }
  };
  return (
    <>
      <h1>Confirmez votre adresse</h1>
      <Alert kind="ok" text={message} />
      <p>Votre page n’est pas encore visible : elle le sera dès que vous aurez ouvert le lien.</p>
      {answer && <Alert kind={answer.kind} text={answer.text} />}
      <div class="actions">
        <button type="button" class="secondary" onClick={resend}>
          Recevoir un nouveau lien
        </button>
      </div>
    </>
  );
}

function ConfirmScreen({ token }: { token: string }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // A click, not the page load: mail scanners that open links do not publish anyone's page.
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const me = await call(api.POST('/api/signup/confirm', { body: { token } }));
      // The back office opens its setup wizard (hours, first service) for this business.
      keep({ artisanId: me.artisanId, skipped: [] });
      location.assign('/admin');
    } catch (e) {
      setError(errorOf(e).message);
      setBusy(false);
    }
  };
  return (
    <>
      <h1>Confirmer votre adresse</h1>
      {error && <Alert kind="err" text={error} />}
      <p>Une dernière étape : confirmez votre adresse pour mettre votre page en ligne. Vous réglerez ensuite vos horaires et votre première prestation.</p>
      <div class="actions">
        <button type="button" onClick={confirm} disabled={busy || !token}>
          Confirmer et mettre ma page en ligne
        </button>
      </div>
      {error && <ResendForm />}
    </>
  );
}

/** A new confirmation link for an expired or used one. */
function ResendForm() {
  const [email, setEmail] = useState('');
  const [answer, setAnswer] = useState<{ kind: 'ok' | 'err'; text: string }>();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      setAnswer({ kind: 'ok', text: (await call(api.POST('/api/signup/resend', { body: { email } }))).message });
    } catch (err) {
      setAnswer({ kind: 'err', text: errorOf(err).message });
    }
  };
  return (
    <form onSubmit={submit} class="narrow">
      <h2>Recevoir un nouveau lien</h2>
      {answer && <Alert kind={answer.kind} text={answer.text} />}
      <Field id="resend-email" label="Adresse e-mail de l’inscription" type="email" autocomplete="email" value={email} onInput={setEmail} required />
      <div class="actions">
        <button type="submit" class="secondary">
          Envoyer un nouveau lien
        </button>
      </div>
    </form>
  );
}
