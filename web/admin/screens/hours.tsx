import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, type ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { duration, longDate } from '../../shared/format';
import { Field } from '../field';
import { DAY_NAMES, WEEK_ORDER, call, errorOf, hhmm, minutesOf, useScreenAction, type Session } from '../lib';
import { NOTICE_CHOICES_MINUTES, STEP_CHOICES_MINUTES } from '../../shared/wording';
import { ClosureFlow, type Closure } from '../closure-flow';

type Range = { start: string; end: string };

type Rule = { dayOfWeek: number; startMinutes: number; endMinutes: number };

type DayPlan = { openings: Range[]; breaks: Range[] };

function toPlan(openingRules: Rule[], breakRules: Rule[]): Record<number, DayPlan> {
  const plan: Record<number, DayPlan> = {};
  for (const d of WEEK_ORDER) plan[d] = { openings: [], breaks: [] };
  for (const r of openingRules) plan[r.dayOfWeek]!.openings.push({ start: hhmm(r.startMinutes), end: hhmm(r.endMinutes) });
  for (const r of breakRules) plan[r.dayOfWeek]!.breaks.push({ start: hhmm(r.startMinutes), end: hhmm(r.endMinutes) });
  return plan;
}

/** A French message for each field path of the API's details (openingRules.2.endMinutes…). */
function ruleProblems(details: Record<string, string>): string[] {
  return Object.entries(details).map(([field, message]) => (/Rules/.test(field) ? message : `${field} : ${message}`));
}

/**
 * The weekly hours: per day, opening ranges and breaks as native time inputs (keyboard and
 * screen reader friendly), saved in one PATCH that replaces the whole week.
 */
export function HoursEditor({ session, onSaved }: { session: Session; onSaved?: () => void }) {
  const [plan, setPlan] = useState<Record<number, DayPlan>>();
  const [error, setError] = useState<string>();
  const [problems, setProblems] = useState<string[]>([]);
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    call(session.api.GET('/api/admin/artisan')).then(
      (r) => setPlan(toPlan(r.artisan.openingRules, r.artisan.breakRules)),
      (e) => setError(errorOf(e).message),
    );
  }, []);
  if (!plan) return error ? <Alert kind="err" text={error} /> : <p>Chargement des horaires…</p>;
  const update = (day: number, f: (p: DayPlan) => DayPlan) => setPlan({ ...plan, [day]: f(plan[day]!) });
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setProblems([]);
    setNotice(undefined);
    const rules = (kind: 'openings' | 'breaks') =>
      WEEK_ORDER.flatMap((d) => plan[d]![kind].map((r) => ({ dayOfWeek: d, startMinutes: minutesOf(r.start) ?? -1, endMinutes: minutesOf(r.end) ?? -1 })));
    const openingRules = rules('openings');
    const breakRules = rules('breaks');
    if ([...openingRules, ...breakRules].some((r) => r.startMinutes < 0 || r.endMinutes < 0)) return setError('Chaque plage doit avoir une heure de début et de fin.');
    try {
      await call(session.api.PATCH('/api/admin/artisan', { body: { openingRules, breakRules } }));
      setNotice('Horaires enregistrés : les créneaux proposés aux clients suivent.');
      onSaved?.();
    } catch (err) {
      const api = errorOf(err);
      setError(api.message);
      setProblems(ruleProblems(fieldErrors(api)));
    }
  };
  const rangeRow = (day: number, kind: 'openings' | 'breaks', r: Range, i: number) => {
    const label = `${DAY_NAMES[day]}, ${kind === 'openings' ? 'ouverture' : 'pause'} ${i + 1}`;
    const set = (patch: Partial<Range>) => update(day, (p) => ({ ...p, [kind]: p[kind].map((x, j) => (j === i ? { ...x, ...patch } : x)) }));
    return (
      <div class="range" key={`${kind}-${i}`} role="group" aria-label={label}>
        <label for={`h-${day}-${kind}-${i}-s`}>{kind === 'openings' ? 'De' : 'Pause de'}</label>
        <input id={`h-${day}-${kind}-${i}-s`} type="time" step={300} value={r.start} aria-label={`${label} : début`} onInput={(e) => set({ start: (e.target as HTMLInputElement).value })} />
        <label for={`h-${day}-${kind}-${i}-e`}>à</label>
        <input id={`h-${day}-${kind}-${i}-e`} type="time" step={300} value={r.end} aria-label={`${label} : fin`} onInput={(e) => set({ end: (e.target as HTMLInputElement).value })} />
        <button type="button" class="secondary" aria-label={`Supprimer : ${label}`} onClick={() => update(day, (p) => ({ ...p, [kind]: p[kind].filter((_, j) => j !== i) }))}>
          Supprimer
        </button>
      </div>
    );
  };
  return (
    <form onSubmit={save} class="hours">
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      {problems.length > 0 && (
        <ul class="field-error">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {WEEK_ORDER.map((day) => {
        const p = plan[day]!;
        return (
          <fieldset class="card" key={day}>
            <legend>
              {DAY_NAMES[day]} {p.openings.length === 0 ? '(fermé)' : ''}
            </legend>
            {p.openings.map((r, i) => rangeRow(day, 'openings', r, i))}
            {p.breaks.map((r, i) => rangeRow(day, 'breaks', r, i))}
            <div class="actions">
              <button type="button" class="secondary" onClick={() => update(day, (x) => ({ ...x, openings: [...x.openings, { start: '08:30', end: '18:00' }] }))}>
                Ajouter une plage d’ouverture ({DAY_NAMES[day]})
              </button>
              {p.openings.length > 0 && (
                <button type="button" class="secondary" onClick={() => update(day, (x) => ({ ...x, breaks: [...x.breaks, { start: '12:00', end: '13:00' }] }))}>
                  Ajouter une pause ({DAY_NAMES[day]})
                </button>
              )}
            </div>
          </fieldset>
        );
      })}
      <div class="actions">
        <button type="submit">Enregistrer les horaires</button>
      </div>
    </form>
  );
}

/** A delay picked among durations read the French way ("2 h"); a stored value off the list stays offered. */
function DelaySelect(props: { id: string; label: string; choices: readonly number[]; value: string; onChange: (minutes: string) => void }) {
  const current = Number(props.value);
  const choices = props.value !== '' && !props.choices.includes(current) ? [...props.choices, current].sort((a, b) => a - b) : props.choices;
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        {choices.map((m) => (
          <option key={m} value={String(m)}>
            {m === 0 ? 'Aucun' : duration(m)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Hours, then booking rules (step, notice, horizon), public holidays and dated exceptions. */
export function HoursScreen({ session }: { session: Session }) {
  const [artisan, setArtisan] = useState<ResponseOf<'/api/admin/artisan', 'get'>['artisan']>();
  const [rules, setRules] = useState({ step: '', notice: '', horizon: '' });
  const [exceptions, setExceptions] = useState<ResponseOf<'/api/admin/exceptions', 'get'>['exceptions']>([]);
  const [exc, setExc] = useState({ date: '', closed: true, start: '09:00', end: '12:00' });
  const { error, setError, notice, run } = useScreenAction(() => load());
  const [closing, setClosing] = useState<Closure>();
  const load = async () => {
    try {
      const a = (await call(session.api.GET('/api/admin/artisan'))).artisan;
      setArtisan(a);
      setRules({ step: String(a.slotStepMinutes), notice: String(a.minNoticeMinutes), horizon: String(a.bookingHorizonDays) });
      setExceptions((await call(session.api.GET('/api/admin/exceptions', { params: { query: {} } }))).exceptions);
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  useEffect(() => void load(), []);
  return (
    <>
      <h1>Horaires et règles de réservation</h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <h2>Semaine type</h2>
      <HoursEditor session={session} />
      <h2>Règles de réservation</h2>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            () =>
              call(
                session.api.PATCH('/api/admin/artisan', {
                  body: { slotStepMinutes: Number(rules.step), minNoticeMinutes: Number(rules.notice), bookingHorizonDays: Number(rules.horizon) },
                }),
              ),
            'Règles enregistrées.',
          );
        }}
      >
        <DelaySelect id="r-step" label="Horaires proposés toutes les" choices={STEP_CHOICES_MINUTES} value={rules.step} onChange={(step) => setRules({ ...rules, step })} />
        <DelaySelect
          id="r-notice"
          label="Délai minimum avant un rendez-vous (délai de prévenance)"
          choices={NOTICE_CHOICES_MINUTES}
          value={rules.notice}
          onChange={(n) => setRules({ ...rules, notice: n })}
        />
        <Field id="r-horizon" label="Réservable jusqu’à (jours à l’avance)" type="number" value={rules.horizon} onInput={(horizon) => setRules({ ...rules, horizon })} />
        <div class="actions">
          <button type="submit">Enregistrer les règles</button>
        </div>
      </form>
      <h2>Jours fériés</h2>
      {artisan && (
        <section class="card">
          <label class="check">
            <input
              type="checkbox"
              checked={artisan.closedOnPublicHolidays}
              onChange={(e) =>
                void run(() => call(session.api.PATCH('/api/admin/artisan', { body: { closedOnPublicHolidays: (e.target as HTMLInputElement).checked } })), 'Réglage des jours fériés enregistré.')
              }
            />
            Fermé les jours fériés
          </label>
          <ul>
            {artisan.upcomingPublicHolidays.map((h) => (
              <li key={h.date}>
                {longDate(h.date)} — {h.name} : {h.closed ? 'fermé' : 'ouvert'}
              </li>
            ))}
          </ul>
        </section>
      )}
      <h2>Fermetures et horaires exceptionnels</h2>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          // Saved through the one closing flow: the bookings of that day are listed first.
          setClosing(exc.closed ? { date: exc.date, closed: true } : { date: exc.date, ranges: [{ startMinutes: minutesOf(exc.start) ?? 0, endMinutes: minutesOf(exc.end) ?? 0 }] });
        }}
      >
        <Field id="x-date" label="Date" type="date" value={exc.date} onInput={(date) => setExc({ ...exc, date })} required />
        <label class="check">
          <input type="checkbox" checked={exc.closed} onChange={(e) => setExc({ ...exc, closed: (e.target as HTMLInputElement).checked })} />
          Fermé toute la journée
        </label>
        {!exc.closed && (
          <>
            <Field id="x-start" label="Ouvert de" type="time" value={exc.start} onInput={(start) => setExc({ ...exc, start })} />
            <Field id="x-end" label="à" type="time" value={exc.end} onInput={(end) => setExc({ ...exc, end })} />
          </>
        )}
        <div class="actions">
          <button type="submit" disabled={closing !== undefined}>
            Ajouter l’exception
          </button>
        </div>
      </form>
      {closing && (
        <ClosureFlow
          session={session}
          closure={closing}
          savedText={'closed' in closing && closing.closed ? `Fermeture du ${longDate(exc.date)} enregistrée.` : `Horaires exceptionnels du ${longDate(exc.date)} enregistrés.`}
          onSaved={(text) => {
            setClosing(undefined);
            void run(async () => undefined, text);
          }}
          onBack={(message) => {
            setClosing(undefined);
            if (message) setError(message);
          }}
        />
      )}
      <ul class="plain">
        {exceptions.map((x) => (
          <li key={x.id} class="row">
            <span>
              {longDate(x.date)} : {x.closed || x.ranges.length === 0 ? 'fermé' : x.ranges.map((r) => `${hhmm(r.startMinutes)}–${hhmm(r.endMinutes)}`).join(', ')}
            </span>
            <button
              type="button"
              class="secondary"
              aria-label={`Supprimer l’exception du ${longDate(x.date)}`}
              onClick={() => void run(() => call(session.api.DELETE('/api/admin/exceptions/{id}', { params: { path: { id: x.id } } })), 'Exception supprimée.')}
            >
              Supprimer
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
