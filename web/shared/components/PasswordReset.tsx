import { useState } from 'preact/hooks';
import { call, createApiClient, errorOf, fieldErrors } from '../api/client';
import { Alert } from './Alert';

/**
 * "Mot de passe oublié", shared by the back office (/admin) and the operator's console
 * (/operator): ask for a link by e-mail, then choose the new password with the link's token.
 */
type Space = 'admin' | 'operator';
const api = createApiClient();

function PasswordInput(props: { id: string; label: string; value: string; onInput: (v: string) => void; autocomplete: string; error?: string; hint?: string }) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={(props.autocomplete === 'username' ? 'email' : 'password') as 'text'}
        value={props.value}
        required
        autocomplete={props.autocomplete}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${props.id}-err`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export function ForgotPasswordForm({ space, backHref }: { space: Space; backHref: string }) {
  const [email, setEmail] = useState('');
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = { email };
      const answer = await call(space === 'admin' ? api.POST('/api/admin/password/forgot', { body }) : api.POST('/api/operator/password/forgot', { body }));
      setDone(answer.message);
    } catch (err) {
      setError(errorOf(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>Mot de passe oublié</h1>
      {done ? (
        <Alert kind="ok" text={done} />
      ) : (
        <>
          <p>Saisissez l’adresse e-mail de votre compte : nous vous envoyons un lien pour choisir un nouveau mot de passe.</p>
          {error && <Alert kind="err" text={error} />}
          <form onSubmit={submit} class="narrow">
            <PasswordInput id="forgot-email" label="Adresse e-mail" autocomplete="username" value={email} onInput={setEmail} />
            <div class="actions">
              <button type="submit" disabled={busy}>
                Recevoir le lien
              </button>
            </div>
          </form>
        </>
      )}
      <p>
        <a href={backHref}>Retour à la connexion</a>
      </p>
    </>
  );
}

export function NewPasswordForm({ space, token, backHref }: { space: Space; token: string; backHref: string }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setFields({});
    if (password !== again) return setFields({ again: 'Les deux saisies ne correspondent pas.' });
    setBusy(true);
    try {
      const body = { token, password };
      await call(space === 'admin' ? api.POST('/api/admin/password/reset', { body }) : api.POST('/api/operator/password/reset', { body }));
      setDone(true);
    } catch (err) {
      const apiError = errorOf(err);
      setError(apiError.message);
      setFields(fieldErrors(apiError));
    } finally {
      setBusy(false);
    }
  };
  if (done) {
    return (
      <>
        <h1>Nouveau mot de passe</h1>
        <Alert kind="ok" text="Votre mot de passe est changé. Vos autres sessions sont fermées : connectez-vous avec le nouveau mot de passe." />
        <p>
          <a href={backHref}>Se connecter</a>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Nouveau mot de passe</h1>
      {error && <Alert kind="err" text={error} />}
      <form onSubmit={submit} class="narrow">
        <PasswordInput id="new-password" label="Nouveau mot de passe" autocomplete="new-password" hint="10 caractères au moins." value={password} onInput={setPassword} error={fields.password} />
        <PasswordInput id="new-password-again" label="Confirmez le mot de passe" autocomplete="new-password" value={again} onInput={setAgain} error={fields.again} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            Enregistrer le mot de passe
          </button>
        </div>
      </form>
      <p>
        <a href={backHref}>Retour à la connexion</a>
      </p>
    </>
  );
}
