import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../shared/components/Alert';
import { fieldErrors, type Schemas } from '../shared/api/client';
import type { paths } from '../shared/api/schema';
import { euros, longDate } from '../shared/format';
import { Field } from './screens-access';
import { DAY_NAMES, WEEK_ORDER, atInZone, call, errorOf, hhmm, minutesOf, useScreenAction, type Session } from './lib';

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

/** Hours, then booking rules (step, notice, horizon), public holidays and dated exceptions. */
export function HoursScreen({ session }: { session: Session }) {
  type Artisan = { slotStepMinutes: number; minNoticeMinutes: number; bookingHorizonDays: number; closedOnPublicHolidays: boolean; upcomingPublicHolidays: { date: string; name: string; closed: boolean }[] };
  const [artisan, setArtisan] = useState<Artisan>();
  const [rules, setRules] = useState({ step: '', notice: '', horizon: '' });
  const [exceptions, setExceptions] = useState<{ id: string; date: string; closed: boolean; ranges: { startMinutes: number; endMinutes: number }[] }[]>([]);
  const [exc, setExc] = useState({ date: '', closed: true, start: '09:00', end: '12:00' });
  const { error, setError, notice, run } = useScreenAction(() => load());
  const load = async () => {
    try {
      const a = (await call(session.api.GET('/api/admin/artisan'))).artisan as Artisan;
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
        <Field id="r-step" label="Pas entre deux créneaux (minutes)" type="number" value={rules.step} onInput={(step) => setRules({ ...rules, step })} />
        <Field id="r-notice" label="Délai de prévenance (minutes)" type="number" value={rules.notice} onInput={(n) => setRules({ ...rules, notice: n })} />
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
          const body = exc.closed ? { date: exc.date, closed: true } : { date: exc.date, ranges: [{ startMinutes: minutesOf(exc.start) ?? 0, endMinutes: minutesOf(exc.end) ?? 0 }] };
          void run(() => call(session.api.POST('/api/admin/exceptions', { body })), `Exception du ${exc.date ? longDate(exc.date) : ''} enregistrée.`);
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
          <button type="submit">Ajouter l’exception</button>
        </div>
      </form>
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

type Service = Schemas['AdminService'];
type RefundPolicy = Schemas['RefundPolicy'];
/** A tier as typed in the form: hours and percent as the artisan writes them (decimal comma). */
type TierInput = { hours: string; percent: string };
/** The API's refund policy lists at most this many tiers. */
const MAX_TIERS = 10;

const decimalText = (n: number) => String(n).replace('.', ',');
/** NaN for a blank field (Number('') would be 0). */
const decimalOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text.trim().replace(',', '.')));
const tierInputsOf = (policy: RefundPolicy | null | undefined): TierInput[] =>
  (policy?.tiers ?? []).map((t) => ({ hours: decimalText(t.minHoursBefore), percent: decimalText(Math.round(t.refundRate * 10_000) / 100) }));

/** The policy in words: "100 % remboursés si le client annule au moins 48 h avant, 50 % au moins 24 h avant ; plus tard, …". */
function policyInWords(policy: RefundPolicy): string {
  const tiers = [...policy.tiers].sort((a, b) => b.minHoursBefore - a.minHoursBefore);
  if (tiers.length === 0) return 'L’acompte n’est jamais remboursé si le client annule.';
  const parts = tiers.map((t, i) => `${decimalText(Math.round(t.refundRate * 10_000) / 100)} %${i === 0 ? ' remboursés si le client annule' : ''} au moins ${decimalText(t.minHoursBefore)} h avant`);
  return `${parts.join(', ')} ; plus tard, l’acompte est conservé.`;
}

/**
 * The refund policy part of the service form: the default policy (the API's null) or tiers of
 * the service's own, each with hours before the start and the share of the deposit refunded.
 */
function RefundPolicyFields(props: {
  id: string;
  ownPolicy: boolean;
  tiers: TierInput[];
  defaultPolicy?: RefundPolicy;
  errors: Record<string, string>;
  onChange: (next: { ownPolicy: boolean; tiers: TierInput[] }) => void;
}) {
  const { id, ownPolicy, tiers, errors } = props;
  const setTiers = (next: TierInput[]) => props.onChange({ ownPolicy, tiers: next });
  const setTier = (i: number, patch: Partial<TierInput>) => setTiers(tiers.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  const choose = (own: boolean) =>
    // Its own policy starts from the default's tiers when it has none yet.
    props.onChange({ ownPolicy: own, tiers: own && tiers.length === 0 ? tierInputsOf(props.defaultPolicy) : tiers });
  return (
    <fieldset>
      <legend>Remboursement de l’acompte si le client annule</legend>
      <label class="check">
        <input type="radio" name={`s-${id}-policy`} checked={!ownPolicy} onChange={() => choose(false)} aria-describedby={`s-${id}-policy-default`} />
        Politique par défaut
      </label>
      <p class="hint" id={`s-${id}-policy-default`}>
        {props.defaultPolicy ? policyInWords(props.defaultPolicy) : 'La politique commune aux prestations qui n’en ont pas de propre.'}
      </p>
      <label class="check">
        <input type="radio" name={`s-${id}-policy`} checked={ownPolicy} onChange={() => choose(true)} />
        Politique propre à cette prestation
      </label>
      {ownPolicy && (
        <>
          {tiers.map((t, i) => {
            const n = i + 1;
            const field = (key: 'minHoursBefore' | 'refundRate') => `refundPolicy.tiers.${i}.${key}`;
            return (
              <div class="card" key={i} role="group" aria-label={`Palier ${n}`}>
                <Field
                  id={`s-${id}-tier-${i}-hours`}
                  label={`Palier ${n} : heures avant le début`}
                  value={t.hours}
                  onInput={(hours) => setTier(i, { hours })}
                  error={errors[field('minHoursBefore')]}
                  inputMode="decimal"
                  required
                />
                <Field
                  id={`s-${id}-tier-${i}-percent`}
                  label={`Palier ${n} : part remboursée (%)`}
                  value={t.percent}
                  onInput={(percent) => setTier(i, { percent })}
                  error={errors[field('refundRate')]}
                  inputMode="decimal"
                  required
                />
                <div class="actions">
                  <button type="button" class="secondary" onClick={() => setTiers(tiers.filter((_, j) => j !== i))}>
                    Retirer le palier {n}
                  </button>
                </div>
              </div>
            );
          })}
          <p class="hint">
            {tiers.length === 0
              ? 'Aucun palier : l’acompte n’est jamais remboursé si le client annule.'
              : 'Le client qui annule au moins ce nombre d’heures avant le début est remboursé de cette part de l’acompte ; plus tard que le dernier palier, l’acompte est conservé.'}
          </p>
          {tiers.length < MAX_TIERS && (
            <div class="actions">
              <button type="button" class="secondary" onClick={() => setTiers([...tiers, { hours: '', percent: '' }])}>
                Ajouter un palier
              </button>
            </div>
          )}
        </>
      )}
    </fieldset>
  );
}

/** The tiers typed in the form, or per-field French messages keyed like the API's details. */
function policyFromInputs(tiers: TierInput[]): { policy: RefundPolicy } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const out = tiers.map((t, i) => {
    const hours = decimalOf(t.hours);
    const percent = decimalOf(t.percent);
    if (!Number.isFinite(hours) || hours < 0) errors[`refundPolicy.tiers.${i}.minHoursBefore`] = 'Indiquez un nombre d’heures, par exemple 48.';
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) errors[`refundPolicy.tiers.${i}.refundRate`] = 'Indiquez un pourcentage entre 0 et 100.';
    return { minHoursBefore: hours, refundRate: Math.round(percent * 100) / 10_000 };
  });
  return Object.keys(errors).length > 0 ? { errors } : { policy: { tiers: out } };
}

/**
 * Create or edit a service: price in euros, deposit and refund rates in percent, buffers. The
 * refund policy is sent only when the artisan changed it, so an edit of anything else keeps
 * the policy the service has (its own tiers or the default) exactly.
 */
export function ServiceForm({ session, service, defaultPolicy, onSaved }: { session: Session; service?: Service; defaultPolicy?: RefundPolicy; onSaved: () => void }) {
  const [f, setF] = useState({
    name: service?.name ?? '',
    description: service?.description ?? '',
    duration: String(service?.durationMinutes ?? 60),
    price: service ? (service.basePriceCents / 100).toFixed(2).replace('.', ',') : '',
    deposit: String(Math.round((service?.depositRate ?? 0.3) * 100)),
    before: String(service?.bufferBeforeMinutes ?? 0),
    after: String(service?.bufferAfterMinutes ?? 0),
  });
  const [initialPolicy] = useState(() => ({ ownPolicy: service?.refundPolicy != null, tiers: tierInputsOf(service?.refundPolicy) }));
  const [policy, setPolicy] = useState(initialPolicy);
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const id = service?.id ?? 'new';
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setErrors({});
    const cents = Math.round(Number(f.price.replace(',', '.').replace(/\s|€/g, '')) * 100);
    if (!Number.isFinite(cents)) return setErrors({ basePriceCents: 'Indiquez un prix en euros, par exemple 90,00.' });
    const own = policy.ownPolicy ? policyFromInputs(policy.tiers) : { policy: null };
    if ('errors' in own) return (setError('Vérifiez les paliers de remboursement.'), setErrors(own.errors));
    const policyChanged = JSON.stringify(policy) !== JSON.stringify(initialPolicy);
    const body = {
      name: f.name,
      description: f.description.trim() || null,
      durationMinutes: Number(f.duration),
      basePriceCents: cents,
      depositRate: Number(f.deposit) / 100,
      bufferBeforeMinutes: Number(f.before),
      bufferAfterMinutes: Number(f.after),
      ...(!service || policyChanged ? { refundPolicy: own.policy } : {}),
    };
    try {
      if (service) await call(session.api.PATCH('/api/admin/services/{id}', { params: { path: { id: service.id } }, body }));
      else await call(session.api.POST('/api/admin/services', { body }));
      onSaved();
    } catch (err) {
      const api = errorOf(err);
      setError(api.message);
      setErrors(fieldErrors(api));
    }
  };
  return (
    <form class="card" onSubmit={submit}>
      {error && <Alert kind="err" text={error} />}
      <Field id={`s-${id}-name`} label="Nom" value={f.name} onInput={set('name')} error={errors.name} required />
      <Field id={`s-${id}-desc`} label="Description (facultatif)" value={f.description} onInput={set('description')} error={errors.description} />
      <Field id={`s-${id}-duration`} label="Durée (minutes)" type="number" value={f.duration} onInput={set('duration')} error={errors.durationMinutes} />
      <Field id={`s-${id}-price`} label="Prix (€)" value={f.price} onInput={set('price')} error={errors.basePriceCents} inputMode="decimal" required />
      <Field id={`s-${id}-deposit`} label="Acompte (% du prix)" type="number" value={f.deposit} onInput={set('deposit')} error={errors.depositRate} />
      <Field id={`s-${id}-before`} label="Temps bloqué avant (minutes, trajet)" type="number" value={f.before} onInput={set('before')} error={errors.bufferBeforeMinutes} />
      <Field id={`s-${id}-after`} label="Temps bloqué après (minutes)" type="number" value={f.after} onInput={set('after')} error={errors.bufferAfterMinutes} />
      <RefundPolicyFields id={id} {...policy} defaultPolicy={defaultPolicy} errors={errors} onChange={setPolicy} />
      <div class="actions">
        <button type="submit">{service ? 'Enregistrer la prestation' : 'Créer la prestation'}</button>
      </div>
    </form>
  );
}

export function ServicesScreen({ session }: { session: Session }) {
  const [services, setServices] = useState<Service[]>();
  const [defaultPolicy, setDefaultPolicy] = useState<RefundPolicy>();
  const [editing, setEditing] = useState<string>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const load = () =>
    call(session.api.GET('/api/admin/services')).then(
      (r) => (setServices(r.services), setDefaultPolicy(r.defaultRefundPolicy)),
      (e) => setError(errorOf(e).message),
    );
  useEffect(() => void load(), []);
  const archive = async (s: Service, isActive: boolean) => {
    try {
      await call(session.api.PATCH('/api/admin/services/{id}', { params: { path: { id: s.id } }, body: { isActive } }));
      setNotice(isActive ? `« ${s.name} » est de nouveau proposée.` : `« ${s.name} » est archivée : elle n’est plus proposée aux clients.`);
      await load();
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  return (
    <>
      <h1>Prestations</h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <ul class="plain">
        {services?.map((s) => (
          <li key={s.id} class="card">
            <h2>
              {s.name} {s.isActive ? '' : '(archivée)'}
            </h2>
            <p>
              {s.durationMinutes} min — {euros(s.basePriceCents)}, acompte {Math.round(s.depositRate * 100)} % ({euros(s.depositCents)})
              {s.bufferBeforeMinutes + s.bufferAfterMinutes > 0 ? `, temps bloqué ${s.bufferBeforeMinutes} min avant / ${s.bufferAfterMinutes} min après` : ''}
            </p>
            <div class="actions">
              <button type="button" class="secondary" aria-expanded={editing === s.id} onClick={() => setEditing(editing === s.id ? undefined : s.id)}>
                Modifier « {s.name} »
              </button>
              <button type="button" class="secondary" onClick={() => archive(s, !s.isActive)}>
                {s.isActive ? `Archiver « ${s.name} »` : `Proposer à nouveau « ${s.name} »`}
              </button>
            </div>
            {editing === s.id && <ServiceForm session={session} service={s} defaultPolicy={defaultPolicy} onSaved={() => (setEditing(undefined), setNotice('Prestation enregistrée.'), void load())} />}
          </li>
        ))}
      </ul>
      <h2>Nouvelle prestation</h2>
      <ServiceForm key={services?.length} session={session} defaultPolicy={defaultPolicy} onSaved={() => (setNotice('Prestation créée.'), void load())} />
    </>
  );
}

export function TimeOffScreen({ session }: { session: Session }) {
  const [blocks, setBlocks] = useState<{ id: string; summary: string; startDateTime: string; endDateTime: string; deletable: boolean; providerId: string }[]>([]);
  const [f, setF] = useState({ from: '', to: '', summary: 'Congés' });
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const zone = session.me.timezone;
  const load = () => call(session.api.GET('/api/admin/busy-blocks', { params: { query: {} } })).then((r) => setBlocks(r.busyBlocks), (e) => setError(errorOf(e).message));
  useEffect(() => void load(), []);
  /** The artisan's UTC offset at local midnight of `date` ("+01:00"): days off are the artisan's days, not the browser's. */
  const offsetOf = (date: string) => {
    const name = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(`${date}T03:00:00Z`)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-]\d{2}:\d{2})/.exec(name);
    return m ? m[1]! : '+00:00';
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    try {
      const end = new Date(`${f.to}T00:00:00Z`);
      end.setUTCDate(end.getUTCDate() + 1);
      const endDate = end.toISOString().slice(0, 10);
      const r = await call(
        session.api.POST('/api/admin/busy-blocks', {
          body: { startDateTime: `${f.from}T00:00:00${offsetOf(f.from)}`, endDateTime: `${endDate}T00:00:00${offsetOf(endDate)}`, summary: f.summary },
        }),
      );
      const overlapping = (r as { overlappingBookings: { publicCode: string }[] }).overlappingBookings;
      setNotice(
        overlapping.length > 0
          ? `Congé enregistré. Attention : ${overlapping.length} rendez-vous à déplacer (${overlapping.map((b) => b.publicCode).join(', ')}).`
          : 'Congé enregistré : ces jours ne sont plus proposés.',
      );
      await load();
    } catch (err) {
      const api = errorOf(err);
      setError([api.message, ...Object.values(fieldErrors(api))].join(' '));
    }
  };
  return (
    <>
      <h1>Congés et indisponibilités</h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <form class="card" onSubmit={submit}>
        <Field id="t-from" label="Du (inclus)" type="date" value={f.from} onInput={(from) => setF({ ...f, from })} required />
        <Field id="t-to" label="Au (inclus)" type="date" value={f.to} onInput={(to) => setF({ ...f, to })} required />
        <Field id="t-summary" label="Libellé" value={f.summary} onInput={(summary) => setF({ ...f, summary })} required />
        <div class="actions">
          <button type="submit">Bloquer ces jours</button>
        </div>
      </form>
      <ul class="plain">
        {blocks.map((b) => (
          <li key={b.id} class="row">
            <span>
              {b.summary} : {atInZone(b.startDateTime, zone)} → {atInZone(b.endDateTime, zone)}
              {b.providerId !== 'manual' ? ` (calendrier ${b.providerId})` : ''}
            </span>
            {b.deletable && (
              <button
                type="button"
                class="secondary"
                aria-label={`Supprimer : ${b.summary}`}
                onClick={async () => {
                  try {
                    await call(session.api.DELETE('/api/admin/busy-blocks/{id}', { params: { path: { id: b.id } } }));
                    await load();
                  } catch (e) {
                    setError(errorOf(e).message);
                  }
                }}
              >
                Supprimer
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

export function NotificationsScreen({ session }: { session: Session }) {
  const [s, setS] = useState<{ reminderHoursBefore: number; notifyArtisanEmail: boolean }>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    call(session.api.GET('/api/admin/notification-settings')).then(setS, (e) => setError(errorOf(e).message));
  }, []);
  if (!s) return error ? <Alert kind="err" text={error} /> : <p>Chargement…</p>;
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      setS(await call(session.api.PATCH('/api/admin/notification-settings', { body: s })));
      setNotice('Réglages enregistrés. Les rappels déjà prévus suivent le nouveau délai.');
    } catch (err) {
      setError(errorOf(err).message);
    }
  };
  return (
    <>
      <h1>Notifications</h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <form class="card" onSubmit={save}>
        <Field
          id="n-hours"
          label="Rappel au client (heures avant le rendez-vous, 0 : aucun)"
          type="number"
          value={String(s.reminderHoursBefore)}
          onInput={(v) => setS({ ...s, reminderHoursBefore: Number(v) })}
        />
        <label class="check">
          <input type="checkbox" checked={s.notifyArtisanEmail} onChange={(e) => setS({ ...s, notifyArtisanEmail: (e.target as HTMLInputElement).checked })} />
          Me prévenir par e-mail des réservations, annulations et déplacements faits par les clients
        </label>
        <div class="actions">
          <button type="submit">Enregistrer</button>
        </div>
      </form>
    </>
  );
}

const TOPIC_LABEL: Record<string, string> = {
  'notify.booking_confirmed': 'Confirmation',
  'notify.booking_cancelled': 'Annulation',
  'notify.booking_rescheduled': 'Déplacement',
  'notify.reminder': 'Rappel',
  'payment.settle': 'Règlement de l’acompte',
  'calendar.booking_changed': 'Calendrier',
};

/** The mailbox (what was sent, or kept without SMTP/Twilio) and the failed messages to retry. */
export function MessagesScreen({ session }: { session: Session }) {
  const [messages, setMessages] = useState<{ id: string; channel: string; to: string; subject: string | null; text: string; bookingCode: string | null; createdAt: string }[]>([]);
  const [dead, setDead] = useState<{ id: string; topic: string; bookingCode: string | null; attempts: number; lastError: string | null; createdAt: string }[]>([]);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const load = async () => {
    try {
      setMessages((await call(session.api.GET('/api/admin/messages', { params: { query: { limit: 50, offset: 0 } } }))).messages);
      setDead((await call(session.api.GET('/api/admin/outbox', { params: { query: { status: 'dead', limit: 50, offset: 0 } } }))).jobs);
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  useEffect(() => void load(), []);
  return (
    <>
      <h1>Messages</h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <h2>Messages en échec</h2>
      {dead.length === 0 ? (
        <p>Aucun message en échec.</p>
      ) : (
        <ul class="plain">
          {dead.map((j) => (
            <li key={j.id} class="card">
              <p>
                <strong>{TOPIC_LABEL[j.topic] ?? j.topic}</strong> {j.bookingCode ? `— réservation ${j.bookingCode}` : ''} — {j.attempts} essais — demandé le{' '}
                <time dateTime={j.createdAt}>{atInZone(j.createdAt, session.me.timezone)}</time>
              </p>
              {j.lastError && <p class="hint">Dernière erreur : {j.lastError}</p>}
              <button
                type="button"
                onClick={async () => {
                  try {
                    await call(session.api.POST('/api/admin/outbox/{id}/retry', { params: { path: { id: j.id } } }));
                    setNotice('Message relancé : il repart dans quelques secondes.');
                    await load();
                  } catch (e) {
                    setError(errorOf(e).message);
                  }
                }}
              >
                Réessayer ({TOPIC_LABEL[j.topic] ?? j.topic}{j.bookingCode ? ` ${j.bookingCode}` : ''})
              </button>
            </li>
          ))}
        </ul>
      )}
      <h2>Derniers messages</h2>
      <ul class="plain">
        {messages.map((m) => (
          <li key={m.id} class="card">
            <details>
              <summary>
                {m.channel === 'sms' ? 'SMS' : 'E-mail'} à {m.to} — {m.subject ?? m.text.slice(0, 60)} (<time dateTime={m.createdAt}>{atInZone(m.createdAt, session.me.timezone)}</time>)
              </summary>
              <pre class="terms">{m.text}</pre>
            </details>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The terms of sale the booking page shows (the customer accepts them when booking). */
function TermsOfSale({ session }: { session: Session }) {
  const [text, setText] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    call(session.api.GET('/api/admin/artisan')).then((r) => setText(r.artisan.termsOfSale ?? ''), (e) => setError(errorOf(e).message));
  }, []);
  if (text === undefined) return error ? <Alert kind="err" text={error} /> : null;
  return (
    <form
      class="card"
      onSubmit={async (e) => {
        e.preventDefault();
        setNotice(undefined);
        setError(undefined);
        try {
          await call(session.api.PATCH('/api/admin/artisan', { body: { termsOfSale: text.trim() || null } }));
          setNotice('Conditions de vente enregistrées : la page de réservation les affiche.');
        } catch (err) {
          setError(errorOf(err).message);
        }
      }}
    >
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <label for="terms-text">Texte affiché sur la page de réservation, accepté par le client</label>
      <textarea id="terms-text" rows={8} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <div class="actions">
        <button type="submit">Enregistrer les conditions de vente</button>
      </div>
    </form>
  );
}

type ApiToken = paths['/api/admin/tokens']['get']['responses'][200]['content']['application/json']['tokens'][number];
type TokenScope = ApiToken['scopes'][number];

/** What each API token scope allows, in the artisan's words (the API names them in English). */
const SCOPE_LABELS: Record<TokenScope, [label: string, hint: string]> = {
  'bookings:read': ['Lire les réservations', 'Liste, détail et agenda des rendez-vous, indisponibilités.'],
  'bookings:write': ['Modifier les réservations', 'Saisir, annuler ou déplacer un rendez-vous, bloquer du temps, effacer un client.'],
  settings: ['Réglages', 'Profil, horaires, prestations, notifications, acompte.'],
  calendars: ['Calendriers', 'Calendriers connectés et flux .ics des rendez-vous.'],
  export: ['Export des données d’un client', 'Tout ce qui est conservé sur un client (droit d’accès RGPD).'],
};
const SCOPES = Object.keys(SCOPE_LABELS) as TokenScope[];

export function AccountScreen({ session }: { session: Session }) {
  const [pw, setPw] = useState({ current: '', next: '' });
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const at = (iso: string) => <time dateTime={iso}>{atInZone(iso, session.me.timezone)}</time>;
  const [tokenName, setTokenName] = useState('');
  // Least privilege by default: the artisan ticks what the integration needs.
  const [tokenScopes, setTokenScopes] = useState<TokenScope[]>(['bookings:read']);
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const load = () => call(session.api.GET('/api/admin/tokens')).then((r) => setTokens(r.tokens), (e) => setError(errorOf(e).message));
  useEffect(() => void load(), []);
  return (
    <>
      <h1>Compte</h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <h2>Changer de mot de passe</h2>
      <form
        class="card narrow"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          try {
            await call(session.api.POST('/api/admin/password', { body: { currentPassword: pw.current, newPassword: pw.next } }));
            setNotice('Mot de passe changé : reconnectez-vous avec le nouveau.');
            setTimeout(() => location.assign('/admin'), 1500);
          } catch (err) {
            const api = errorOf(err);
            setError([api.message, ...Object.values(fieldErrors(api))].join(' '));
          }
        }}
      >
        <Field id="pw-current" label="Mot de passe actuel" type="password" autocomplete="current-password" value={pw.current} onInput={(current) => setPw({ ...pw, current })} required />
        <Field id="pw-next" label="Nouveau mot de passe" type="password" autocomplete="new-password" value={pw.next} onInput={(next) => setPw({ ...pw, next })} hint="Au moins 10 caractères." required />
        <div class="actions">
          <button type="submit">Changer le mot de passe</button>
        </div>
      </form>
      <h2>Conditions générales de vente</h2>
      <TermsOfSale session={session} />
      <h2>Jetons d’API (intégrations)</h2>
      {created && (
        <div class="msg ok" role="status">
          Jeton créé, copiez-le maintenant (il ne sera plus affiché) : <code class="code">{created}</code>
        </div>
      )}
      <form
        class="card narrow"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          if (tokenScopes.length === 0) {
            setError('Choisissez au moins un droit pour ce jeton.');
            return;
          }
          try {
            setCreated((await call(session.api.POST('/api/admin/tokens', { body: { name: tokenName, scopes: tokenScopes } }))).token);
            setTokenName('');
            await load();
          } catch (err) {
            const api = errorOf(err);
            setError([api.message, ...Object.values(fieldErrors(api))].join(' '));
          }
        }}
      >
        <Field id="tok-name" label="Nom du jeton" value={tokenName} onInput={setTokenName} hint="Exemple : Comptabilité" required />
        <fieldset>
          <legend>Ce que le jeton pourra faire</legend>
          {SCOPES.map((scope) => (
            <div key={scope}>
              <label class="check">
                <input
                  type="checkbox"
                  name="scopes"
                  value={scope}
                  checked={tokenScopes.includes(scope)}
                  aria-describedby={`tok-${scope.replace(':', '-')}-hint`}
                  onChange={(e) =>
                    setTokenScopes((e.target as HTMLInputElement).checked ? SCOPES.filter((s) => s === scope || tokenScopes.includes(s)) : tokenScopes.filter((s) => s !== scope))
                  }
                />
                {SCOPE_LABELS[scope][0]}
              </label>
              <p class="hint" id={`tok-${scope.replace(':', '-')}-hint`}>
                {SCOPE_LABELS[scope][1]}
              </p>
            </div>
          ))}
        </fieldset>
        <p class="hint">Créer ou révoquer un jeton, changer le mot de passe et télécharger la sauvegarde restent réservés à votre session.</p>
        <div class="actions">
          <button type="submit">Créer un jeton</button>
        </div>
      </form>
      <ul class="plain">
        {tokens.map((t) => (
          <li key={t.id} class="row">
            <span>
              {t.name} ({t.prefix}…) — {t.revokedAt ? <>révoqué le {at(t.revokedAt)}</> : 'actif'} — créé le {at(t.createdAt)} —{' '}
              {t.lastUsedAt ? <>dernière utilisation le {at(t.lastUsedAt)}</> : 'jamais utilisé'}
              <br />
              Droits : {t.scopes.map((scope) => SCOPE_LABELS[scope][0]).join(', ')}
            </span>
            {!t.revokedAt && (
              <button
                type="button"
                class="secondary"
                aria-label={`Révoquer le jeton ${t.name}`}
                onClick={async () => {
                  try {
                    await call(session.api.DELETE('/api/admin/tokens/{id}', { params: { path: { id: t.id } } }));
                    await load();
                  } catch (e) {
                    setError(errorOf(e).message);
                  }
                }}
              >
                Révoquer
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

/** The snippet that embeds the booking page on the artisan's own site. */
export function EmbedScreen({ session }: { session: Session }) {
  // The snippet is built by the server from PUBLIC_BASE_URL (one source with the README's).
  const [embed, setEmbed] = useState<{ snippet: string; allowedOrigins: string[] } | undefined>();
  const [error, setError] = useState('');
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    call(session.api.GET('/api/admin/embed')).then(setEmbed, (e) => setError(errorOf(e).message));
  }, [session]);
  return (
    <>
      <h1>Intégrer la page de réservation</h1>
      <p>
        Collez ce code dans une page de votre site : la page de réservation s’y affiche et prend la hauteur de son contenu.
        {embed && embed.allowedOrigins.length > 0
          ? ` Sites autorisés à l’afficher : ${embed.allowedOrigins.join(', ')}.`
          : ' Aucun site n’est encore autorisé à l’afficher : ajoutez le vôtre à EMBED_ALLOWED_ORIGINS dans la configuration du service.'}
      </p>
      {error && <Alert kind="err" text={error} />}
      {embed && (
        <>
          <label for="embed-code">Code à copier</label>
          <textarea id="embed-code" readOnly rows={4} class="snippet" value={embed.snippet} />
          <div class="actions">
            <button
              type="button"
              onClick={async () => {
                await navigator.clipboard?.writeText(embed.snippet).catch(() => undefined);
                setCopied(true);
              }}
            >
              Copier le code
            </button>
          </div>
        </>
      )}
      {copied && <Alert kind="ok" text="Code copié." />}
    </>
  );
}

type CaptureStrategy = 'capture' | 'authorize';

const PAYMENT_PROVIDER_LABEL: Record<'stripe' | 'simulated', string> = {
  simulated: 'Paiements simulés (mode test)',
  stripe: 'Stripe',
};

const PAYMENT_PROVIDER_HINT: Record<'stripe' | 'simulated', string> = {
  simulated: 'Aucune carte n’est réellement débitée : les acomptes sont simulés, pour essayer le service.',
  stripe: 'Les acomptes sont payés par carte bancaire via Stripe et versés sur votre compte Stripe.',
};

const STRATEGIES: [value: CaptureStrategy, label: string, explanation: string][] = [
  [
    'capture',
    'Encaisser l’acompte à la réservation (recommandé)',
    'Le client est débité dès qu’il réserve. S’il annule, il est remboursé selon les règles de la prestation.',
  ],
  [
    'authorize',
    'Bloquer l’acompte, puis l’encaisser au début du rendez-vous',
    'La somme est seulement réservée sur la carte du client à la réservation, et encaissée quand le rendez-vous commence. Une réservation de carte ne dure qu’environ 7 jours : pour un rendez-vous plus lointain, l’acompte est encaissé dès la réservation.',
  ],
];

/** Which payment provider runs, and when the deposit is taken (applies to bookings made afterwards). */
export function PaymentsScreen({ session }: { session: Session }) {
  const [provider, setProvider] = useState<'stripe' | 'simulated'>();
  const [strategy, setStrategy] = useState<CaptureStrategy>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    Promise.all([call(session.api.GET('/api/payments/config')), call(session.api.GET('/api/admin/payment-settings'))]).then(
      ([config, settings]) => {
        setProvider(config.provider);
        setStrategy(settings.captureStrategy);
      },
      (e) => setError(errorOf(e).message),
    );
  }, []);
  if (!provider || !strategy) return error ? <Alert kind="err" text={error} /> : <p>Chargement…</p>;
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    try {
      const saved = await call(session.api.PATCH('/api/admin/payment-settings', { body: { captureStrategy: strategy } }));
      setStrategy(saved.captureStrategy);
      setNotice('Réglage enregistré. Il vaut pour les prochaines réservations ; les acomptes déjà pris ne changent pas.');
    } catch (err) {
      setError(errorOf(err).message);
    }
  };
  return (
    <>
      <h1>Paiements</h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <section class="card" aria-labelledby="pay-provider">
        <h2 id="pay-provider">Prestataire de paiement</h2>
        <p>
          <strong>{PAYMENT_PROVIDER_LABEL[provider]}</strong>
        </p>
        <p class="hint">{PAYMENT_PROVIDER_HINT[provider]}</p>
      </section>
      <form class="card" onSubmit={save}>
        <fieldset>
          <legend>Quand l’acompte est-il encaissé ?</legend>
          {STRATEGIES.map(([value, label, explanation]) => (
            <div key={value}>
              <label class="check">
                <input
                  type="radio"
                  name="captureStrategy"
                  value={value}
                  checked={strategy === value}
                  aria-describedby={`pay-${value}-hint`}
                  onChange={() => setStrategy(value)}
                />
                {label}
              </label>
              <p class="hint" id={`pay-${value}-hint`}>
                {explanation}
              </p>
            </div>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit">Enregistrer</button>
        </div>
      </form>
    </>
  );
}
