import { useEffect, useRef, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { longDate } from '../../shared/format';
import { phoneForReading } from '../../shared/wording';
import { DUE_VISIT_STATE_LABELS } from '../../../src/domain/due-visit-wording.ts';
import { Field } from '../field';
import { InternalLink, customerFileHref } from '../private-note';
import { atInZone, call, useScreenAction, type Session } from '../lib';

type DueVisit = ResponseOf<'/api/admin/due-visits', 'get'>['dueVisits'][number];
type State = DueVisit['status'];
type Member = ResponseOf<'/api/admin/members', 'get'>['members'][number];

const STATES = Object.keys(DUE_VISIT_STATE_LABELS) as State[];

interface Filters {
  month: string;
  status: '' | State;
  zone: string;
  technicianId: string;
}

/** The filters as the API and the export read them (empty ones left out). */
function queryOf(f: Filters): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.month) q.month = f.month;
  if (f.status) q.status = f.status;
  if (f.zone.trim()) q.zone = f.zone.trim();
  if (f.technicianId) q.technicianId = f.technicianId;
  return q;
}

/**
 * « Entretiens à prévoir » (issue 22 item 6): the visits falling due, where each stands, the
 * filters (month, status, zone, technician), the CSV export, and the office's actions: invite
 * now, move the due date, close.
 */
export function DueVisitsScreen({ session }: { session: Session }) {
  const [filters, setFilters] = useState<Filters>({ month: '', status: '', zone: '', technicianId: '' });
  // The filters of the list shown: an action's reload and the export use them, not the form's unsent ones.
  const applied = useRef<Filters>(filters);
  const [visits, setVisits] = useState<DueVisit[]>();
  const [technicians, setTechnicians] = useState<Member[]>([]);
  const load = async () => {
    setVisits((await call(session.api.GET('/api/admin/due-visits', { params: { query: queryOf(applied.current) as never } }))).dueVisits);
  };
  const { error, setError, notice, run } = useScreenAction(() => load());
  useEffect(() => {
    load().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    // Members are the owner's and the office's to read; without them the filter is left out.
    call(session.api.GET('/api/admin/members')).then(
      (m) => setTechnicians(m.members.filter((x) => x.role === 'technician')),
      () => undefined,
    );
  }, []);
  const query = queryOf(applied.current);
  const exportHref = `/api/admin/due-visits/export${Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : ''}`;

  return (
    <>
      <h1>Entretiens à prévoir</h1>
      <p class="hint">
        Les visites d’entretien arrivent à échéance quand un rendez-vous d’une prestation avec intervalle est marqué réalisé et que le client a coché « Me proposer le prochain entretien ».
        Le client est invité à réserver quelques semaines avant (réglage dans Notifications), puis relancé une fois.
      </p>
      <form
        class="filters"
        role="search"
        aria-label="Filtrer les entretiens"
        onSubmit={(e) => {
          e.preventDefault();
          applied.current = filters;
          void run(() => Promise.resolve(), 'Liste mise à jour.');
        }}
      >
        <Field id="dv-month" label="Mois d’échéance" type="month" value={filters.month} onInput={(month) => setFilters({ ...filters, month })} />
        <div>
          <label for="dv-status">État</label>
          <select id="dv-status" value={filters.status} onChange={(e) => setFilters({ ...filters, status: (e.target as HTMLSelectElement).value as Filters['status'] })}>
            <option value="">Tous</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {DUE_VISIT_STATE_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <Field id="dv-zone" label="Zone (début du code postal)" hint="Par exemple 69 pour le Rhône." inputMode="numeric" value={filters.zone} onInput={(zone) => setFilters({ ...filters, zone })} />
        {technicians.length > 0 && (
          <div>
            <label for="dv-tech">Technicien</label>
            <select id="dv-tech" value={filters.technicianId} onChange={(e) => setFilters({ ...filters, technicianId: (e.target as HTMLSelectElement).value })}>
              <option value="">Tous</option>
              {technicians.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div class="actions">
          <button type="submit">Filtrer</button>
          <a class="button secondary" href={exportHref} download>
            Exporter en CSV
          </a>
        </div>
      </form>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      {visits && (
        <>
          <p role="status">
            {visits.length} entretien{visits.length > 1 ? 's' : ''} à prévoir
          </p>
          <ul class="plain">
            {visits.map((v) => (
              <DueVisitCard key={v.id} visit={v} session={session} run={run} />
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function DueVisitCard({ visit: v, session, run }: { visit: DueVisit; session: Session; run: ReturnType<typeof useScreenAction>['run'] }) {
  const [dueOn, setDueOn] = useState(v.dueOn);
  const [reason, setReason] = useState('');
  const open = v.status !== 'closed';
  const invitable = v.status === 'due' || v.status === 'invited' || v.status === 'overdue';
  const path = { params: { path: { id: v.id } } };
  return (
    <li class="card">
      <h2>
        {v.serviceName} — {v.customer.name}
      </h2>
      <p>
        <strong>{DUE_VISIT_STATE_LABELS[v.status]}</strong> · échéance le {longDate(v.dueOn)}
        {v.invitedAt && <> · invité le {atInZone(v.invitedAt, session.me.timezone)}</>}
        {v.remindedAt && <> · relancé le {atInZone(v.remindedAt, session.me.timezone)}</>}
        {v.closedReason && <> · {v.closedReason}</>}
      </p>
      <p class="hint">
        <InternalLink href={customerFileHref(v.customer)}>Fiche client</InternalLink>
        {v.customer.phone && <> · {phoneForReading(v.customer.phone)}</>}
        {v.customer.address && <> · {`${v.customer.address.street}, ${v.customer.address.postalCode} ${v.customer.address.city}`}</>}
        {v.technician && <> · dernière visite : {v.technician.name}</>}
      </p>
      {open && (
        <details>
          <summary>Actions pour {v.customer.name}</summary>
          {invitable && (
            <div class="actions">
              <button type="button" onClick={() => void run(() => call(session.api.POST('/api/admin/due-visits/{id}/invite', path)), `Invitation envoyée à ${v.customer.name}.`)}>
                Inviter maintenant
              </button>
            </div>
          )}
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => call(session.api.PATCH('/api/admin/due-visits/{id}', { ...path, body: { dueOn } })), 'Date d’échéance déplacée.');
            }}
          >
            <Field id={`due-${v.id}`} label="Nouvelle date d’échéance" type="date" value={dueOn} onInput={setDueOn} />
            <button type="submit" class="secondary">
              Déplacer l’échéance
            </button>
          </form>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => call(session.api.POST('/api/admin/due-visits/{id}/close', { ...path, body: reason.trim() ? { reason: reason.trim() } : {} })), 'Entretien clôturé : plus aucune invitation ne partira.');
            }}
          >
            <Field id={`close-${v.id}`} label="Motif de clôture (facultatif)" hint="Client déménagé, contrat terminé…" value={reason} onInput={setReason} />
            <button type="submit" class="secondary">
              Clôturer
            </button>
          </form>
        </details>
      )}
    </li>
  );
}
