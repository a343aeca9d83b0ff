import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import '../shared/styles.css';
import { businessBase, call, createApiClient, errorOf, type ResponseOf } from '../shared/api/client';
import { Alert } from '../shared/components/Alert';
import { Field } from '../shared/components/Field';
import { MonthCalendar, type DayInfo } from '../shared/components/MonthCalendar';
import { SlotPicker } from '../shared/components/SlotPicker';
import { mountRoot } from '../shared/embed';
import { duration, euros, frenchTime, longDate, parseYmd, ymd } from '../shared/format';
import { addressForReading } from '../../src/domain/reading-format.ts';

/** The customer's booking as the manage routes give it (by link token or by code + e-mail). */
type Booking = ResponseOf<'/api/bookings/manage', 'get'>['booking'];
/** Who the customer is: the manage link's token, or code + e-mail. */
type Who = { token: string } | { email: string };

const api = createApiClient({ business: true });
const STATUS: Record<string, string> = { confirmed: 'Confirmé', rescheduled: 'Déplacé', cancelled: 'Annulé', pending: 'En attente du paiement' };
/** Once the artisan has recorded how the appointment went. */
const OUTCOME: Record<string, string> = { completed: 'Intervention réalisée', no_show: 'Rendez-vous manqué (absence constatée) : l’acompte reste acquis' };
const PAYMENT: Record<string, string> = { pending: 'en attente', authorized: 'autorisé', captured: 'réglé', refunded: 'remboursé', failed: 'refusé' };

/** A cancelled deposit stays "authorized" until the refund is settled: say nothing stale then. */
function depositText(b: Booking): string {
  const d = b.deposit;
  if (!d.amountCents) return 'aucun';
  if (d.paymentStatus === 'refunded') return `${euros(d.amountCents)} (${d.refundedCents < d.amountCents ? `remboursé : ${euros(d.refundedCents)}` : 'remboursé'})`;
  if (b.status === 'cancelled' || !PAYMENT[d.paymentStatus]) return euros(d.amountCents);
  return `${euros(d.amountCents)} (${PAYMENT[d.paymentStatus]})`;
}

function refundPreview(b: Booking): string {
  const deposit = b.deposit.amountCents;
  const r = b.cancellationRefund;
  if (!deposit || !r) return 'Aucun acompte n’a été versé pour ce rendez-vous.';
  if (r.refundCents >= deposit) return `Si vous annulez maintenant, votre acompte de ${euros(deposit)} vous est intégralement remboursé.`;
  if (r.refundCents > 0) return `Si vous annulez maintenant, ${euros(r.refundCents)} de votre acompte vous sont remboursés et ${euros(r.retainedCents)} sont conservés.`;
  return `Si vous annulez maintenant, votre acompte de ${euros(deposit)} est conservé selon les conditions d’annulation.`;
}

function cancelOutcome(b: Booking, refund: { refundCents: number; retainedCents: number }): string {
  const deposit = b.deposit.amountCents;
  if (!deposit) return 'Votre rendez-vous est annulé.';
  if (refund.refundCents >= deposit) return `Votre rendez-vous est annulé. Votre acompte de ${euros(deposit)} vous est intégralement remboursé.`;
  if (refund.refundCents > 0) return `Votre rendez-vous est annulé. ${euros(refund.refundCents)} de votre acompte vous sont remboursés, ${euros(refund.retainedCents)} sont conservés selon les conditions d’annulation.`;
  return `Votre rendez-vous est annulé. Votre acompte de ${euros(deposit)} est conservé selon les conditions d’annulation.`;
}

function ManagePage() {
  const params = new URLSearchParams(location.search);
  const token = params.get('token') ?? '';
  const [who, setWho] = useState<Who | undefined>(token ? { token } : undefined);
  const [booking, setBooking] = useState<Booking | undefined>();
  const [loading, setLoading] = useState(!!token);
  const [message, setMessage] = useState<{ text: string; kind: 'ok' | 'err' } | undefined>(
    location.pathname.endsWith('/gerer') && !token ? { text: 'Ce lien ne contient pas de jeton de gestion. Utilisez le lien reçu par e-mail, ou votre code et votre e-mail ci-dessous.', kind: 'err' } : undefined,
  );
  const [code, setCode] = useState(params.get('code') ?? '');
  const [email, setEmail] = useState('');
  const [lookupErrors, setLookupErrors] = useState<Record<string, string>>({});

  /** Reads the booking; a code + e-mail lookup also answers with the manage link's token. */
  const lookup = async (w: Who, publicCode?: string): Promise<string | undefined> => {
    if ('token' in w) {
      setBooking((await call(api.GET('/api/bookings/manage', { params: { query: { token: w.token } } }))).booking);
      return w.token;
    }
    const r = await call(api.GET('/api/bookings/public', { params: { query: { code: publicCode ?? booking?.publicCode ?? '', email: w.email } } }));
    setBooking(r.booking);
    return new URL(r.links.manage, location.origin).searchParams.get('token') ?? undefined;
  };

  useEffect(() => {
    if (!token) return;
    lookup({ token }).then(
      () => setLoading(false),
      (e) => {
        setLoading(false);
        setMessage({ text: errorOf(e).message, kind: 'err' });
      },
    );
  }, []);

  const submitLookup = async (event: Event) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!code.trim()) errors.code = 'Indiquez votre code de réservation.';
    if (!email.trim()) errors.email = 'Indiquez votre adresse e-mail.';
    setLookupErrors(errors);
    if (Object.keys(errors).length) return;
    setMessage(undefined);
    try {
      const w = { email: email.trim() };
      const token = await lookup(w, code.trim());
      // The answer carries the manage link: browsing with its token counts against the
      // browsing budget, not the limit meant for guessing codes.
      setWho(token ? { token } : w);
    } catch (e) {
      const err = errorOf(e);
      const fields: Record<string, string> = {};
      for (const d of err.details ?? []) fields[d.field === 'email' ? 'email' : 'code'] = d.message;
      setLookupErrors(fields);
      setMessage({ text: err.message, kind: 'err' });
    }
  };

  return (
    <>
      <header class="site">
        <div class="wrap">
          <h1>Gérer mon rendez-vous</h1>
        </div>
      </header>
      <main class="wrap">
        {message && <Alert kind={message.kind} text={message.text} />}
        {loading && <p>Chargement de votre réservation…</p>}
        {!booking && !loading && !token && (
          <form onSubmit={submitLookup} noValidate aria-labelledby="lookup-title">
            <h2 id="lookup-title">Retrouver ma réservation</h2>
            <Field id="code" label="Code de réservation" required value={code} onInput={setCode} error={lookupErrors.code} hint="Il figure dans l’e-mail de confirmation, par exemple AC-7K3M9Q." />
            <Field id="email" type="email" label="Adresse e-mail" required value={email} onInput={setEmail} error={lookupErrors.email} autoComplete="email" />
            <div class="actions">
              <button type="submit">Voir ma réservation</button>
            </div>
          </form>
        )}
        {booking && who && <BookingView booking={booking} who={who} onChanged={(text) => lookup(who).then(() => setMessage({ text, kind: 'ok' }))} onError={(text) => setMessage({ text, kind: 'err' })} />}
      </main>
      <footer class="site">
        <a href="/">Prendre un autre rendez-vous</a>
      </footer>
    </>
  );
}

function BookingView(props: { booking: Booking; who: Who; onChanged(message: string): Promise<void>; onError(message: string): void }) {
  const b = props.booking;
  const a = b.customer.address;
  // A cancelled booking, or one whose outcome the artisan recorded, is no longer moved or cancelled online.
  const changeable = b.status !== 'cancelled' && !b.outcome;
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [busy, setBusy] = useState(false);
  // Month navigation is bounded from the artisan's today (the server's, never the visitor's clock).
  const [today, setToday] = useState(b.date);
  useEffect(() => {
    call(api.GET('/api/artisan')).then((r) => setToday(r.artisan.today), () => undefined);
  }, []);
  const [month, setMonth] = useState<{ y: number; m: number }>(() => {
    const { y, m } = parseYmd(b.date);
    return { y, m };
  });
  const [days, setDays] = useState<Record<string, DayInfo> | undefined>();
  const [date, setDate] = useState<string | undefined>(b.date);
  const [slots, setSlots] = useState<string[] | undefined>();
  const [target, setTarget] = useState<string | undefined>();
  const [reload, setReload] = useState(0);
  const whoQuery = props.who;
  const code = b.publicCode;
  // Too many requests: a countdown to the automatic retry, never a list left loading.
  const [waitUntil, setWaitUntil] = useState<number | undefined>();
  const [, setTick] = useState(0);
  useEffect(() => {
    if (waitUntil === undefined) return;
    const timer = setInterval(() => {
      if (Date.now() >= waitUntil) {
        setWaitUntil(undefined);
        setReload((n) => n + 1);
      } else setTick((n) => n + 1);
    }, 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);
  const loadFailed = (e: unknown) => {
    const err = errorOf(e);
    if (err.status === 429 && err.retryAfterSeconds) setWaitUntil((w) => w ?? Date.now() + err.retryAfterSeconds! * 1000);
    else props.onError(err.message);
  };
  const waitSeconds = waitUntil === undefined ? 0 : Math.max(1, Math.ceil((waitUntil - Date.now()) / 1000));

  useEffect(() => {
    if (!changeable) return;
    let live = true;
    setDays(undefined);
    call(api.GET('/api/bookings/{publicCode}/availability/days', { params: { path: { publicCode: code }, query: { from: ymd(month.y, month.m, 1), to: ymd(month.y, month.m + 1, 0), ...whoQuery } } })).then(
      (r) => live && setDays(Object.fromEntries(r.days.map((d) => [d.date, d]))),
      (e) => live && loadFailed(e),
    );
    return () => {
      live = false;
    };
  }, [month.y, month.m, changeable, reload]);

  useEffect(() => {
    if (!date || !changeable) return;
    let live = true;
    setSlots(undefined);
    call(api.GET('/api/bookings/{publicCode}/availability', { params: { path: { publicCode: code }, query: { date, ...whoQuery } } })).then(
      (r) => live && setSlots(r.slots.filter((s) => s.available).map((s) => s.time)),
      (e) => live && loadFailed(e),
    );
    return () => {
      live = false;
    };
  }, [date, changeable, reload]);

  const move = async () => {
    if (!date || !target) return;
    setBusy(true);
    try {
      const r = await call(api.POST('/api/bookings/{publicCode}/reschedule', { params: { path: { publicCode: code } }, body: { ...whoQuery, newDate: date, newTime: target } }));
      setTarget(undefined);
      setReload((n) => n + 1);
      await props.onChanged(`Votre rendez-vous est déplacé au ${longDate(r.booking.date)} à\u00a0${frenchTime(r.booking.time)}. Une confirmation vous est envoyée.`);
    } catch (e) {
      setTarget(undefined);
      setReload((n) => n + 1);
      props.onError(errorOf(e).message);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    setBusy(true);
    try {
      const r = await call(api.POST('/api/bookings/{publicCode}/cancel', { params: { path: { publicCode: code } }, body: whoQuery }));
      setConfirmCancel(false);
      await props.onChanged(cancelOutcome(r.booking, r.refund));
    } catch (e) {
      props.onError(errorOf(e).message);
    } finally {
      setBusy(false);
    }
  };

  const { y: ty, m: tm } = parseYmd(today);
  const monthsAhead = (month.y - ty) * 12 + (month.m - tm);
  return (
    <>
      <dl class="facts">
        <dt>Prestation</dt>
        <dd id="service">{b.serviceName}</dd>
        <dt>Date</dt>
        <dd id="when">
          {longDate(b.date)} à&nbsp;{frenchTime(b.time)}
        </dd>
        <dt>Durée</dt>
        <dd id="duration">{duration(b.durationMinutes)}</dd>
        {a && (
          <>
            <dt id="address-label">Adresse</dt>
            <dd id="address">
              {addressForReading(a)}
            </dd>
          </>
        )}
        <dt>Code</dt>
        <dd id="code">{b.publicCode}</dd>
        <dt>Statut</dt>
        <dd id="status">{b.outcome ? OUTCOME[b.outcome] : (STATUS[b.status] ?? b.status)}</dd>
        <dt>Acompte</dt>
        <dd id="deposit">{depositText(b)}</dd>
      </dl>
      {b.outcome === 'completed' && 'token' in props.who && (
        <p>
          <a href={`${businessBase()}/api/bookings/manage/report?token=${encodeURIComponent(props.who.token)}`} download>
            Télécharger le compte rendu d’intervention (PDF)
          </a>
          <br />
          <span class="hint">Disponible dès que l’artisan l’a établi ; il vous est aussi envoyé par e-mail.</span>
        </p>
      )}
      {changeable && (
        <>
          <section class="card" aria-labelledby="move-title">
            <h2 id="move-title">Déplacer le rendez-vous</h2>
            <MonthCalendar
              year={month.y}
              month={month.m}
              days={days}
              selected={date}
              onSelect={(d) => {
                setDate(d);
                setTarget(undefined);
              }}
              onMonth={(delta) => setMonth((m) => ({ y: m.m + delta > 12 ? m.y + 1 : m.m + delta < 1 ? m.y - 1 : m.y, m: ((m.m + delta + 11) % 12) + 1 }))}
              canPrev={monthsAhead > 0}
              canNext={monthsAhead < 3}
              headingId="move-month"
            />
            {waitUntil !== undefined ? (
              <p class="hint" role="status" id="retry-countdown">
                Beaucoup de demandes en peu de temps&nbsp;: les disponibilités se rechargent dans {waitSeconds}&nbsp;s.
              </p>
            ) : (
              date && <SlotPicker date={date} slots={slots} selected={target} onSelect={setTarget} labelPrefix="Déplacer au " />
            )}
            {date && target && (
              <div class="actions" role="group" aria-label="Confirmer le déplacement">
                <p>
                  Déplacer le rendez-vous au {longDate(date)} à {frenchTime(target)}&nbsp;?
                </p>
                <button type="button" disabled={busy} onClick={move}>
                  Confirmer le déplacement
                </button>
                <button type="button" class="secondary" disabled={busy} onClick={() => setTarget(undefined)}>
                  Garder l’horaire actuel
                </button>
              </div>
            )}
          </section>
          <section class="card" aria-labelledby="cancel-title">
            <h2 id="cancel-title">Annuler le rendez-vous</h2>
            <p id="refund-preview">{refundPreview(b)}</p>
            {confirmCancel ? (
              <div class="actions">
                <button type="button" class="danger" disabled={busy} onClick={cancel}>
                  Confirmer l’annulation
                </button>
                <button type="button" class="secondary" disabled={busy} onClick={() => setConfirmCancel(false)}>
                  Garder mon rendez-vous
                </button>
              </div>
            ) : (
              <button type="button" class="danger" onClick={() => setConfirmCancel(true)}>
                Annuler mon rendez-vous
              </button>
            )}
          </section>
        </>
      )}
    </>
  );
}

render(<ManagePage />, mountRoot());
