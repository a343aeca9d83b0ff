import { useState } from 'preact/hooks';
import { euros } from '../shared/format';
import { call, errorOf, type Session } from './lib';

/**
 * Cancelling a booking from the back office asks who cancels: the artisan (the deposit is
 * refunded in full) or the customer who called (their cancellation policy applies, as if they
 * had cancelled online). The reason is sent to the customer either way.
 */
export function CancelForm(props: { session: Session; code: string; depositCents: number; onDone: (notice: string) => void; onError: (message: string) => void }) {
  const [who, setWho] = useState<'artisan' | 'customer'>('artisan');
  const [reason, setReason] = useState('');
  const cancel = async () => {
    try {
      const r = await call(
        props.session.api.POST('/api/admin/bookings/{publicCode}/cancel', {
          params: { path: { publicCode: props.code } },
          body: { onBehalfOfCustomer: who === 'customer', ...(reason.trim() ? { reason: reason.trim() } : {}) },
        }),
      );
      props.onDone(`Rendez-vous annulé. Remboursement au client : ${euros(r.refund.refundCents)}.`);
    } catch (e) {
      props.onError(errorOf(e).message);
    }
  };
  const deposit = euros(props.depositCents);
  return (
    <section class="card" aria-labelledby="cancel-h">
      <h2 id="cancel-h">Annuler ce rendez-vous</h2>
      <fieldset>
        <legend>Qui annule ?</legend>
        <label class="check">
          <input type="radio" name="cancel-who" value="artisan" checked={who === 'artisan'} onChange={() => setWho('artisan')} />
          <span>
            Vous annulez :{' '}
            {props.depositCents === 0 ? 'aucun acompte n’a été versé, rien à rembourser.' : <>l’acompte de <strong>{deposit}</strong> est <strong>intégralement remboursé</strong>.</>}
          </span>
        </label>
        <label class="check">
          <input type="radio" name="cancel-who" value="customer" checked={who === 'customer'} onChange={() => setWho('customer')} />
          <span>
            Le client annule (il vous a prévenu, par exemple par téléphone) :{' '}
            {props.depositCents === 0 ? 'aucun acompte n’a été versé.' : <>ses conditions d’annulation s’appliquent à l’acompte de {deposit}, comme s’il annulait en ligne maintenant.</>}
          </span>
        </label>
      </fieldset>
      <p class="hint">Le client est informé de l’annulation par e-mail (et SMS s’il l’a accepté).</p>
      <label for="cancel-reason">Motif (facultatif, transmis au client)</label>
      <textarea id="cancel-reason" value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      <div class="actions">
        <button type="button" class="danger" onClick={cancel}>
          Confirmer l’annulation
        </button>
      </div>
    </section>
  );
}
