import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../../shared/components/Alert';
import { call, errorOf, type Session } from '../lib';
import { PaymentAccountSection } from './payment-account';

type CaptureStrategy = 'capture' | 'authorize';

const PAYMENT_PROVIDER_LABEL: Record<'stripe' | 'simulated', string> = {
  simulated: 'Paiements simulés (mode test)',
  stripe: 'Stripe',
};

const PAYMENT_PROVIDER_HINT: Record<'stripe' | 'simulated', string> = {
  simulated: 'Aucune carte n’est réellement débitée : les acomptes sont simulés, pour essayer le service.',
  stripe: 'Les acomptes sont payés par carte bancaire via Stripe et versés sur votre compte Stripe.',
};

const STRATEGIES: [value: CaptureStrategy, label: string, explanation: string][] = [
  [
    'capture',
    'Encaisser l’acompte à la réservation (recommandé)',
    'Le client est débité dès qu’il réserve. S’il annule, il est remboursé selon les règles de la prestation.',
  ],
  [
    'authorize',
    'Bloquer l’acompte, puis l’encaisser au début du rendez-vous',
    'La somme est seulement réservée sur la carte du client à la réservation, et encaissée quand le rendez-vous commence. Une réservation de carte ne dure qu’environ 7 jours : pour un rendez-vous plus lointain, l’acompte est encaissé dès la réservation.',
  ],
];

/**
 * Which payment provider runs, and when the deposit is taken (applies to bookings made
 * afterwards). The setup wizard shows it as a step, under its own heading.
 */
export function PaymentsScreen({ session, heading = <h1>Paiements</h1>, onSaved }: { session: Session; heading?: preact.ComponentChildren; onSaved?: () => void }) {
  const [provider, setProvider] = useState<'stripe' | 'simulated'>();
  const [strategy, setStrategy] = useState<CaptureStrategy>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    Promise.all([call(session.api.GET('/api/payments/config')), call(session.api.GET('/api/admin/payment-settings'))]).then(
      ([config, settings]) => {
        setProvider(config.provider);
        setStrategy(settings.captureStrategy);
      },
      (e) => setError(errorOf(e).message),
    );
  }, []);
  if (!provider || !strategy) return error ? <Alert kind="err" text={error} /> : <p>Chargement…</p>;
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    try {
      const saved = await call(session.api.PATCH('/api/admin/payment-settings', { body: { captureStrategy: strategy } }));
      setStrategy(saved.captureStrategy);
      setNotice('Réglage enregistré. Il vaut pour les prochaines réservations ; les acomptes déjà pris ne changent pas.');
      onSaved?.();
    } catch (err) {
      setError(errorOf(err).message);
    }
  };
  return (
    <>
      {heading}
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <section class="card" aria-labelledby="pay-provider">
        <h2 id="pay-provider">Prestataire de paiement</h2>
        <p>
          <strong>{PAYMENT_PROVIDER_LABEL[provider]}</strong>
        </p>
        <p class="hint">{PAYMENT_PROVIDER_HINT[provider]}</p>
      </section>
      <PaymentAccountSection session={session} />
      <form class="card" onSubmit={save}>
        <fieldset>
          <legend>Quand l’acompte est-il encaissé ?</legend>
          {STRATEGIES.map(([value, label, explanation]) => (
            <div key={value}>
              <label class="check">
                <input
                  type="radio"
                  name="captureStrategy"
                  value={value}
                  checked={strategy === value}
                  aria-describedby={`pay-${value}-hint`}
                  onChange={() => setStrategy(value)}
                />
                {label}
              </label>
              <p class="hint" id={`pay-${value}-hint`}>
                {explanation}
              </p>
            </div>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit">Enregistrer</button>
        </div>
      </form>
    </>
  );
}
