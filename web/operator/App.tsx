import { useEffect, useState } from 'preact/hooks';
import { call, createApiClient, errorOf, type ApiClient, type ResponseOf } from '../shared/api/client';
import { Alert } from '../shared/components/Alert';
import { ForgotPasswordForm, NewPasswordForm } from '../shared/components/PasswordReset';
import { AuditScreen } from './screens/audit';
import { BackupsScreen } from './screens/backups';
import { BusinessesScreen } from './screens/businesses';
import { InvitationsScreen } from './screens/invitations';
import { SignInScreen } from './screens/sign-in';

export type OperatorMe = ResponseOf<'/api/operator/me', 'get'>;
export interface OperatorSession {
  me: OperatorMe;
  api: ApiClient;
}

const anonymous = createApiClient();
const NAV = [
  ['/operator', 'Entreprises'],
  ['/operator/invitations', 'Invitations'],
  ['/operator/sauvegardes', 'Sauvegardes'],
  ['/operator/journal', 'Journal des actions'],
] as const;

export function navigate(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return path.replace(/\/+$/, '') || '/operator';
}

export function Link({ href, children, current }: { href: string; children: preact.ComponentChildren; current?: boolean }) {
  return (
    <a
      href={href}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

type State = { kind: 'loading' } | { kind: 'setup' } | { kind: 'login' } | { kind: 'in'; session: OperatorSession } | { kind: 'error'; message: string };

const sessionFor = (me: OperatorMe): OperatorSession => ({ me, api: createApiClient({ headers: { 'x-csrf-token': me.csrfToken } }) });

export function OperatorApp() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const path = usePath();

  const refresh = async () => {
    try {
      const status = await call(anonymous.GET('/api/operator/setup/status'));
      if (status.setupRequired) return setState({ kind: 'setup' });
      const me = await anonymous.GET('/api/operator/me');
      if (me.response.status === 401) return setState({ kind: 'login' });
      if (!me.data) throw Object.assign(new Error('me'), { api: errorOf(me.error) });
      setState({ kind: 'in', session: sessionFor(me.data) });
    } catch (e) {
      setState({ kind: 'error', message: errorOf(e).message });
    }
  };
  useEffect(() => void refresh(), []);

  const logout = async () => {
    if (state.kind !== 'in') return;
    await state.session.api.POST('/api/operator/logout').catch(() => undefined);
    navigate('/operator');
    setState({ kind: 'login' });
  };

  // Reached from the e-mailed link or the sign-in screen, signed in or not.
  const token = new URLSearchParams(location.search).get('token');
  const resetPage =
    path === '/operator/mot-de-passe' && token ? (
      <NewPasswordForm space="operator" token={token} backHref="/operator" />
    ) : path === '/operator/mot-de-passe-oublie' ? (
      <ForgotPasswordForm space="operator" backHref="/operator" />
    ) : undefined;

  return (
    <>
      <a class="skip" href="#contenu">
        Aller au contenu
      </a>
      <header class="site admin-head operator-head">
        <div class="wrap head-row">
          <div>
            <p class="brand">ArtisanConnect — console opérateur</p>
            {state.kind === 'in' && <p class="who">{state.session.me.email}</p>}
          </div>
          {state.kind === 'in' && (
            <button type="button" class="secondary" onClick={logout}>
              Se déconnecter
            </button>
          )}
        </div>
        {state.kind === 'in' && !resetPage && (
          <nav aria-label="Console opérateur" class="wrap operator-nav">
            <ul class="plain">
              {NAV.map(([href, label]) => (
                <li key={href}>
                  <Link href={href} current={href === path}>
                    {label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      <main class="wrap admin-main" id="contenu" tabIndex={-1}>
        {resetPage ?? (
          <>
            {state.kind === 'loading' && <p>Chargement…</p>}
            {state.kind === 'error' && <Alert kind="err" text={state.message} />}
            {(state.kind === 'setup' || state.kind === 'login') && (
              <SignInScreen setup={state.kind === 'setup'} onSignedIn={(me) => setState({ kind: 'in', session: sessionFor(me) })} />
            )}
            {state.kind === 'in' &&
              (path === '/operator/journal' ? (
                <AuditScreen session={state.session} />
              ) : path === '/operator/invitations' ? (
                <InvitationsScreen session={state.session} />
              ) : path === '/operator/sauvegardes' ? (
                <BackupsScreen session={state.session} />
              ) : (
                <BusinessesScreen session={state.session} />
              ))}
          </>
        )}
      </main>
    </>
  );
}
