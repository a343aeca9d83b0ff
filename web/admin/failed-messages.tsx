import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../shared/api/client';
import { Alert } from '../shared/components/Alert';
import { whenInZone } from '../shared/format';
import { FAILED_MESSAGE_WORDS } from '../shared/wording';
import { call, errorOf, navigate, type Session } from './lib';

type FailedMessage = ResponseOf<'/api/admin/failed-messages', 'get'>['failedMessages'][number];

/**
 * The messages that could not be sent (GET /api/admin/failed-messages), in French, each with a
 * "Renvoyer" button: on one booking (`bookingCode`), or on the agenda for every booking to come.
 * Shows nothing when every message went out.
 */
export function FailedMessages({ session, bookingCode }: { session: Session; bookingCode?: string }) {
  const [items, setItems] = useState<FailedMessage[]>([]);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const load = () =>
    call(session.api.GET('/api/admin/failed-messages', { params: { query: bookingCode ? { bookingCode } : {} } })).then(
      (r) => setItems(r.failedMessages),
      (e) => {
        // A technician may not read the business's messages: nothing to show them, not an error.
        const err = errorOf(e);
        if (err.status !== 403) setError(err.message);
      },
    );
  useEffect(() => void load(), [bookingCode]);
  const retry = async (m: FailedMessage) => {
    setError(undefined);
    try {
      await call(session.api.POST('/api/admin/failed-messages/{id}/retry', { params: { path: { id: m.id } } }));
      setNotice(FAILED_MESSAGE_WORDS.retried);
      await load();
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  if (items.length === 0) return notice || error ? <>{notice && <Alert kind="ok" text={notice} />}{error && <Alert kind="err" text={error} />}</> : null;
  return (
    <section class="card failed-messages" aria-labelledby={`failed-h${bookingCode ?? ''}`}>
      <h2 id={`failed-h${bookingCode ?? ''}`}>{FAILED_MESSAGE_WORDS.heading}</h2>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <ul class="plain">
        {items.map((m) => {
          const href = `/admin/reservations/${m.bookingCode}`;
          return (
            <li key={m.id} class="failed-message">
              {m.texts.map((text) => (
                <p key={text}>
                  <strong>{text}</strong>
                </p>
              ))}
              {!bookingCode && (
                <p>
                  <a
                    href={href}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(href);
                    }}
                  >
                    Réservation {m.bookingCode}
                  </a>{' '}
                  — {m.customerName}, {whenInZone(Date.parse(m.bookingStartDateTime), session.me.timezone)}
                </p>
              )}
              <p class="hint">{m.state === 'dead' ? FAILED_MESSAGE_WORDS.dead : FAILED_MESSAGE_WORDS.retrying}</p>
              <button type="button" onClick={() => void retry(m)}>
                {FAILED_MESSAGE_WORDS.retry}
                <span class="visually-hidden"> : {m.texts[0]}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
