import { SuspendedNotice } from './suspended';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import '../shared/styles.css';
import { businessBase, call, callWithStatus, createApiClient, errorOf, fieldErrors, type ResponseOf } from '../shared/api/client';
import { Alert } from '../shared/components/Alert';
import { ErrorSummary } from '../shared/components/ErrorSummary';
import { Field } from '../shared/components/Field';
import { focusAndReveal, reveal } from '../shared/reveal';
import { DETAIL_FIELDS, PROBLEM_MAX, checkDetails, problemsOf } from './booking-checks';
import { MonthCalendar, type DayInfo } from '../shared/components/MonthCalendar';
import { SlotPicker } from '../shared/components/SlotPicker';
import { duration, euros, frenchTime, longDate, parseYmd, policySentences, ymd, zonedToEpoch } from '../shared/format';
import { mountRoot, startEmbedding } from '../shared/embed';
import { loadStripe, type StripeCard } from '../shared/stripe';
// Only the link: the number as read comes formatted from the API (the numbering plans stay out of this page).
import { telHref } from '../../src/domain/reading-format.ts';

type Service = ResponseOf<'/api/services', 'get'>['services'][number];
type Artisan = ResponseOf<'/api/artisan', 'get'>['artisan'];
type Booking = ResponseOf<'/api/bookings', 'post'>['booking'];
type Links = NonNullable<ResponseOf<'/api/bookings', 'post'>['links']>;
/** The 3-D Secure step of a 202 answer. */
type PaymentStep = ResponseOf<'/api/bookings', 'post', 202>['payment'];
/** A booking answer: booked (200/201), or a 3-D Secure step to complete first (202). */
type BookingAnswer = ResponseOf<'/api/bookings', 'post'> | ResponseOf<'/api/bookings', 'post', 202>;
type ConfirmPath = '/api/bookings/{publicCode}/payment/confirm';
/** The visit a maintenance invitation's link opens (`?entretien=`): what the page fills in. */
type InvitedVisit = ResponseOf<'/api/maintenance/visit', 'get'>['visit'];
type ConfirmAnswer = ResponseOf<ConfirmPath, 'post'> | ResponseOf<ConfirmPath, 'post', 202>;

const api = createApiClient({ business: true });

/** Simulated provider's test cards (no card data is sent): what a tester picks. */
const TEST_CARDS = [
  { id: 'pm_card_visa', label: 'Carte acceptée' },
  { id: 'pm_card_chargeDeclined', label: 'Carte refusée' },
  { id: 'pm_card_threeDSecure2Required', label: 'Carte avec authentification 3-D Secure' },
] as const;

interface Form {
  name: string;
  email: string;
  phone: string;
  street: string;
  postalCode: string;
  city: string;
  problem: string;
  notifyEmail: boolean;
  notifySms: boolean;
  accepted: boolean;
  /** « Me proposer le prochain entretien » (a service with a maintenance interval). */
  nextVisit: boolean;
  card: string;
}

const EMPTY_FORM: Form = { name: '', email: '', phone: '', street: '', postalCode: '', city: '', problem: '', notifyEmail: true, notifySms: false, accepted: false, nextVisit: false, card: 'pm_card_visa' };


function BookingPage() {
  const [artisan, setArtisan] = useState<Artisan | undefined>();
  const [services, setServices] = useState<Service[] | undefined>();
  const [provider, setProvider] = useState<{ provider: 'stripe' | 'simulated'; publishableKey: string | null }>({ provider: 'simulated', publishableKey: null });
  const [loadError, setLoadError] = useState<string | undefined>();
  const [serviceId, setServiceId] = useState<string | undefined>();
  const [today, setToday] = useState<string | undefined>();
  const [month, setMonth] = useState<{ y: number; m: number } | undefined>();
  const [days, setDays] = useState<Record<string, DayInfo> | undefined>();
  const [date, setDate] = useState<string | undefined>();
  const [slots, setSlots] = useState<string[] | undefined>();
  const [time, setTime] = useState<string | undefined>();
  const [form, setForm] = useState<Form>(EMPTY_FORM);
  const [errors, setErrors] = useState<Record<string, string>>({});
  /** Bumped each time errors are shown: the focus then goes to the first invalid field. */
  const [errorsShown, setErrorsShown] = useState(0);
  const [message, setMessage] = useState<{ text: string; kind: 'ok' | 'err'; where: 'top' | 'slots' | 'form' } | undefined>();
  const [busy, setBusy] = useState(false);
  const [challenge, setChallenge] = useState<{ booking: Booking; payment: PaymentStep; links?: Links } | undefined>();
  const [done, setDone] = useState<{ booking: Booking; links?: Links } | undefined>();
  const [reload, setReload] = useState(0);
  const [invited, setInvited] = useState<InvitedVisit | undefined>();
  /**
   * A business that routes by zone (issue 20): the server asks for the intervention's postcode
   * before any day (400 on `postcode`); the page then asks for it, and a postcode nobody covers
   * gets the server's message (with the business's phone) instead of a calendar.
   */
  const [place, setPlace] = useState<{ asked: boolean; postcode: string; input: string; error?: string; uncovered?: string }>({ asked: false, postcode: '', input: '' });
  const formHeading = useRef<HTMLHeadingElement>(null);
  const doneHeading = useRef<HTMLHeadingElement>(null);
  const slotsArea = useRef<HTMLDivElement>(null);
  const challengeHeading = useRef<HTMLHeadingElement>(null);
  const stripeCard = useRef<StripeCard | undefined>(undefined);
  const idempotencyKey = useRef<string>('');
  /** The service's clock minus the visitor's: deadlines are judged by the service's time. */
  const serverSkewMs = useRef(0);
  const serverNow = () => Date.now() + serverSkewMs.current;

  const service = services?.find((s) => s.id === serviceId);
  const zone = artisan?.timezone ?? 'Europe/Paris';

  useEffect(() => {
    startEmbedding();
    Promise.all([call(api.GET('/api/artisan')), call(api.GET('/api/services'))]).then(
      ([a, s]) => {
        setArtisan(a.artisan);
        setServices(s.services);
        setToday(a.artisan.today);
        serverSkewMs.current = Date.parse(a.artisan.now) - Date.now();
        const { y, m } = parseYmd(a.artisan.today);
        setMonth((current) => current ?? { y, m });
      },
      (e) => setLoadError(errorOf(e).message),
    );
    call(api.GET('/api/payments/config')).then((c) => setProvider(c), () => undefined);
    // An invitation to book the next maintenance visit: the service, the address and the
    // contacts filled in, the calendar on the month of the days proposed around the due date.
    const token = new URLSearchParams(window.location.search).get('entretien');
    if (token) {
      call(api.GET('/api/maintenance/visit', { params: { query: { token } } })).then(
        ({ visit }) => {
          setInvited(visit);
          setServiceId(visit.serviceId);
          const { y, m } = parseYmd(visit.from);
          setMonth({ y, m });
          const c = visit.customer;
          setForm((f) => ({
            ...f,
            name: c.name,
            email: c.email ?? '',
            phone: c.phone ?? '',
            street: c.address?.street ?? '',
            postalCode: c.address?.postalCode ?? '',
            city: c.address?.city ?? '',
            nextVisit: true,
          }));
          // A business routing by zone asks for the intervention's postcode first: the invited
          // visit's address already gives it.
          const postcode = c.address?.postalCode;
          if (postcode) setPlace((p) => ({ ...p, postcode, input: postcode }));
        },
        (e) => setMessage({ text: errorOf(e).message, kind: 'err', where: 'top' }),
      );
    }
  }, []);

  // The month calendar: one request for the whole month.
  useEffect(() => {
    if (!serviceId || !month) return;
    let live = true;
    setDays(undefined);
    const from = ymd(month.y, month.m, 1);
    const to = ymd(month.y, month.m + 1, 0);
    const postcode = place.postcode ? { postcode: place.postcode } : {};
    call(api.GET('/api/availability/days', { params: { query: { serviceId, from, to, ...postcode } } })).then(
      (r) => {
        if (!live) return;
        setDays(Object.fromEntries(r.days.map((d) => [d.date, d])));
        setPlace((p) => ({ ...p, uncovered: undefined, error: undefined }));
      },
      (e) => {
        if (!live) return;
        const err = errorOf(e);
        const asked = fieldErrors(err).postcode;
        if (asked) return setPlace((p) => ({ ...p, asked: true, postcode: '', ...(p.postcode ? { error: asked } : {}) }));
        if (err.code === 'POSTCODE_NOT_COVERED' || err.code === 'SERVICE_NOT_STAFFED') return setPlace((p) => ({ ...p, asked: true, uncovered: err.message }));
        setMessage({ text: err.message, kind: 'err', where: 'slots' });
      },
    );
    return () => {
      live = false;
    };
  }, [serviceId, month?.y, month?.m, reload, place.postcode]);

  // The chosen day's free slots.
  useEffect(() => {
    if (!serviceId || !date) return;
    let live = true;
    setSlots(undefined);
    call(api.GET('/api/availability', { params: { query: { serviceId, date, ...(place.postcode ? { postcode: place.postcode } : {}) } } })).then(
      (r) => live && setSlots(r.slots.filter((s) => s.available).map((s) => s.time)),
      (e) => live && setMessage({ text: errorOf(e).message, kind: 'err', where: 'slots' }),
    );
    return () => {
      live = false;
    };
  }, [serviceId, date, reload, place.postcode]);

  // Each next step brought into view: on a phone it opens below the fold.
  useEffect(() => {
    if (date && slots !== undefined) reveal(slotsArea.current, 'nearest');
  }, [date, slots]);
  useEffect(() => {
    if (time) focusAndReveal(formHeading.current, 'start');
  }, [time]);
  useEffect(() => {
    if (challenge) focusAndReveal(challengeHeading.current, 'start');
  }, [challenge]);
  useEffect(() => {
    const first = DETAIL_FIELDS.find((f) => errors[f.field]);
    if (errorsShown > 0 && first) focusAndReveal(document.getElementById(first.id));
  }, [errorsShown]);
  useEffect(() => {
    if (done) doneHeading.current?.focus();
  }, [done]);
  useEffect(() => {
    if (provider.provider !== 'stripe' || !provider.publishableKey || !time) return;
    loadStripe(provider.publishableKey, '#card-element').then((card) => (stripeCard.current = card), () => setMessage({ text: 'Le paiement par carte ne peut pas être chargé. Réessayez plus tard ou appelez l’artisan.', kind: 'err', where: 'form' }));
  }, [provider, time]);

  const chooseService = (id: string) => {
    setServiceId(id);
    setDate(undefined);
    setTime(undefined);
    setMessage(undefined);
  };
  const chooseDate = (d: string) => {
    setDate(d);
    setTime(undefined);
    setMessage(undefined);
  };
  const update = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  /** The intervention's postcode, given before the days: the address below starts with it. */
  const choosePostcode = (event: Event) => {
    event.preventDefault();
    const postcode = place.input.replace(/\s+/g, '');
    if (!/^\d{5}$/.test(postcode)) return setPlace((p) => ({ ...p, error: 'Le code postal doit comporter 5 chiffres.' }));
    setDate(undefined);
    setTime(undefined);
    setDays(undefined);
    setPlace((p) => ({ ...p, postcode, error: undefined, uncovered: undefined }));
    setForm((f) => ({ ...f, postalCode: postcode }));
    setReload((n) => n + 1);
  };
  /** Every error at once: by its field, in the summary at the top of the form, the focus on the first. */
  const showErrors = (found: Record<string, string>) => {
    setErrors(found);
    setMessage(undefined);
    setErrorsShown((n) => n + 1);
  };

  /** A slot taken meanwhile: back to fresh slots of the same day, with the reason. */
  const slotTaken = (text: string) => {
    setTime(undefined);
    setChallenge(undefined);
    setReload((n) => n + 1);
    setMessage({ text: `${text} Voici les créneaux encore libres.`, kind: 'err', where: 'slots' });
  };

  const fail = (e: unknown) => {
    const err = errorOf(e);
    if (err.code === 'SLOT_UNAVAILABLE' || err.code === 'PAYMENT_HOLD_EXPIRED') return slotTaken(err.message);
    if (err.code === 'TERMS_CHANGED') {
      call(api.GET('/api/artisan')).then((a) => setArtisan(a.artisan), () => undefined);
      update({ accepted: false });
    }
    const fields = fieldErrors(err);
    setChallenge(undefined);
    if (Object.keys(fields).length > 0) return showErrors(fields);
    setErrors({});
    setMessage({ text: err.message, kind: 'err', where: 'form' });
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!service || !date || !time || busy) return;
    const local = checkDetails({ ...form, notifySms: !!artisan?.smsOffered && form.notifySms }, service);
    if (Object.keys(local).length > 0) return showErrors(local);
    setErrors({});
    const anyAddress = form.street.trim() || form.postalCode.trim() || form.city.trim();
    setBusy(true);
    setMessage(undefined);
    try {
      let paymentMethodId: string = form.card;
      if (provider.provider === 'stripe') {
        if (!stripeCard.current) throw Object.assign(new Error(), { api: { code: 'PAYMENT_UNAVAILABLE', message: 'Le paiement par carte n’est pas prêt.', status: 0 } });
        paymentMethodId = await stripeCard.current.createPaymentMethod();
      }
      idempotencyKey.current ||= crypto.randomUUID();
      const body = {
        serviceId: service.id,
        date,
        time,
        customer: {
          name: form.name.trim(),
          email: form.email.trim(),
          ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
          ...(anyAddress ? { address: { street: form.street.trim(), postalCode: form.postalCode.trim(), city: form.city.trim() } } : {}),
        },
        ...(form.problem.trim() ? { problemDescription: form.problem.trim() } : {}),
        notifications: { email: form.notifyEmail, sms: artisan?.smsOffered ? form.notifySms : false },
        // « Me proposer le prochain entretien »: only for a service with an interval, never ticked by default.
        consent: { termsVersion: artisan?.terms?.version ?? null, ...(service.maintenanceIntervalMonths && form.nextVisit ? { nextVisit: true } : {}) },
        paymentMethodId,
      };
      const result = await callWithStatus<BookingAnswer>(
        api.POST('/api/bookings', { body, headers: { 'idempotency-key': idempotencyKey.current } }),
      );
      idempotencyKey.current = '';
      if (result.status === 202 && 'payment' in result.data) {
        const links = result.data.links;
        setChallenge({ booking: result.data.booking, payment: result.data.payment, ...(links ? { links } : {}) });
        if (result.data.payment.provider === 'stripe' && stripeCard.current) {
          await stripeCard.current.handleNextAction(result.data.payment.clientSecret);
          await confirmPayment(result.data.booking, links);
        }
        return;
      }
      setDone({ booking: result.data.booking, ...(result.data.links ? { links: result.data.links } : {}) });
    } catch (e) {
      idempotencyKey.current = '';
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const confirmPayment = async (booking: Booking, earlier?: Links) => {
    const r = await callWithStatus<ConfirmAnswer>(
      api.POST('/api/bookings/{publicCode}/payment/confirm', { params: { path: { publicCode: booking.publicCode } }, body: { email: booking.customer.email } }),
    );
    if (r.status === 202 || 'payment' in r.data) {
      setMessage({ text: 'L’authentification de votre carte n’est pas encore terminée.', kind: 'err', where: 'form' });
      return;
    }
    setChallenge(undefined);
    // The confirmation answers the booking only: the links are the ones the 202 answer gave.
    setDone({ booking: r.data.booking, ...(earlier ? { links: earlier } : {}) });
  };

  /** The simulated bank page: the tester validates or refuses the authentication. */
  const authenticate = async (outcome: 'succeeded' | 'failed') => {
    if (!challenge || busy) return;
    setBusy(true);
    try {
      await call(api.POST('/api/payments/simulated/authenticate', { body: { clientSecret: challenge.payment.clientSecret, outcome } }));
      await confirmPayment(challenge.booking, challenge.links);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const canPrev = !!(month && today && (month.y > parseYmd(today).y || (month.y === parseYmd(today).y && month.m > parseYmd(today).m)));
  const canNext = !!(month && today && (month.y - parseYmd(today).y) * 12 + (month.m - parseYmd(today).m) < 3);
  const startMs = date && time ? zonedToEpoch(date, time, zone) : undefined;

  // Nothing but the HTML's own placeholder until the artisan and the services are known: the
  // page then appears in one piece (no layout shift of a footer or header pushed down).
  if (!loadError && (!artisan || !services)) return <p class="wrap">Chargement…</p>;
  if (done) return <Confirmation artisan={artisan} booking={done.booking} links={done.links} headingRef={doneHeading} />;
  if (artisan?.suspended) return <SuspendedNotice artisan={artisan} />;

  return (
    <>
      <Header artisan={artisan} />
      <main class="wrap">
        {loadError && <Alert kind="err" text={loadError} />}
        {message?.where === 'top' && <Alert kind={message.kind} text={message.text} />}
        {artisan && !artisan.onlineDeposits && <NoOnlineDeposit artisan={artisan} />}
        {invited && (
          <Alert
            kind="ok"
            focus={false}
            text={`Votre prochain entretien « ${invited.serviceName} » est à prévoir vers le ${longDate(invited.dueOn)}. La prestation et vos coordonnées sont déjà remplies : choisissez un jour entre le ${longDate(invited.from)} et le ${longDate(invited.to)}, ou un autre s’il vous convient mieux.`}
          />
        )}
        <section aria-labelledby="services-title">
          <h2 id="services-title">1. Choisissez une prestation</h2>
          {!services && !loadError && <p>Chargement des prestations…</p>}
          <ul class="plain services">
            {services?.map((s) => (
              <li key={s.id}>
                <button type="button" class="service" aria-pressed={s.id === serviceId} onClick={() => chooseService(s.id)}>
                  <strong>{s.name}</strong>
                  <span>
                    {duration(s.durationMinutes)} · {euros(s.basePriceCents)} · acompte {euros(s.depositCents)}
                  </span>
                  {s.description && <span>{s.description}</span>}
                </button>
              </li>
            ))}
          </ul>
        </section>

        {service && month && (
          <section aria-labelledby="when-title">
            <h2 id="when-title">2. Choisissez un jour et un horaire</h2>
            <p class="hint">Horaires de l’artisan (heure de {zone === 'Europe/Paris' ? 'Paris' : zone}).</p>
            {message?.where === 'slots' && <Alert kind={message.kind} text={message.text} />}
            {place.asked && (
              <form class="card" onSubmit={choosePostcode} noValidate aria-label="Lieu de l’intervention">
                <Field
                  id="zone-postcode"
                  label="Code postal du lieu d’intervention"
                  required
                  value={place.input}
                  onInput={(v) => setPlace((p) => ({ ...p, input: v }))}
                  error={place.error}
                  autoComplete="postal-code"
                  inputMode="numeric"
                  hint="Les disponibilités dépendent du technicien qui couvre votre commune."
                />
                <button type="submit">Voir les disponibilités</button>
              </form>
            )}
            {place.uncovered && <Alert kind="err" text={place.uncovered} />}
            {(!place.asked || (place.postcode && !place.uncovered)) && (
            <MonthCalendar
              year={month.y}
              month={month.m}
              days={days}
              selected={date}
              onSelect={chooseDate}
              onMonth={(delta) => setMonth((m) => (m ? { y: m.m + delta > 12 ? m.y + 1 : m.m + delta < 1 ? m.y - 1 : m.y, m: ((m.m + delta + 11) % 12) + 1 } : m))}
              canPrev={canPrev}
              canNext={canNext}
              headingId="month-title"
            />
            )}
            {date && (
              <div ref={slotsArea}>
                <SlotPicker date={date} slots={slots} selected={time} onSelect={(t) => setTime(t)} />
              </div>
            )}
          </section>
        )}

        {service && date && time && startMs !== undefined && (
          <form onSubmit={submit} noValidate aria-labelledby="form-title">
            <h2 id="form-title" ref={formHeading} tabIndex={-1}>
              3. Vos coordonnées
            </h2>
            <ErrorSummary problems={problemsOf(errors)} />
            <p>
              <strong>{service.name}</strong> le {longDate(date)} à {frenchTime(time)} ({duration(service.durationMinutes)}).
            </p>
            <Field id="name" label="Nom et prénom" required value={form.name} onInput={(v) => update({ name: v })} error={errors['customer.name']} autoComplete="name" />
            <Field id="email" type="email" label="Adresse e-mail" required value={form.email} onInput={(v) => update({ email: v })} error={errors['customer.email']} autoComplete="email" inputMode="email" />
            <Field id="phone" type="tel" label="Téléphone" required={service.atCustomer} value={form.phone} onInput={(v) => update({ phone: v })} error={errors['customer.phone']} autoComplete="tel" inputMode="tel" />
            <fieldset class="card">
              <legend>{service.atCustomer ? 'Adresse de l’intervention (l’artisan vient chez vous)' : 'Adresse de l’intervention (facultatif)'}</legend>
              <Field id="street" label="Rue" required={service.atCustomer} value={form.street} onInput={(v) => update({ street: v })} error={errors['customer.address.street']} autoComplete="street-address" />
              <Field id="postalCode" label="Code postal" required={service.atCustomer} value={form.postalCode} onInput={(v) => update({ postalCode: v })} error={errors['customer.address.postalCode']} autoComplete="postal-code" inputMode="numeric" />
              <Field id="city" label="Ville" required={service.atCustomer} value={form.city} onInput={(v) => update({ city: v })} error={errors['customer.address.city']} autoComplete="address-level2" />
            </fieldset>
            <Field
              id="problem"
              label="Décrivez le problème (facultatif)"
              multiline
              maxLength={PROBLEM_MAX}
              value={form.problem}
              onInput={(v) => update({ problem: v })}
              error={errors.problemDescription}
              hint={`Ce que l’artisan doit savoir avant de venir (${PROBLEM_MAX} caractères au plus). Seul l’artisan le lit.`}
            />
            <fieldset class="card">
              <legend>Être prévenu</legend>
              <label class="check">
                <input type="checkbox" checked={form.notifyEmail} onChange={(e) => update({ notifyEmail: (e.currentTarget as HTMLInputElement).checked })} />
                Par e-mail (confirmation, rappel, changements)
              </label>
              {artisan?.smsOffered && (
                <label class="check">
                  <input type="checkbox" checked={form.notifySms} onChange={(e) => update({ notifySms: (e.currentTarget as HTMLInputElement).checked })} />
                  Par SMS (au numéro de téléphone ci-dessus)
                </label>
              )}
              {service.maintenanceIntervalMonths && (
                <label class="check">
                  <input type="checkbox" id="next-visit" checked={form.nextVisit} onChange={(e) => update({ nextVisit: (e.currentTarget as HTMLInputElement).checked })} />
                  Me proposer le prochain entretien (dans {service.maintenanceIntervalMonths}&nbsp;mois)
                </label>
              )}
            </fieldset>

            <section class="card" aria-labelledby="policy-title">
              <h3 id="policy-title">Conditions d’annulation</h3>
              <p>
                Acompte à régler maintenant : <strong>{euros(service.depositCents)}</strong> sur {euros(service.basePriceCents)}. Reste à payer le jour de l’intervention :{' '}
                {euros(service.basePriceCents - service.depositCents)}.
              </p>
              <ul class="policy">
                {policySentences({ tiers: service.refundPolicy?.tiers ?? [], startMs, depositCents: service.depositCents, timeZone: zone, nowMs: serverNow() }).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
              {artisan?.terms && (
                <>
                  <h3 id="terms-title">Conditions générales de vente</h3>
                  <div class="terms" tabIndex={0} role="region" aria-labelledby="terms-title">
                    {artisan.terms.text}
                  </div>
                </>
              )}
              <label class="check">
                <input
                  type="checkbox"
                  id="consent"
                  checked={form.accepted}
                  onChange={(e) => update({ accepted: (e.currentTarget as HTMLInputElement).checked })}
                  aria-invalid={errors.consent ? 'true' : undefined}
                  aria-describedby={errors.consent ? 'consent-error' : undefined}
                />
                J’accepte les conditions d’annulation ci-dessus{artisan?.terms ? ' et les conditions générales de vente' : ''}.
              </label>
              {errors.consent && (
                <p class="field-error" id="consent-error">
                  {errors.consent}
                </p>
              )}
            </section>

            <fieldset class="card">
              <legend>Paiement de l’acompte</legend>
              {provider.provider === 'stripe' ? (
                <>
                  <p class="hint">Paiement sécurisé par Stripe.</p>
                  <div id="card-element" />
                </>
              ) : (
                <>
                  <p class="hint">Mode test : aucune donnée de carte n’est demandée ni envoyée. Choisissez le résultat du paiement.</p>
                  {TEST_CARDS.map((c) => (
                    <label class="check" key={c.id}>
                      <input type="radio" name="card" value={c.id} checked={form.card === c.id} onChange={() => update({ card: c.id })} />
                      {c.label}
                    </label>
                  ))}
                </>
              )}
            </fieldset>

            {message?.where === 'form' && <Alert kind={message.kind} text={message.text} />}
            {challenge && challenge.payment.provider === 'simulated' ? (
              <section class="card" aria-labelledby="challenge-title">
                <h3 id="challenge-title" ref={challengeHeading} tabIndex={-1}>
                  Authentification 3-D Secure (simulée)
                </h3>
                <p>Votre banque demande de confirmer le paiement de {euros(challenge.booking.deposit.amountCents)}. Le créneau vous est réservé pendant quelques minutes.</p>
                <div class="actions">
                  <button type="button" disabled={busy} onClick={() => authenticate('succeeded')}>
                    Valider
                  </button>
                  <button type="button" class="secondary" disabled={busy} onClick={() => authenticate('failed')}>
                    Refuser
                  </button>
                </div>
              </section>
            ) : (
              <div class="actions">
                <button type="submit" disabled={busy}>
                  {busy ? 'Paiement en cours…' : `Payer l’acompte de ${euros(service.depositCents)} et réserver`}
                </button>
              </div>
            )}
          </form>
        )}
      </main>
      <footer class="site">
        <a href={`${businessBase()}/reservation`}>Gérer une réservation existante</a>
      </footer>
    </>
  );
}

/** Stripe Connect: the business cannot take deposits online yet; its customers call it. */
function NoOnlineDeposit({ artisan }: { artisan: Artisan }) {
  return (
    <div class="msg err" role="status">
      {artisan.displayName} ne prend pas encore d’acompte en ligne : les prestations avec acompte se réservent par téléphone
      {artisan.phone ? (
        <>
          {' '}au <a href={telHref(artisan.phone)}>{artisan.phoneText ?? artisan.phone}</a>.
        </>
      ) : (
        '.'
      )}
    </div>
  );
}

function Header({ artisan }: { artisan: Artisan | undefined }) {
  return (
    <header class="site">
      <div class="wrap">
        <h1>{artisan ? artisan.displayName : 'Prendre rendez-vous'}</h1>
        {artisan?.trade && <p>{artisan.trade}</p>}
        {artisan?.phone && (
          <p>
            <a href={telHref(artisan.phone)} aria-label={`Appeler l’artisan au ${artisan.phoneText ?? artisan.phone}`}>
              {artisan.phoneText ?? artisan.phone}
            </a>
          </p>
        )}
      </div>
    </header>
  );
}

function Confirmation(props: { artisan: Artisan | undefined; booking: Booking; links: Links | undefined; headingRef: { current: HTMLHeadingElement | null } }) {
  const b = props.booking;
  const manage = props.links ? new URL(props.links.manage) : undefined;
  return (
    <>
      <Header artisan={props.artisan} />
      <main class="wrap">
        <h2 ref={props.headingRef} tabIndex={-1}>
          Votre rendez-vous est confirmé
        </h2>
        <div class="msg ok" role="status">
          {b.serviceName} le {longDate(b.date)} à {frenchTime(b.time)}. Une confirmation vous est envoyée par e-mail.
        </div>
        <dl class="facts">
          <dt>Code de réservation</dt>
          <dd class="code">{b.publicCode}</dd>
          <dt>{b.deposit.paymentStatus === 'authorized' ? 'Acompte autorisé (prélevé avant le rendez-vous)' : 'Acompte payé'}</dt>
          <dd>{euros(b.deposit.amountCents)}</dd>
          <dt>Reste à payer</dt>
          <dd>{euros(b.priceCents - b.deposit.amountCents)} le jour de l’intervention</dd>
        </dl>
        <div class="actions">
          {props.links && (
            <a class="button" href={props.links.calendar} download={`rendez-vous-${b.publicCode}.ics`}>
              Ajouter à mon agenda
            </a>
          )}
          {manage && (
            <a class="button secondary" href={`${businessBase()}/reservation${manage.search}`}>
              Gérer ma réservation
            </a>
          )}
        </div>
        <p class="hint">Gardez votre code : avec votre adresse e-mail, il permet de déplacer ou d’annuler le rendez-vous.</p>
      </main>
    </>
  );
}

render(<BookingPage />, mountRoot());
