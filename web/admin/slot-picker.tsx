import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../shared/components/Alert';
import { frenchTime, longDate } from '../shared/format';
import { Field } from './field';
import { call, errorOf, type Session } from './lib';

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
      (r) => setSlots(r.slots.filter((s) => s.available).map((s) => s.time)),
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
