import { longDate } from '../format';

/** The free slots of one day, as toggle buttons in a labelled group. */
export function SlotPicker(props: { date: string; slots: string[] | undefined; selected: string | undefined; onSelect(time: string): void; labelPrefix?: string }) {
  const id = `slots-${props.date}`;
  if (props.slots === undefined) return <p class="hint">Recherche des créneaux libres…</p>;
  if (props.slots.length === 0) return <p class="hint">Aucun créneau libre le {longDate(props.date)}. Choisissez un autre jour.</p>;
  return (
    <div>
      <h3 id={id}>Créneaux libres le {longDate(props.date)}</h3>
      <div class="slots" role="group" aria-labelledby={id}>
        {props.slots.map((time) => (
          <button
            key={time}
            type="button"
            aria-pressed={props.selected === time}
            aria-label={`${props.labelPrefix ?? ''}${longDate(props.date)} à ${time}`}
            onClick={() => props.onSelect(time)}
          >
            {time}
          </button>
        ))}
      </div>
    </div>
  );
}
