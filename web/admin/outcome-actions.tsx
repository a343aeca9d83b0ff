import { useState } from 'preact/hooks';
import { call, errorOf, type Session } from './lib';

const DONE: Record<'completed' | 'no_show', string> = {
  completed: 'Intervention enregistrée comme réalisée.',
  no_show: 'Absence du client enregistrée : l’acompte reste acquis.',
};

/**
 * How the appointment went, once it has started: done, or the customer absent. The service
 * decides whether it has started (its clock, not the phone's) and says so if not.
 */
export function OutcomeActions(props: { session: Session; code: string; onDone: (notice: string) => void; onError: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  const record = async (outcome: 'completed' | 'no_show') => {
    setBusy(true);
    try {
      await call(props.session.api.POST('/api/admin/bookings/{publicCode}/outcome', { params: { path: { publicCode: props.code } }, body: { outcome } }));
      props.onDone(DONE[outcome]);
    } catch (e) {
      props.onError(errorOf(e).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="outcome-h">
      <h2 id="outcome-h">Issue du rendez-vous</h2>
      <p class="hint">À enregistrer une fois le rendez-vous commencé. Ensuite, il ne peut plus être annulé ni déplacé ; en cas d’absence, l’acompte reste acquis.</p>
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => record('completed')}>
          Intervention réalisée
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => record('no_show')}>
          Client absent
        </button>
      </div>
    </section>
  );
}
