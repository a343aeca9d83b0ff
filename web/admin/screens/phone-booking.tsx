import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, type ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { Field as TextField } from '../../shared/components/Field';
import { frenchTime, longDate } from '../../shared/format';
import { planLimits } from '../../../src/domain/plans';
import { phoneForReading } from '../../shared/wording';
import { CustomerLookup, type KnownCustomer } from '../customer-lookup';
import { Field } from '../field';
import { call, errorOf, navigate, type Session } from '../lib';
import { SlotPicker } from '../slot-picker';
import { PROBLEM_MAX } from '../../site/booking-checks';

type Confirmation = 'email' | 'sms' | 'none';

/**
 * A booking taken by phone: service, slot (or a time the page does not offer, placed after a
 * warning), customer (found among past ones while typing; the e-mail is optional), no deposit.
 */
export function PhoneBookingScreen({ session }: { session: Session }) {
  const [services, setServices] = useState<ResponseOf<'/api/admin/services', 'get'>['services']>();
  const [smsPlan, setSmsPlan] = useState(false);
  const [serviceId, setServiceId] = useState('');
  const [slot, setSlot] = useState<{ date: string; time: string }>();
  const [other, setOther] = useState({ date: '', time: '' });
  const [notOffered, setNotOffered] = useState<string>();
  const [force, setForce] = useState(false);
  const [customer, setCustomer] = useState({ name: '', email: '', phone: '', street: '', postalCode: '', city: '' });
  const [problem, setProblem] = useState('');
  const [confirmation, setConfirmation] = useState<Confirmation>('email');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  useEffect(() => {
    call(session.api.GET('/api/admin/services')).then(
      (r) => {
        const active = r.services.filter((s) => s.isActive);
        setServices(active);
        setServiceId(active[0]?.id ?? '');
      },
      (e) => setError(errorOf(e).message),
    );
    call(session.api.GET('/api/admin/artisan')).then((r) => setSmsPlan(planLimits(r.artisan.plan).sms), () => setSmsPlan(false));
  }, []);
  const hasEmail = customer.email.trim() !== '';
  const hasPhone = customer.phone.trim() !== '';
  const offers: Confirmation[] = [...(hasEmail ? (['email'] as const) : []), ...(smsPlan && hasPhone ? (['sms'] as const) : []), 'none'];
  const chosen: Confirmation = offers.includes(confirmation) ? confirmation : offers[0]!;
  const set = (key: keyof typeof customer) => (value: string) => setCustomer({ ...customer, [key]: value });
  const fill = (c: KnownCustomer) =>
    setCustomer({ name: c.name, email: c.email ?? '', phone: c.phone ? phoneForReading(c.phone) : '', street: c.address?.street ?? '', postalCode: c.address?.postalCode ?? '', city: c.address?.city ?? '' });
  // A time typed by hand wins over a slot picked above.
  const when = other.date && other.time ? other : slot;
  const setOtherTime = (next: typeof other) => {
    setOther(next);
    setNotOffered(undefined);
    setForce(false);
    if (next.date && next.time) setSlot(undefined);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!when) return setError('Choisissez un créneau, ou indiquez un jour et une heure.');
    setError(undefined);
    setErrors({});
    const address = customer.street.trim() ? { street: customer.street, postalCode: customer.postalCode, city: customer.city } : undefined;
    try {
      const r = await call(
        session.api.POST('/api/admin/bookings', {
          body: {
            serviceId,
            date: when.date,
            time: when.time,
            customer: { name: customer.name, ...(hasEmail ? { email: customer.email } : {}), ...(hasPhone ? { phone: customer.phone } : {}), ...(address ? { address } : {}) },
            ...(problem.trim() ? { problemDescription: problem.trim() } : {}),
            notifications: { email: chosen === 'email', sms: chosen === 'sms' },
            collectDeposit: false,
            force: force && notOffered !== undefined,
          },
        }),
      );
      navigate(`/admin/reservations/${r.booking.publicCode}`);
    } catch (err) {
      const api = errorOf(err);
      if (api.code === 'SLOT_NOT_OFFERED' && api.details?.length) {
        // The time is not one the page offers: say why, and let the artisan place it anyway.
        setNotOffered(api.details[0]!.message);
        if (slot && !(other.date && other.time)) setOther(slot);
        return;
      }
      setError(api.message);
      setErrors(fieldErrors(api));
    }
  };
  const saveLabel = when ? `Enregistrer le rendez-vous du ${longDate(when.date)} à ${frenchTime(when.time)}` : 'Choisissez un créneau';
  return (
    <>
      <h1>Réservation prise par téléphone</h1>
      <p class="hint">Sans acompte. Elle ne compte pas dans la limite de réservations en ligne.</p>
      {error && <Alert kind="err" text={error} />}
      {services && services.length === 0 && <p>Créez d’abord une prestation.</p>}
      <form onSubmit={submit} noValidate>
        <label for="pb-service">Prestation</label>
        <select id="pb-service" value={serviceId} onChange={(e) => (setServiceId((e.target as HTMLSelectElement).value), setSlot(undefined))}>
          {services?.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        {serviceId && <SlotPicker session={session} serviceId={serviceId} picked={slot} onPick={(s) => (setSlot(s), setOtherTime({ date: '', time: '' }))} idPrefix="pb" />}
        <details class="card" open={other.date !== '' || notOffered !== undefined}>
          <summary>Une autre heure, que la page ne propose pas</summary>
          <Field id="pb-other-date" label="Autre jour" type="date" value={other.date} onInput={(date) => setOtherTime({ ...other, date })} />
          <Field id="pb-other-time" label="Heure voulue" type="time" value={other.time} onInput={(time) => setOtherTime({ ...other, time })} error={errors.time} />
        </details>
        {notOffered && when && (
          <div class="warn-box" role="alert">
            <p>
              <strong>
                Le {longDate(when.date)} à {frenchTime(when.time)} n’est pas proposé sur votre page.
              </strong>{' '}
              {notOffered}
            </p>
            <label class="inline">
              <input type="checkbox" checked={force} onChange={(e) => setForce((e.target as HTMLInputElement).checked)} /> Placer quand même à cette heure
            </label>
            <p class="hint">Jamais par-dessus un autre rendez-vous : cela reste refusé.</p>
          </div>
        )}
        <fieldset class="card">
          <legend>Client</legend>
          {services && <CustomerLookup session={session} onChoose={fill} />}
          <Field id="pb-name" label="Nom" value={customer.name} onInput={set('name')} error={errors['customer.name']} required autocomplete="off" />
          <Field id="pb-phone" label="Téléphone" type="tel" value={customer.phone} onInput={set('phone')} error={errors['customer.phone']} hint="Obligatoire sans e-mail." autocomplete="off" />
          <Field
            id="pb-email"
            label="E-mail (facultatif)"
            type="email"
            value={customer.email}
            onInput={set('email')}
            error={errors['customer.email']}
            hint="Sans e-mail, le client ne pourra pas retrouver sa réservation avec son code et son e-mail."
            autocomplete="off"
          />
          <Field id="pb-street" label="Adresse d’intervention (facultatif)" value={customer.street} onInput={set('street')} error={errors['customer.address.street']} />
          <Field id="pb-postal" label="Code postal" value={customer.postalCode} onInput={set('postalCode')} error={errors['customer.address.postalCode']} />
          <Field id="pb-city" label="Ville" value={customer.city} onInput={set('city')} error={errors['customer.address.city']} />
          {/* The same field, label and limit as the customer's form (web/site/booking.tsx). */}
          <TextField
            id="pb-problem"
            label="Décrivez le problème (facultatif)"
            multiline
            maxLength={PROBLEM_MAX}
            value={problem}
            onInput={setProblem}
            error={errors.problemDescription}
            hint={`Ce que le client vous a décrit au téléphone (${PROBLEM_MAX} caractères au plus).`}
          />
        </fieldset>
        <fieldset class="card">
          <legend>Confirmation au client</legend>
          {offers.map((o) => (
            <label key={o} class="inline">
              <input type="radio" name="pb-confirmation" value={o} checked={chosen === o} onChange={() => setConfirmation(o)} />{' '}
              {o === 'email' ? 'Par e-mail' : o === 'sms' ? 'Par SMS' : 'Aucune'}
            </label>
          ))}
          {!smsPlan && <p class="hint">Les SMS ne sont pas compris dans votre abonnement.</p>}
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={!when || (notOffered !== undefined && !force)}>
            {notOffered && force ? `Placer quand même le ${when ? `${longDate(when.date)} à ${frenchTime(when.time)}` : ''}` : saveLabel}
          </button>
        </div>
      </form>
    </>
  );
}
