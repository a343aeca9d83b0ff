import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, type ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { frenchTime, longDate } from '../../shared/format';
import { Field } from '../field';
import { call, errorOf, navigate, type Session } from '../lib';
import { SlotPicker } from '../slot-picker';

/** A booking taken by phone: service, slot, customer; no deposit asked. */
export function PhoneBookingScreen({ session }: { session: Session }) {
  const [services, setServices] = useState<ResponseOf<'/api/admin/services', 'get'>['services']>();
  const [serviceId, setServiceId] = useState('');
  const [slot, setSlot] = useState<{ date: string; time: string }>();
  const [customer, setCustomer] = useState({ name: '', email: '', phone: '', street: '', postalCode: '', city: '' });
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
      navigate(`/admin/reservations/${r.booking.publicCode}`);
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
