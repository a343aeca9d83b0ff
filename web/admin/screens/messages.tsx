import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { atInZone, call, errorOf, type Session } from '../lib';
import { phoneForReading, problemText } from '../../shared/wording';

const TOPIC_LABEL: Record<string, string> = {
  'notify.booking_confirmed': 'Confirmation',
  'notify.booking_cancelled': 'Annulation',
  'notify.booking_rescheduled': 'Déplacement',
  'notify.reminder': 'Rappel',
  'payment.settle': 'Règlement de l’acompte',
  'calendar.booking_changed': 'Calendrier',
  'maintenance.invite': 'Invitation à l’entretien',
};

/** The mailbox (what was sent, or kept without SMTP/Twilio) and the failed messages to retry. */
export function MessagesScreen({ session }: { session: Session }) {
  const [messages, setMessages] = useState<ResponseOf<'/api/admin/messages', 'get'>['messages']>([]);
  const [dead, setDead] = useState<ResponseOf<'/api/admin/outbox', 'get'>['jobs']>([]);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const load = async () => {
    try {
      setMessages((await call(session.api.GET('/api/admin/messages', { params: { query: { limit: 50, offset: 0 } } }))).messages);
      setDead((await call(session.api.GET('/api/admin/outbox', { params: { query: { status: 'dead', limit: 50, offset: 0 } } }))).jobs);
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  useEffect(() => void load(), []);
  return (
    <>
      <h1>Messages</h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <h2>Messages en échec</h2>
      {dead.length === 0 ? (
        <p>Aucun message en échec.</p>
      ) : (
        <ul class="plain">
          {dead.map((j) => (
            <li key={j.id} class="card">
              <p>
                <strong>{TOPIC_LABEL[j.topic] ?? j.topic}</strong> {j.bookingCode ? `— réservation ${j.bookingCode}` : ''} — {j.attempts} essais — demandé le{' '}
                <time dateTime={j.createdAt}>{atInZone(j.createdAt, session.me.timezone)}</time>
              </p>
              {j.lastError && <p class="hint">Dernière erreur : {problemText(j.lastError)}</p>}
              <button
                type="button"
                onClick={async () => {
                  try {
                    await call(session.api.POST('/api/admin/outbox/{id}/retry', { params: { path: { id: j.id } } }));
                    setNotice('Message relancé : il repart dans quelques secondes.');
                    await load();
                  } catch (e) {
                    setError(errorOf(e).message);
                  }
                }}
              >
                Réessayer ({TOPIC_LABEL[j.topic] ?? j.topic}{j.bookingCode ? ` ${j.bookingCode}` : ''})
              </button>
            </li>
          ))}
        </ul>
      )}
      <h2>Derniers messages</h2>
      <ul class="plain">
        {messages.map((m) => (
          <li key={m.id} class="card">
            <details>
              <summary>
                {m.channel === 'sms' ? 'SMS' : 'E-mail'} à {m.channel === 'sms' ? phoneForReading(m.to) : m.to} — {m.subject ?? m.text.slice(0, 60)} (<time dateTime={m.createdAt}>{atInZone(m.createdAt, session.me.timezone)}</time>)
              </summary>
              <pre class="terms">{m.text}</pre>
            </details>
          </li>
        ))}
      </ul>
    </>
  );
}
