import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { addDays, frenchTime, instantInZone, longDate } from '../../shared/format';
import { addressForReading, agendaMarkText, amountDueText, bookingStatusLabel, phoneForReading } from '../../shared/wording';
import { FailedMessages } from '../failed-messages';
import { SetupChecklist } from '../checklist';
import { DAY_NAMES, call, errorOf, navigate, type Session } from '../lib';
import { TodaySection } from './today';

/** A booking as the week agenda gives it (GET /api/admin/agenda): what a line shows. */
type AgendaBooking = ResponseOf<'/api/admin/agenda', 'get'>['bookings'][number];
type Mark = ResponseOf<'/api/admin/agenda/closures', 'get'>['marks'][number];

/** A day's closures, days off and public holiday (GET /api/admin/agenda/closures), as the agenda says them. */
function DayMarks({ marks }: { marks: Mark[] }) {
  if (marks.length === 0) return null;
  return (
    <ul class="plain day-marks">
      {marks.map((m, i) => (
        <li key={i} class={`day-mark ${m.kind}`}>
          {agendaMarkText(m, frenchTime)}
        </li>
      ))}
    </ul>
  );
}

export const mondayOf = (date: string): string => {
  const d = new Date(`${date}T00:00:00Z`);
  return addDays(date, -((d.getUTCDay() + 6) % 7));
};

/** Prints one part of the screen: the day sheet or the week (admin.css reads `data-print`). */
export function printPart(part: 'day' | 'week'): void {
  const root = document.documentElement;
  root.dataset.print = part;
  addEventListener('afterprint', () => delete root.dataset.print, { once: true });
  print();
}

function BookingLine({ b, zone }: { b: AgendaBooking; zone: string }) {
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
      <strong>{frenchTime(b.time)}</strong>
      <span class="print-only"> – {frenchTime(instantInZone(Date.parse(b.endDateTime), zone).time)}</span> {b.serviceName} — {b.customer.name}
      {b.customer.city && <span> ({b.customer.city})</span>}
      {b.customer.phone && <span class="print-only">, {phoneForReading(b.customer.phone)}</span>}
      {/* The week sheet carries what the day sheet does: where to go and what is left to collect. */}
      {b.customer.address && <span class="print-only print-line">{addressForReading(b.customer.address)}</span>}
      <span class="print-only print-line">{amountDueText(b.amountDueCents)}</span>
      {b.channel === 'phone' && <span class="tag">téléphone</span>}
      {b.status !== 'confirmed' && <span class="tag">{bookingStatusLabel(b.status)}</span>}
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
  const [marks, setMarks] = useState<Mark[]>([]);
  const [todayMarks, setTodayMarks] = useState<Mark[]>([]);
  useEffect(() => {
    if (!monday) return;
    call(session.api.GET('/api/admin/agenda/closures', { params: { query: { from: monday, to: addDays(monday, 6) } } })).then(
      (r) => setMarks(r.marks),
      (e) => setError(errorOf(e).message),
    );
  }, [monday]);
  useEffect(() => {
    if (!today) return;
    call(session.api.GET('/api/admin/agenda/closures', { params: { query: { from: today, to: today } } })).then(
      (r) => setTodayMarks(r.marks),
      (e) => setError(errorOf(e).message),
    );
  }, [today]);
  if (!monday || !today) return error ? <Alert kind="err" text={error} /> : <p>Chargement de l’agenda…</p>;
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  const move = (days: number) => setMonday(addDays(monday, days));
  return (
    <>
      <h1>Agenda</h1>
      <SetupChecklist session={session} />
      {error && <Alert kind="err" text={error} />}
      <FailedMessages session={session} />
      <div class="day-part">
        <DayMarks marks={todayMarks} />
        <TodaySection session={session} />
        <p class="actions no-print">
          <button type="button" class="secondary" onClick={() => printPart('day')}>
            Imprimer la journée
          </button>
        </p>
      </div>
      <div class="week-part">
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
      <p class="hint no-print">
        <span id="week-keys" class="keyboard-hint">Flèches gauche et droite sur le titre : semaine précédente ou suivante. </span>
        <button type="button" class="linklike" onClick={() => setMonday(mondayOf(today))}>
          Revenir à cette semaine
        </button>{' '}
        <button type="button" class="linklike" onClick={() => printPart('week')}>
          Imprimer la semaine
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
              <DayMarks marks={marks.filter((m) => m.date === day)} />
              {list.length === 0 ? (
                <p class="hint">—</p>
              ) : (
                <ul class="plain">
                  {list.map((b) => (
                    <li key={b.publicCode}>
                      <BookingLine b={b} zone={session.me.timezone} />
                    </li>
                  ))}
                </ul>
              )}
            </section>
          );
        })}
      </div>
      </div>
    </>
  );
}
