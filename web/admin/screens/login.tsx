import { useState } from 'preact/hooks';
import { Alert } from '../../shared/components/Alert';
import { Field } from '../field';
import { anonymous, call, errorOf, type Me } from '../lib';

export function LoginScreen({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await call(anonymous.POST('/api/admin/login', { body: { email, password } })));
    } catch (err) {
      setError(errorOf(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>Connexion</h1>
      {error && <Alert kind="err" text={error} />}
      <form onSubmit={submit} class="narrow">
        <Field id="login-email" label="Adresse e-mail" type="email" autocomplete="username" value={email} onInput={setEmail} required />
        <Field id="login-password" label="Mot de passe" type="password" autocomplete="current-password" value={password} onInput={setPassword} required />
        <div class="actions">
          <button type="submit" disabled={busy}>
            Se connecter
          </button>
        </div>
      </form>
      <p>
        <a href="/admin/mot-de-passe-oublie">Mot de passe oublié ?</a>
      </p>
    </>
  );
}
