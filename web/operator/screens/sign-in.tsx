import { useState } from 'preact/hooks';
import { Field } from '../../admin/field';
import { call, createApiClient, errorOf, fieldErrors } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import type { OperatorMe } from '../App';

const api = createApiClient();

/** Sign-in, or the first operator's account with the code printed in the service's log. */
export function SignInScreen({ setup, onSignedIn }: { setup: boolean; onSignedIn: (me: OperatorMe) => void }) {
  const [code, setCode] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setFields({});
    try {
      onSignedIn(
        await call(
          setup
            ? api.POST('/api/operator/setup', { body: { setupCode: code, email, password } })
            : api.POST('/api/operator/login', { body: { email, password } }),
        ),
      );
    } catch (err) {
      const apiError = errorOf(err);
      setError(apiError.message);
      setFields(fieldErrors(apiError));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>{setup ? 'Premier compte opérateur' : 'Connexion opérateur'}</h1>
      {setup && <p>Saisissez le code opérateur affiché dans le journal du service au démarrage, puis l’adresse e-mail et le mot de passe du compte à créer.</p>}
      {error && <Alert kind="err" text={error} />}
      <form onSubmit={submit} class="narrow">
        {setup && <Field id="operator-code" label="Code opérateur" value={code} onInput={setCode} required autocomplete="off" error={fields.setupCode} />}
        <Field id="operator-email" label="Adresse e-mail" type="email" autocomplete="username" value={email} onInput={setEmail} required error={fields.email} />
        <Field
          id="operator-password"
          label="Mot de passe"
          type="password"
          autocomplete={setup ? 'new-password' : 'current-password'}
          hint={setup ? '10 caractères au moins.' : undefined}
          value={password}
          onInput={setPassword}
          required
          error={fields.password}
        />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {setup ? 'Créer le compte' : 'Se connecter'}
          </button>
        </div>
      </form>
      {!setup && (
        <p>
          <a href="/operator/mot-de-passe-oublie">Mot de passe oublié ?</a>
        </p>
      )}
    </>
  );
}
