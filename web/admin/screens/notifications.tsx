import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { Field } from '../field';
import { call, errorOf, type Session } from '../lib';

export function NotificationsScreen({ session }: { session: Session }) {
  const [s, setS] = useState<ResponseOf<'/api/admin/notification-settings', 'get'>>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    call(session.api.GET('/api/admin/notification-settings')).then(setS, (e) => setError(errorOf(e).message));
  }, []);
  if (!s) return error ? <Alert kind="err" text={error} /> : <p>Chargement…</p>;
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const { reminderHoursBefore, notifyArtisanEmail, notifyArtisanSms, maintenanceInviteWeeks } = s;
      setS(await call(session.api.PATCH('/api/admin/notification-settings', { body: { reminderHoursBefore, notifyArtisanEmail, notifyArtisanSms, maintenanceInviteWeeks } })));
      setNotice('Réglages enregistrés. Les rappels et les invitations déjà prévus suivent les nouveaux délais.');
    } catch (err) {
      setError(errorOf(err).message);
    }
  };
  return (
    <>
      <h1>Notifications</h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <form class="card" onSubmit={save}>
        <Field
          id="n-hours"
          label="Rappel au client (heures avant le rendez-vous, 0 : aucun)"
          type="number"
          value={String(s.reminderHoursBefore)}
          onInput={(v) => setS({ ...s, reminderHoursBefore: Number(v) })}
        />
        <Field
          id="n-weeks"
          label="Invitation au prochain entretien (semaines avant l’échéance, de 1 à 26)"
          hint="Pour les prestations avec un intervalle d’entretien : le client est invité à réserver, puis relancé une fois 2 semaines après s’il n’a pas réservé."
          type="number"
          value={String(s.maintenanceInviteWeeks)}
          onInput={(v) => setS({ ...s, maintenanceInviteWeeks: Number(v) })}
        />
        <label class="check">
          <input type="checkbox" checked={s.notifyArtisanEmail} onChange={(e) => setS({ ...s, notifyArtisanEmail: (e.target as HTMLInputElement).checked })} />
          Me prévenir par e-mail des réservations, annulations et déplacements faits par les clients
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={s.notifyArtisanSms}
            disabled={!s.smsInPlan}
            aria-describedby="n-sms-hint"
            onChange={(e) => setS({ ...s, notifyArtisanSms: (e.target as HTMLInputElement).checked })}
          />
          Me prévenir aussi par SMS (au numéro de mon compte)
        </label>
        <p class="hint" id="n-sms-hint">
          {s.smsInPlan ? 'Un SMS court à chaque nouvelle réservation, annulation ou déplacement fait par un client.' : 'Les SMS ne sont pas compris dans votre formule : les alertes restent par e-mail.'}
        </p>
        <div class="actions">
          <button type="submit">Enregistrer</button>
        </div>
      </form>
    </>
  );
}
