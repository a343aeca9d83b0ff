import { useState } from 'preact/hooks';
import { fieldErrors } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { Field } from '../field';
import { anonymous, call, errorOf, type Me, type Session } from '../lib';
import { HoursEditor } from './hours';
import { ServiceForm } from './services';

const ZONES = ['Europe/Paris', 'America/Martinique', 'America/Guadeloupe', 'America/Cayenne', 'Indian/Reunion', 'Indian/Mayotte', 'Pacific/Noumea', 'Pacific/Tahiti'];

/**
 * The first start: step 1 (no session yet) claims the instance with the setup code from the
 * log; steps 2 and 3 (signed in) set the weekly hours and a first service, each skippable.
 */
export function SetupWizard({ session, onDone }: { session?: Session; onDone: (me: Me) => void }) {
  const [step, setStep] = useState<'hours' | 'service'>('hours');
  if (!session) return <SetupAccount onDone={onDone} />;
  const steps = (
    <p class="hint">
      Étape {step === 'hours' ? 2 : 3} sur 3 — vous pourrez tout modifier plus tard.
    </p>
  );
  if (step === 'hours') {
    return (
      <>
        <h1>Vos horaires d’ouverture</h1>
        {steps}
        <HoursEditor session={session} onSaved={() => setStep('service')} />
        <div class="actions">
          <button type="button" class="secondary" onClick={() => setStep('service')}>
            Passer cette étape
          </button>
        </div>
      </>
    );
  }
  return (
    <>
      <h1>Votre première prestation</h1>
      {steps}
      <ServiceForm session={session} onSaved={() => onDone(session.me)} />
      <div class="actions">
        <button type="button" class="secondary" onClick={() => onDone(session.me)}>
          Passer cette étape
        </button>
      </div>
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
        informations. Étape 1 sur 3.
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
