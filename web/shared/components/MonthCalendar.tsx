import { addDays, calendarDate, daysInMonth, monthName, weekdayMondayFirst, ymd } from '../format';

export interface DayInfo {
  date: string;
  freeSlots: number;
  firstFreeTime: string | null;
}

const WEEKDAYS = [
  ['lun.', 'lundi'],
  ['mar.', 'mardi'],
  ['mer.', 'mercredi'],
  ['jeu.', 'jeudi'],
  ['ven.', 'vendredi'],
  ['sam.', 'samedi'],
  ['dim.', 'dimanche'],
] as const;

/**
 * A month of the artisan's calendar (weeks start on Monday): days with free slots are outlined
 * buttons named with the date and the count of free slots (the visible day number is part of
 * the name, WCAG 2.5.3); the others are shown disabled, out of the tab order. Dates are the
 * artisan's calendar dates (strings), so the visitor's zone plays no part.
 */
export function MonthCalendar(props: {
  year: number;
  month: number;
  days: Record<string, DayInfo> | undefined;
  selected: string | undefined;
  onSelect(date: string): void;
  onMonth(delta: -1 | 1): void;
  canPrev: boolean;
  canNext: boolean;
  headingId: string;
}) {
  const { year, month, days } = props;
  const first = ymd(year, month, 1);
  const lead = weekdayMondayFirst(first);
  const count = daysInMonth(year, month);
  const cells: (string | null)[] = [...Array(lead).fill(null), ...Array.from({ length: count }, (_, i) => addDays(first, i))];
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  const title = monthName(year, month);
  return (
    <div>
      <div class="month-nav">
        <button type="button" class="secondary" onClick={() => props.onMonth(-1)} disabled={!props.canPrev} aria-label="Mois précédent">
          ‹
        </button>
        <h3 id={props.headingId} aria-live="polite">
          {title}
        </h3>
        <button type="button" class="secondary" onClick={() => props.onMonth(1)} disabled={!props.canNext} aria-label="Mois suivant">
          ›
        </button>
      </div>
      <table class="calendar" aria-labelledby={props.headingId}>
        <thead>
          <tr>
            {WEEKDAYS.map(([short, long]) => (
              <th key={short} scope="col" abbr={long}>
                {short}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week, i) => (
            <tr key={i}>
              {week.map((date, j) => {
                if (!date) return <td key={j} />;
                const info = days?.[date];
                const day = Number(date.slice(8));
                const free = info ? info.freeSlots : 0;
                const label = `${calendarDate(date)}, ${free > 0 ? `${free} créneau${free > 1 ? 'x' : ''} libre${free > 1 ? 's' : ''}` : 'aucun créneau libre'}`;
                return (
                  <td key={j}>
                    {free > 0 ? (
                      <button type="button" class="free" aria-pressed={props.selected === date} aria-label={label} onClick={() => props.onSelect(date)}>
                        {day}
                      </button>
                    ) : (
                      <button type="button" class="none" disabled aria-label={label}>
                        {day}
                      </button>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {days === undefined && <p class="hint">Chargement des disponibilités…</p>}
    </div>
  );
}
