import { useEffect, useRef, useState } from 'preact/hooks';
import { Alert } from '../shared/components/Alert';
import { fieldErrors } from '../shared/api/client';
import { addDays, duration, euros, frenchTime, longDate } from '../shared/format';
import { Field } from './screens-access';
import { DAY_NAMES, PAYMENT_LABEL, STATUS_LABEL, atInZone, call, errorOf, navigate, type Session } from './lib';

export interface AdminBooking {
  publicCode: string;
  status: string;
  serviceId: string;
  serviceName: string;
  startDateTime: string;
  date: string;
  time: string;
  durationMinutes: number;
  priceCents: number;
  channel: string;
  cancelledBy: string | null;
  refundCents: number;
  customer: { name: string; email: string; phone?: string; address?: { street: string; postalCode: string; city: string } };
  deposit: { amountCents: number; paymentStatus: string; refundedCents: number; paymentIntentId?: string | null };
  notifications: { email: boolean; sms: boolean };
  createdAt: string;
}

/** A booking as the week agenda gives it (GET /api/admin/agenda): what a line shows. */
export interface AgendaBooking {
  publicCode: string;
  status: string;
  channel: string;
  serviceName: string;
  startDateTime: string;
  date: string;
  time: string;
  customer: { name: string; phone?: string; city?: string };
}

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
  const [week, setWeek] = useState<{ from: string; to: string; bookings: AgendaBooking[] }>();
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

/** The list with date range, status filters and search, paged. */
export function BookingsScreen({ session }: { session: Session }) {
  const [filters, setFilters] = useState({ from: '', to: '', q: '', status: '' });
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<{ bookings: AdminBooking[]; total: number; pageSize: number }>();
  const [error, setError] = useState<string>();
  const load = async (p = page) => {
    setError(undefined);
    const query: Record<string, unknown> = { page: p, pageSize: 25 };
    if (filters.from) query.from = filters.from;
    if (filters.to) query.to = filters.to;
    if (filters.q.trim()) query.q = filters.q.trim();
    if (filters.status) query.status = [filters.status];
    try {
      setResult((await call(session.api.GET('/api/admin/bookings', { params: { query: query as never } }))) as typeof result);
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  useEffect(() => void load(1), []);
  const pages = result ? Math.max(1, Math.ceil(result.total / result.pageSize)) : 1;
  return (
    <>
      <h1>Réservations</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          void load(1);
        }}
      >
        <Field id="f-q" label="Rechercher (nom, e-mail, téléphone, code)" value={filters.q} onInput={(q) => setFilters({ ...filters, q })} />
        <Field id="f-from" label="Du" type="date" value={filters.from} onInput={(from) => setFilters({ ...filters, from })} />
        <Field id="f-to" label="Au" type="date" value={filters.to} onInput={(to) => setFilters({ ...filters, to })} />
        <label for="f-status">Statut</label>
        <select id="f-status" value={filters.status} onChange={(e) => setFilters({ ...filters, status: (e.target as HTMLSelectElement).value })}>
          <option value="">Tous</option>
          <option value="confirmed">Confirmé</option>
          <option value="rescheduled">Déplacé</option>
          <option value="cancelled">Annulé</option>
        </select>
        <div class="actions">
          <button type="submit">Filtrer</button>
        </div>
      </form>
      {error && <Alert kind="err" text={error} />}
      {result && (
        <>
          <p role="status">
            {result.total} réservation{result.total > 1 ? 's' : ''}
          </p>
          <div class="table-wrap">
            <table class="list">
              <caption class="visually-hidden">Réservations trouvées</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Client</th>
                  <th scope="col">Prestation</th>
                  <th scope="col">Statut</th>
                </tr>
              </thead>
              <tbody>
                {result.bookings.map((b) => (
                  <tr key={b.publicCode}>
                    <td>
                      <a
                        href={`/admin/reservations/${b.publicCode}`}
                        onClick={(e) => {
                          e.preventDefault();
                          navigate(`/admin/reservations/${b.publicCode}`);
                        }}
                      >
                        {longDate(b.date)} à {frenchTime(b.time)}
                      </a>
                      <br />
                      <span class="hint">{b.publicCode}</span>
                    </td>
                    <td>{b.customer.name}</td>
                    <td>{b.serviceName}</td>
                    <td>
                      {STATUS_LABEL[b.status]}
                      {b.channel === 'phone' ? ' (téléphone)' : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {pages > 1 && (
            <div class="actions">
              <button type="button" class="secondary" disabled={page <= 1} onClick={() => (setPage(page - 1), void load(page - 1))}>
                Page précédente
              </button>
              <span>
                Page {page} sur {pages}
              </span>
              <button type="button" class="secondary" disabled={page >= pages} onClick={() => (setPage(page + 1), void load(page + 1))}>
                Page suivante
              </button>
            </div>
          )}
        </>
      )}
    </>
  );
}

const HISTORY_LABEL: Record<string, string> = {
  hold_taken: 'Créneau réservé',
  confirmed: 'Confirmée',
  payment_declined: 'Paiement refusé',
  rescheduled: 'Déplacée',
  cancelled: 'Annulée',
  deposit_settled: 'Acompte réglé',
  customer_erased: 'Données client effacées',
};
const ACTOR_LABEL = (actor: string): string =>
  actor === 'customer' ? 'le client' : actor === 'artisan' ? 'vous' : actor === 'system' ? 'le système' : actor.startsWith('token:') ? `jeton « ${actor.slice(6)} »` : actor;

/** Free slots of a day for a service, as buttons (the same picker for moving and phone bookings). */
export function SlotPicker({ session, serviceId, onPick, picked, idPrefix }: { session: Session; serviceId: string; picked?: { date: string; time: string }; onPick: (s: { date: string; time: string }) => void; idPrefix: string }) {
  const [date, setDate] = useState('');
  const [slots, setSlots] = useState<string[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!date || !serviceId) return;
    setSlots(undefined);
    setError(undefined);
    call(session.api.GET('/api/admin/availability', { params: { query: { serviceId, date } } })).then(
      (r) => setSlots((r as { slots: { time: string; available: boolean }[] }).slots.filter((s) => s.available).map((s) => s.time)),
      (e) => setError(errorOf(e).message),
    );
  }, [date, serviceId]);
  return (
    <fieldset class="card">
      <legend>Nouveau créneau</legend>
      <Field id={`${idPrefix}-date`} label="Jour" type="date" value={date} onInput={setDate} />
      {error && <Alert kind="err" text={error} focus={false} />}
      {slots && slots.length === 0 && <p>Aucun créneau libre ce jour-là.</p>}
      {slots && slots.length > 0 && (
        <div class="slots" role="group" aria-label={`Créneaux libres le ${longDate(date)}`}>
          {slots.map((time) => (
            <button key={time} type="button" aria-pressed={picked?.date === date && picked.time === time} onClick={() => onPick({ date, time })}>
              {frenchTime(time)}
            </button>
          ))}
        </div>
      )}
    </fieldset>
  );
}

/** One booking: everything about it, its history, and cancel / move. */
export function BookingDetailScreen({ session, code }: { session: Session; code: string }) {
  const [data, setData] = useState<{
    booking: AdminBooking;
    history: { at: string; type: string; actor: string; data: Record<string, unknown> }[];
    consent: { acceptedAt: string; termsVersion: string | null } | null;
  }>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [mode, setMode] = useState<'none' | 'cancel' | 'move'>('none');
  const [reason, setReason] = useState('');
  const [slot, setSlot] = useState<{ date: string; time: string }>();
  const heading = useRef<HTMLHeadingElement>(null);
  const load = () =>
    call(session.api.GET('/api/admin/bookings/{publicCode}', { params: { path: { publicCode: code } } })).then(
      (r) => setData(r as typeof data),
      (e) => setError(errorOf(e).message),
    );
  useEffect(() => void load(), [code]);
  if (error && !data) return <Alert kind="err" text={error} />;
  if (!data) return <p>Chargement…</p>;
  const b = data.booking;
  const active = b.status !== 'cancelled';
  const cancel = async () => {
    try {
      const r = await call(session.api.POST('/api/admin/bookings/{publicCode}/cancel', { params: { path: { publicCode: code } }, body: reason.trim() ? { reason: reason.trim() } : {} }));
      setNotice(`Rendez-vous annulé. Remboursement au client : ${euros((r as { refund: { refundCents: number } }).refund.refundCents)}.`);
      setMode('none');
      await load();
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  const move = async () => {
    if (!slot) return;
    try {
      await call(session.api.POST('/api/admin/bookings/{publicCode}/reschedule', { params: { path: { publicCode: code } }, body: { newDate: slot.date, newTime: slot.time } }));
      setNotice(`Rendez-vous déplacé au ${longDate(slot.date)} à ${frenchTime(slot.time)}.`);
      setMode('none');
      setSlot(undefined);
      await load();
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  return (
    <>
      <h1 ref={heading}>
        Réservation {b.publicCode} — {STATUS_LABEL[b.status]}
      </h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <section class="card">
        <h2>Rendez-vous</h2>
        <dl class="facts">
          <dt>Date</dt>
          <dd>
            {longDate(b.date)} à {frenchTime(b.time)}
          </dd>
          <dt>Prestation</dt>
          <dd>
            {b.serviceName} ({duration(b.durationMinutes)}, {euros(b.priceCents)})
          </dd>
          <dt>Prise</dt>
          <dd>{b.channel === 'phone' ? 'par téléphone (par vous)' : 'en ligne'}</dd>
        </dl>
      </section>
      <section class="card">
        <h2>Client</h2>
        <dl class="facts">
          <dt>Nom</dt>
          <dd>{b.customer.name}</dd>
          <dt>E-mail</dt>
          <dd>{b.customer.email}</dd>
          <dt>Téléphone</dt>
          <dd>{b.customer.phone ?? '—'}</dd>
          <dt>Adresse d’intervention</dt>
          <dd>{b.customer.address ? `${b.customer.address.street}, ${b.customer.address.postalCode} ${b.customer.address.city}` : '—'}</dd>
          <dt>Consentement</dt>
          <dd>
            E-mails {b.notifications.email ? 'acceptés' : 'refusés'}, SMS {b.notifications.sms ? 'acceptés' : 'refusés'}
            {data.consent && (
              <>
                <br />
                Conditions d’annulation et de vente acceptées le <time dateTime={data.consent.acceptedAt}>{atInZone(data.consent.acceptedAt, session.me.timezone)}</time>
              </>
            )}
          </dd>
        </dl>
      </section>
      <section class="card">
        <h2>Paiement</h2>
        <dl class="facts">
          <dt>Acompte</dt>
          <dd>
            {euros(b.deposit.amountCents)} ({PAYMENT_LABEL[b.deposit.paymentStatus] ?? b.deposit.paymentStatus})
          </dd>
          <dt>Remboursé</dt>
          <dd>{euros(b.status === 'cancelled' ? b.refundCents : b.deposit.refundedCents)}</dd>
        </dl>
      </section>
      {active && (
        <div class="actions">
          <button type="button" class="secondary" aria-expanded={mode === 'move'} onClick={() => setMode(mode === 'move' ? 'none' : 'move')}>
            Déplacer
          </button>
          <button type="button" class="danger" aria-expanded={mode === 'cancel'} onClick={() => setMode(mode === 'cancel' ? 'none' : 'cancel')}>
            Annuler le rendez-vous
          </button>
        </div>
      )}
      {mode === 'cancel' && (
        <section class="card" aria-labelledby="cancel-h">
          <h2 id="cancel-h">Annuler ce rendez-vous</h2>
          <p class="policy">
            Vous annulez : l’acompte de <strong>{euros(b.deposit.amountCents)}</strong> sera <strong>intégralement remboursé</strong> au client, qui en est
            informé.
          </p>
          <label for="cancel-reason">Motif (facultatif, transmis au client)</label>
          <textarea id="cancel-reason" value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          <div class="actions">
            <button type="button" class="danger" onClick={cancel}>
              Confirmer l’annulation
            </button>
          </div>
        </section>
      )}
      {mode === 'move' && (
        <section class="card" aria-labelledby="move-h">
          <h2 id="move-h">Déplacer ce rendez-vous</h2>
          <SlotPicker session={session} serviceId={b.serviceId} picked={slot} onPick={setSlot} idPrefix="move" />
          <div class="actions">
            <button type="button" disabled={!slot} onClick={move}>
              {slot ? `Déplacer au ${longDate(slot.date)} à ${frenchTime(slot.time)}` : 'Choisissez un créneau'}
            </button>
          </div>
        </section>
      )}
      <section class="card">
        <h2>Historique</h2>
        <ol class="history">
          {data.history.map((h, i) => (
            <li key={i}>
              <time dateTime={h.at}>{atInZone(h.at, session.me.timezone)}</time> — {HISTORY_LABEL[h.type] ?? h.type}, par {ACTOR_LABEL(h.actor)}
              {typeof h.data.reason === 'string' ? ` (motif : ${h.data.reason})` : ''}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

/** A booking taken by phone: service, slot, customer; no deposit asked. */
export function PhoneBookingScreen({ session }: { session: Session }) {
  const [services, setServices] = useState<{ id: string; name: string; isActive: boolean }[]>();
  const [serviceId, setServiceId] = useState('');
  const [slot, setSlot] = useState<{ date: string; time: string }>();
  const [customer, setCustomer] = useState({ name: '', email: '', phone: '', street: '', postalCode: '', city: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  useEffect(() => {
    call(session.api.GET('/api/admin/services')).then(
      (r) => {
        const active = (r as { services: { id: string; name: string; isActive: boolean }[] }).services.filter((s) => s.isActive);
        setServices(active);
        setServiceId(active[0]?.id ?? '');
      },
      (e) => setError(errorOf(e).message),
    );
  }, []);
  const set = (key: keyof typeof customer) => (value: string) => setCustomer({ ...customer, [key]: value });
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!slot) return setError('Choisissez un créneau.');
    setError(undefined);
    setErrors({});
    const address = customer.street.trim() ? { street: customer.street, postalCode: customer.postalCode, city: customer.city } : undefined;
    try {
      const r = await call(
        session.api.POST('/api/admin/bookings', {
          body: {
            serviceId,
            date: slot.date,
            time: slot.time,
            customer: { name: customer.name, email: customer.email, ...(customer.phone.trim() ? { phone: customer.phone } : {}), ...(address ? { address } : {}) },
            notifications: { email: true, sms: false },
            collectDeposit: false,
          },
        }),
      );
      navigate(`/admin/reservations/${(r as { booking: { publicCode: string } }).booking.publicCode}`);
    } catch (err) {
      const api = errorOf(err);
      setError(api.message);
      setErrors(fieldErrors(api));
    }
  };
  return (
    <>
      <h1>Réservation prise par téléphone</h1>
      <p class="hint">Sans acompte ; le client reçoit la confirmation par e-mail. Elle ne compte pas dans la limite de réservations en ligne.</p>
      {error && <Alert kind="err" text={error} />}
      {services && services.length === 0 && <p>Créez d’abord une prestation.</p>}
      <form onSubmit={submit}>
        <label for="pb-service">Prestation</label>
        <select id="pb-service" value={serviceId} onChange={(e) => (setServiceId((e.target as HTMLSelectElement).value), setSlot(undefined))}>
          {services?.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        {serviceId && <SlotPicker session={session} serviceId={serviceId} picked={slot} onPick={setSlot} idPrefix="pb" />}
        <fieldset class="card">
          <legend>Client</legend>
          <Field id="pb-name" label="Nom" value={customer.name} onInput={set('name')} error={errors['customer.name']} required />
          <Field id="pb-email" label="E-mail" type="email" value={customer.email} onInput={set('email')} error={errors['customer.email']} required />
          <Field id="pb-phone" label="Téléphone (facultatif)" type="tel" value={customer.phone} onInput={set('phone')} error={errors['customer.phone']} />
          <Field id="pb-street" label="Adresse d’intervention (facultatif)" value={customer.street} onInput={set('street')} error={errors['customer.address.street']} />
          <Field id="pb-postal" label="Code postal" value={customer.postalCode} onInput={set('postalCode')} error={errors['customer.address.postalCode']} />
          <Field id="pb-city" label="Ville" value={customer.city} onInput={set('city')} error={errors['customer.address.city']} />
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={!slot}>
            {slot ? `Enregistrer le rendez-vous du ${longDate(slot.date)} à ${frenchTime(slot.time)}` : 'Choisissez un créneau'}
          </button>
        </div>
      </form>
    </>
  );
}
