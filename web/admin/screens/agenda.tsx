import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { addDays, frenchTime, longDate } from '../../shared/format';
import { SetupChecklist } from '../checklist';
import { DAY_NAMES, STATUS_LABEL, call, errorOf, navigate, type Session } from '../lib';

/** A booking as the week agenda gives it (GET /api/admin/agenda): what a line shows. */
type AgendaBooking = ResponseOf<'/api/admin/agenda', 'get'>['bookings'][number];

export const mondayOf = (date: string): string => {
  const d = new Date(`${date}T00:00:00Z`);
  return addDays(date, -((d.getUTCDay() + 6) % 7));
};

function BookingLine({ b }: { b: AgendaBooking }) {
  const href = `/admin/reservations/${b.publicCode}`;
  return (
    <a
      class="booking-line"
      href={href}
      onClick={(e) => {
        e.preventDefault();
        navigate(href);
      }}
    >
      <strong>{frenchTime(b.time)}</strong> {b.serviceName} — {b.customer.name}
      {b.channel === 'phone' && <span class="tag">téléphone</span>}
      {b.status !== 'confirmed' && <span class="tag">{STATUS_LABEL[b.status]}</span>}
    </a>
  );
}

/**
 * Today and the week, one request per week (GET /api/admin/agenda). Keyboard: every booking
 * is a link; "Semaine précédente / suivante" buttons, and ← / → on the week heading.
 */
export function AgendaScreen({ session }: { session: Session }) {
  const [monday, setMonday] = useState<string>();
  const [today, setToday] = useState<string>();
  const [week, setWeek] = useState<ResponseOf<'/api/admin/agenda', 'get'>>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    // The first read has no date: the service says which week (and day) it is for the artisan.
    setError(undefined);
    call(session.api.GET('/api/admin/agenda', { params: { query: monday ? { week: monday } : {} } })).then(
      (r) => {
        setWeek(r);
        if (!monday) {
          setToday(r.today);
          setMonday(r.from);
        }
      },
      (e) => setError(errorOf(e).message),
    );
  }, [monday]);
  if (!monday || !today) return error ? <Alert kind="err" text={error} /> : <p>Chargement de l’agenda…</p>;
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  const todays = week?.bookings.filter((b) => b.date === today) ?? [];
  const move = (days: number) => setMonday(addDays(monday, days));
  return (
    <>
      <h1>Agenda</h1>
      <SetupChecklist session={session} />
      {error && <Alert kind="err" text={error} />}
      <section class="card" aria-labelledby="today-h">
        <h2 id="today-h">Aujourd’hui, {longDate(today)}</h2>
        {week && todays.length === 0 && <p>Aucun rendez-vous aujourd’hui.</p>}
        <ul class="plain">
          {todays.map((b) => (
            <li key={b.publicCode}>
              <BookingLine b={b} />
            </li>
          ))}
        </ul>
      </section>
      <div class="week-nav">
        <button type="button" class="secondary" onClick={() => move(-7)}>
          ← Semaine précédente
        </button>
        <h2
          id="week-h"
          tabIndex={0}
          aria-describedby="week-keys"
          onKeyDown={(e) => {
            if (e.key === 'ArrowLeft') move(-7);
            if (e.key === 'ArrowRight') move(7);
          }}
        >
          Semaine du {longDate(monday)}
        </h2>
        <button type="button" class="secondary" onClick={() => move(7)}>
          Semaine suivante →
        </button>
      </div>
      <p class="hint" id="week-keys">
        Flèches gauche et droite sur le titre : semaine précédente ou suivante.{' '}
        <button type="button" class="linklike" onClick={() => setMonday(mondayOf(today))}>
          Revenir à cette semaine
        </button>
      </p>
      {!week && !error && <p>Chargement…</p>}
      <div class="week" aria-live="polite">
        {days.map((day) => {
          const list = week?.bookings.filter((b) => b.date === day) ?? [];
          return (
            <section key={day} class={`day${day === today ? ' is-today' : ''}`} aria-label={longDate(day)}>
              <h3>
                {DAY_NAMES[new Date(`${day}T00:00:00Z`).getUTCDay()]} {Number(day.slice(8))}
              </h3>
              {list.length === 0 ? (
                <p class="hint">—</p>
              ) : (
                <ul class="plain">
                  {list.map((b) => (
                    <li key={b.publicCode}>
                      <BookingLine b={b} />
                    </li>
                  ))}
                </ul>
              )}
            </section>
          );
        })}
      </div>
    </>
  );
}
