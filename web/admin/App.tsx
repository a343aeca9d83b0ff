import { useEffect, useRef, useState } from 'preact/hooks';
import { Alert } from '../shared/components/Alert';
import { ForgotPasswordForm, NewPasswordForm } from '../shared/components/PasswordReset';
import { ADMIN_NAV, SUSPENDED_BANNER } from '../shared/wording';
import { anonymous, call, errorOf, navigate, sessionFor, type Me, type Session } from './lib';
import { AccountScreen } from './screens/account';
import { AgendaScreen } from './screens/agenda';
import { BookingDetailScreen } from './screens/booking-detail';
import { BookingsScreen } from './screens/bookings';
import { CalendarsScreen } from './screens/calendars';
import { CustomerFileScreen } from './screens/customer-file';
import { DueVisitsScreen } from './screens/due-visits';
import { EmbedScreen } from './screens/embed';
import { HoursScreen } from './screens/hours';
import { IntegrationsScreen } from './screens/integrations';
import { LoginScreen } from './screens/login';
import { MessagesScreen } from './screens/messages';
import { NotificationsScreen } from './screens/notifications';
import { PaymentsScreen } from './screens/payments';
import { PhoneBookingScreen } from './screens/phone-booking';
import { ServicesScreen } from './screens/services';
import { SetupWizard, setupWizardOpen } from './screens/setup-wizard';
import { TeamScreen } from './screens/team';
import { TimeOffScreen } from './screens/time-off';


function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return path.replace(/\/+$/, '') || '/admin';
}

/** A link inside the back office: a real link (new tab, copy) that navigates without reloading. */
export function Link({ href, children, current, onNavigate }: { href: string; children: preact.ComponentChildren; current?: boolean; onNavigate?: () => void }) {
  return (
    <a
      href={href}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
        onNavigate?.();
      }}
    >
      {children}
    </a>
  );
}

/** The screens a technician's role opens (src/app/member-roles.ts): the others answer 403. */
const TECHNICIAN_PATHS: ReadonlySet<string> = new Set(['/admin/reservations']);

function Screen({ path, session }: { path: string; session: Session }) {
  const detail = /^\/admin\/reservations\/(AC-[A-Z0-9]+)$/i.exec(path);
  if (detail) return <BookingDetailScreen session={session} code={detail[1]!} />;
  // A technician (Business plan) sees their own bookings only: the list is their home.
  if (session.me.role === 'technician' && !TECHNICIAN_PATHS.has(path)) return <BookingsScreen session={session} />;
  switch (path) {
    case '/admin':
      return <AgendaScreen session={session} />;
    case '/admin/reservations':
      return <BookingsScreen session={session} />;
    case '/admin/client':
      return <CustomerFileScreen key={location.search} session={session} search={location.search} />;
    case '/admin/nouvelle-reservation':
      return <PhoneBookingScreen session={session} />;
    case '/admin/horaires':
      return <HoursScreen session={session} />;
    case '/admin/prestations':
      return <ServicesScreen session={session} />;
    case '/admin/conges':
      return <TimeOffScreen session={session} />;
    case '/admin/calendriers':
      return <CalendarsScreen session={session} />;
    case '/admin/notifications':
      return <NotificationsScreen session={session} />;
    case '/admin/messages':
      return <MessagesScreen session={session} />;
    case '/admin/entretiens':
      return <DueVisitsScreen session={session} />;
    case '/admin/paiements':
      return <PaymentsScreen session={session} />;
    case '/admin/compte':
      return <AccountScreen session={session} />;
    case '/admin/integration':
      return <EmbedScreen session={session} />;
    case '/admin/integrations':
      return <IntegrationsScreen session={session} />;
    case '/admin/equipe':
      return <TeamScreen session={session} />;
    default:
      return <p>Cette page n’existe pas. <Link href="/admin">Retour à l’agenda</Link></p>;
  }
}

/**
 * The menu. On a phone it folds behind a "Menu" button (aria-expanded) so the day shows on
 * the first screen; Escape closes it and gives the focus back to the button; choosing a
 * page closes it and puts the focus on the page's content. On wider screens it is always open.
 */
function AdminNav({ path, who, role }: { path: string; who: string; role?: string }) {
  const items = role === 'technician' ? ADMIN_NAV.filter(([href]) => TECHNICIAN_PATHS.has(href)) : ADMIN_NAV;
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const close = (focusButton: boolean) => {
    setOpen(false);
    if (focusButton) button.current?.focus();
  };
  return (
    <nav
      aria-label="Espace artisan"
      class="wrap admin-nav"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) close(true);
      }}
    >
      <button ref={button} type="button" class="secondary menu-toggle" aria-expanded={open} aria-controls="admin-menu" onClick={() => setOpen(!open)}>
        Menu
      </button>
      <ul id="admin-menu" class={`plain${open ? ' open' : ''}`}>
        <li class="who-in-menu">{who}</li>
        {items.map(([href, label]) => (
          <li key={href}>
            <Link
              href={href}
              current={href === path || (href === '/admin/reservations' && (path.startsWith('/admin/reservations/') || path === '/admin/client'))}
              onNavigate={() => {
                if (!open) return;
                close(false);
                document.getElementById('contenu')?.focus();
              }}
            >
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

type State = { kind: 'loading' } | { kind: 'setup' } | { kind: 'login' } | { kind: 'in'; session: Session; wizard: boolean } | { kind: 'error'; message: string };

export function AdminApp() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const path = usePath();

  const refresh = async () => {
    try {
      const status = await call(anonymous.GET('/api/setup/status'));
      if (status.setupRequired) return setState({ kind: 'setup' });
      const me = await anonymous.GET('/api/admin/me');
      if (me.response.status === 401) return setState({ kind: 'login' });
      if (!me.data) throw Object.assign(new Error('me'), { api: errorOf(me.error) });
      setState({ kind: 'in', session: sessionFor(me.data), wizard: setupWizardOpen(me.data) });
    } catch (e) {
      setState({ kind: 'error', message: errorOf(e).message });
    }
  };
  useEffect(() => void refresh(), []);

  const signedIn = (me: Me, wizard = false) => setState({ kind: 'in', session: sessionFor(me), wizard });
  const logout = async () => {
    if (state.kind !== 'in') return;
    await state.session.api.POST('/api/admin/logout').catch(() => undefined);
    navigate('/admin');
    setState({ kind: 'login' });
  };

  // "Mot de passe oublié": reached signed out, from the sign-in screen or the e-mailed link.
  const token = new URLSearchParams(location.search).get('token');
  const resetPage =
    path === '/admin/mot-de-passe' && token ? (
      <NewPasswordForm space="admin" token={token} backHref="/admin" />
    ) : path === '/admin/mot-de-passe-oublie' ? (
      <ForgotPasswordForm space="admin" backHref="/admin" />
    ) : undefined;
  if (resetPage) {
    return (
      <>
        <header class="site admin-head">
          <div class="wrap head-row">
            <p class="brand">ArtisanConnect — espace artisan</p>
          </div>
        </header>
        <main class="wrap admin-main" id="contenu" tabIndex={-1}>
          {resetPage}
        </main>
      </>
    );
  }

  return (
    <>
      <a class="skip" href="#contenu">
        Aller au contenu
      </a>
      <header class="site admin-head">
        <div class="wrap head-row">
          <div>
            <p class="brand">ArtisanConnect — espace artisan</p>
            {state.kind === 'in' && <p class="who">{state.session.me.displayName} ({state.session.me.email})</p>}
          </div>
          {state.kind === 'in' && (
            <button type="button" class="secondary" onClick={logout}>
              Se déconnecter
            </button>
          )}
        </div>
        {state.kind === 'in' && !state.wizard && <AdminNav path={path} who={`${state.session.me.displayName} (${state.session.me.email})`} role={state.session.me.role} />}
      </header>
      <main class="wrap admin-main" id="contenu" tabIndex={-1}>
        {state.kind === 'loading' && <p>Chargement…</p>}
        {state.kind === 'error' && <Alert kind="err" text={state.message} />}
        {state.kind === 'in' && state.session.me.suspended && (
          <p class="msg err" role="status">
            {SUSPENDED_BANNER}
          </p>
        )}
        {state.kind === 'setup' && <SetupWizard onDone={(me) => signedIn(me, true)} />}
        {state.kind === 'login' && <LoginScreen onSignedIn={(me) => signedIn(me)} />}
        {state.kind === 'in' && state.wizard && <SetupWizard session={state.session} onDone={() => setState({ ...state, wizard: false })} />}
        {state.kind === 'in' && !state.wizard && <Screen path={path} session={state.session} />}
      </main>
    </>
  );
}
