import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../../shared/components/Alert';
import { call, errorOf, type Session } from '../lib';

interface Account {
  accountId: string;
  detailsSubmitted: boolean;
  chargesEnabled: boolean;
}

/** Where the business's Stripe account stands, in the artisan's words. */
function stateText(account: Account | null): { title: string; hint: string } {
  if (!account) return { title: 'Aucun compte Stripe connecté', hint: 'Tant que votre compte Stripe n’est pas connecté, votre page ne prend pas d’acompte en ligne : elle invite vos clients à vous appeler.' };
  if (account.chargesEnabled) return { title: 'Compte Stripe connecté', hint: 'Les acomptes sont payés par carte et versés sur votre compte Stripe.' };
  if (account.detailsSubmitted) return { title: 'Compte Stripe en cours de vérification', hint: 'Stripe vérifie vos informations. Les acomptes en ligne seront possibles dès que Stripe autorise les paiements.' };
  return { title: 'Inscription chez Stripe à terminer', hint: 'Terminez le formulaire de Stripe pour prendre les acomptes en ligne.' };
}

/**
 * Stripe Connect (STRIPE_MODE=connect): the business connects its own Stripe account. The
 * button leads to Stripe's onboarding form (Account Link), which comes back here
 * (?stripe=retour), where the state is read again from Stripe. Nothing without Connect.
 */
export function PaymentAccountSection({ session }: { session: Session }) {
  const [state, setState] = useState<{ connect: boolean; account: Account | null }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const back = new URLSearchParams(location.search).has('stripe');
    call(session.api.GET('/api/admin/payment-account', { params: { query: back ? { refresh: true } : {} } })).then(setState, (e) => setError(errorOf(e).message));
  }, []);
  if (error && !state) return <Alert kind="err" text={error} />;
  if (!state?.connect) return null;
  const text = stateText(state.account);
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const link = await call(session.api.POST('/api/admin/payment-account/onboarding', {}));
      location.assign(link.url);
    } catch (e) {
      setError(errorOf(e).message);
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="pay-account">
      <h2 id="pay-account">Votre compte Stripe</h2>
      {error && <Alert kind="err" text={error} />}
      <p>
        <strong>{text.title}</strong>
      </p>
      <p class="hint">{text.hint}</p>
      {!state.account?.chargesEnabled && (
        <div class="actions">
          <button type="button" disabled={busy} onClick={start}>
            {state.account ? 'Terminer mon inscription chez Stripe' : 'Connecter mon compte Stripe'}
          </button>
        </div>
      )}
    </section>
  );
}
