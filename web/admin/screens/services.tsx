import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, type Schemas } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { euros } from '../../shared/format';
import { Field } from '../field';
import { call, errorOf, type Session } from '../lib';
import type { ReportPreset } from '../../../src/domain/completion-report.ts';

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
    notice: service?.minNoticeMinutes == null ? '' : String(service.minNoticeMinutes),
    interval: service?.maintenanceIntervalMonths == null ? '' : String(service.maintenanceIntervalMonths),
  });
  const [atCustomer, setAtCustomer] = useState(service?.atCustomer ?? false);
  // The completion report's form (issue 22): its own route, read once for an existing service.
  const [preset, setPreset] = useState<{ initial: ReportPreset; value: ReportPreset }>({ initial: 'standard', value: 'standard' });
  useEffect(() => {
    if (!service) return;
    call(session.api.GET('/api/admin/services/{id}/report-form', { params: { path: { id: service.id } } })).then(
      (r) => setPreset({ initial: r.preset, value: r.preset }),
      () => undefined,
    );
  }, [service?.id]);
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
      // Sent when changed only, like the policy: an edit of anything else keeps the notice as it is.
      ...(!service || f.notice !== (service.minNoticeMinutes == null ? '' : String(service.minNoticeMinutes))
        ? { minNoticeMinutes: f.notice === '' ? null : Number(f.notice) }
        : {}),
      ...(!service || atCustomer !== service.atCustomer ? { atCustomer } : {}),
      // Empty: no maintenance interval. Sent when changed only.
      ...(f.interval.trim() !== (service?.maintenanceIntervalMonths == null ? '' : String(service.maintenanceIntervalMonths))
        ? { maintenanceIntervalMonths: f.interval.trim() === '' ? null : Number(f.interval) }
        : {}),
    };
    try {
      const saved = service
        ? await call(session.api.PATCH('/api/admin/services/{id}', { params: { path: { id: service.id } }, body }))
        : await call(session.api.POST('/api/admin/services', { body }));
      if (preset.value !== preset.initial) {
        await call(session.api.PUT('/api/admin/services/{id}/report-form', { params: { path: { id: saved.service.id } }, body: { preset: preset.value } }));
      }
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
      <NoticeSelect id={`s-${id}-notice`} value={f.notice} onChange={set('notice')} error={errors.minNoticeMinutes} />
      <div>
        <label class="check">
          <input
            type="checkbox"
            id={`s-${id}-home`}
            checked={atCustomer}
            onChange={(e) => setAtCustomer((e.currentTarget as HTMLInputElement).checked)}
            aria-describedby={`s-${id}-home-hint`}
          />
          Intervention chez le client
        </label>
        <p class="hint" id={`s-${id}-home-hint`}>
          Pour réserver, le client doit alors donner l’adresse de l’intervention et son téléphone.
        </p>
      </div>
      <Field
        id={`s-${id}-interval`}
        label="Intervalle d’entretien (mois, facultatif)"
        type="number"
        value={f.interval}
        onInput={set('interval')}
        error={errors.maintenanceIntervalMonths}
        hint="Entretien de chaudière : 12. Le client pourra cocher « Me proposer le prochain entretien » en réservant ; une fois l’intervention réalisée, la visite suivante apparaît dans les entretiens à prévoir. Vide : aucun."
      />
      <div>
        <label for={`s-${id}-report`}>Compte rendu d’intervention</label>
        <select
          id={`s-${id}-report`}
          value={preset.value}
          aria-describedby={`s-${id}-report-hint`}
          onChange={(e) => setPreset({ ...preset, value: (e.currentTarget as HTMLSelectElement).value as ReportPreset })}
        >
          <option value="standard">Standard : travaux, observations, appareil</option>
          <option value="boiler">Entretien de chaudière : avec les mesures et conseils de l’attestation</option>
        </select>
        <p class="hint" id={`s-${id}-report-hint`}>
          Le formulaire rempli quand l’intervention est marquée réalisée ; le client reçoit le compte rendu en PDF.
        </p>
      </div>
      <RefundPolicyFields id={id} {...policy} defaultPolicy={defaultPolicy} errors={errors} onChange={setPolicy} />
      <div class="actions">
        <button type="submit">{service ? 'Enregistrer la prestation' : 'Créer la prestation'}</button>
      </div>
    </form>
  );
}

/** Minimum notices offered for a service, in minutes, with their French labels. */
const NOTICES: [number, string][] = [
  [0, 'Aucun : réservable jusqu’au dernier moment'],
  [30, '30 min'],
  [60, '1 h (une urgence)'],
  [120, '2 h'],
  [240, '4 h'],
  [720, '12 h'],
  [1440, '24 h'],
  [2880, '48 h (une installation)'],
  [4320, '72 h'],
  [10080, '1 semaine'],
];

/** How long ahead this service must be booked: the business's notice, or its own. */
function NoticeSelect(props: { id: string; value: string; onChange: (v: string) => void; error?: string }) {
  const custom = props.value !== '' && !NOTICES.some(([m]) => String(m) === props.value);
  return (
    <div>
      <label for={props.id}>Délai minimum avant le rendez-vous</label>
      <select
        id={props.id}
        value={props.value}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${props.id}-err` : undefined}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        <option value="">Celui de l’entreprise (réglages)</option>
        {custom && <option value={props.value}>{props.value} min</option>}
        {NOTICES.map(([m, label]) => (
          <option key={m} value={String(m)}>
            {label}
          </option>
        ))}
      </select>
      {props.error && (
        <p class="field-error" id={`${props.id}-err`}>
          {props.error}
        </p>
      )}
    </div>
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
