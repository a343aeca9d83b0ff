import { useEffect, useState } from 'preact/hooks';
import { fieldErrors } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { Field } from '../field';
import { anonymous, call, errorOf, type Me, type Session } from '../lib';
import { HoursEditor } from './hours';
import { PaymentsScreen } from './payments';
import { ServiceForm } from './services';
import { keep, kept, type Step } from '../../shared/setup-wizard-state';

const ZONES = ['Europe/Paris', 'America/Martinique', 'America/Guadeloupe', 'America/Cayenne', 'Indian/Reunion', 'Indian/Mayotte', 'Pacific/Noumea', 'Pacific/Tahiti'];

const STEPS: Step[] = ['hours', 'service', 'payments'];

/** After a reload: is this artisan in the middle of the setup wizard (started in this browser)? */
export function setupWizardOpen(me: Me): boolean {
  return kept()?.artisanId === me.artisanId;
}

/**
 * The first start: step 1 (no session yet) claims the instance with the setup code from the
 * log; steps 2 to 4 (signed in) set the weekly hours, a first service and how deposits are
 * taken, each skippable. The wizard opens at the first step the server does not count as done.
 */
export function SetupWizard({ session, onDone }: { session?: Session; onDone: (me: Me) => void }) {
  if (!session) {
    return (
      <SetupAccount
        onDone={(me) => {
          keep({ artisanId: me.artisanId, skipped: [] });
          onDone(me);
        }}
      />
    );
  }
  return <SetupSteps session={session} onDone={onDone} />;
}

function SetupSteps({ session, onDone }: { session: Session; onDone: (me: Me) => void }) {
  const [step, setStep] = useState<Step | 'loading'>('loading');
  const [error, setError] = useState<string>();
  const finish = () => {
    keep(undefined);
    onDone(session.me);
  };
  /** The first step neither done on the server nor skipped here; the wizard ends after the last. */
  const next = async () => {
    try {
      const done = await call(session.api.GET('/api/admin/setup-checklist'));
      const skipped = kept()?.skipped ?? [];
      const first = STEPS.find((s) => !done[s] && !skipped.includes(s));
      if (first) setStep(first);
      else finish();
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  const skip = (s: Step) => () => {
    const k = kept() ?? { artisanId: session.me.artisanId, skipped: [] };
    keep({ ...k, skipped: [...k.skipped, s] });
    void next();
  };
  useEffect(() => void next(), []);
  if (step === 'loading') return error ? <Alert kind="err" text={error} /> : <p>Chargement…</p>;
  const steps = (
    <p class="hint">
      Étape {STEPS.indexOf(step) + 2} sur {STEPS.length + 1} — vous pourrez tout modifier plus tard.
    </p>
  );
  const skipButton = (
    <div class="actions">
      <button type="button" class="secondary" onClick={skip(step)}>
        Passer cette étape
      </button>
    </div>
  );
  if (step === 'hours') {
    return (
      <>
        <h1>Vos horaires d’ouverture</h1>
        {steps}
        <HoursEditor session={session} onSaved={() => void next()} />
        {skipButton}
      </>
    );
  }
  if (step === 'service') {
    return (
      <>
        <h1>Votre première prestation</h1>
        {steps}
        <ServiceForm session={session} onSaved={() => void next()} />
        {skipButton}
      </>
    );
  }
  return (
    <>
      <PaymentsScreen
        session={session}
        heading={
          <>
            <h1>L’acompte de vos clients</h1>
            {steps}
          </>
        }
        onSaved={() => void next()}
      />
      {skipButton}
    </>
  );
}

function SetupAccount({ onDone }: { onDone: (me: Me) => void }) {
  const [form, setForm] = useState({ setupCode: '', displayName: '', trade: '', contactEmail: '', phone: '', signInEmail: '', password: '', timezone: 'Europe/Paris' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      const body = { ...form, trade: form.trade.trim() || undefined, phone: form.phone.trim() || undefined };
      onDone(await call(anonymous.POST('/api/setup', { body })));
    } catch (err) {
      const api = errorOf(err);
      setError(api.message);
      setErrors(fieldErrors(api));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>Créer votre espace artisan</h1>
      <p>
        Première installation : saisissez le <strong>code d’installation</strong> affiché au démarrage du service (demandez-le à la personne qui l’a installé), puis vos
        informations. Étape 1 sur 4.
      </p>
      {error && <Alert kind="err" text={error} />}
      <form onSubmit={submit} class="narrow">
        <Field id="setup-code" label="Code d’installation" value={form.setupCode} onInput={set('setupCode')} error={errors.setupCode} hint="Exemple : ABCD-EFGH-JKLM" required />
        <fieldset class="card">
          <legend>Votre entreprise</legend>
          <Field id="setup-name" label="Nom affiché aux clients" value={form.displayName} onInput={set('displayName')} error={errors.displayName} required />
          <Field id="setup-trade" label="Métier (facultatif)" value={form.trade} onInput={set('trade')} error={errors.trade} hint="Exemple : Plombier chauffagiste" />
          <Field id="setup-contact" label="E-mail de contact" type="email" value={form.contactEmail} onInput={set('contactEmail')} error={errors.contactEmail} required />
          <Field id="setup-phone" label="Téléphone (facultatif)" type="tel" value={form.phone} onInput={set('phone')} error={errors.phone} />
          <label for="setup-zone">Fuseau horaire</label>
          <select id="setup-zone" value={form.timezone} onChange={(e) => set('timezone')((e.target as HTMLSelectElement).value)}>
            {ZONES.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </fieldset>
        <fieldset class="card">
          <legend>Votre connexion</legend>
          <Field id="setup-email" label="E-mail de connexion" type="email" autocomplete="username" value={form.signInEmail} onInput={set('signInEmail')} error={errors.signInEmail} required />
          <Field
            id="setup-password"
            label="Mot de passe"
            type="password"
            autocomplete="new-password"
            value={form.password}
            onInput={set('password')}
            error={errors.password}
            hint="Au moins 10 caractères."
            required
          />
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={busy}>
            Créer mon espace
          </button>
        </div>
      </form>
    </>
  );
}
