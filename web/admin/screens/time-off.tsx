import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { Field } from '../field';
import { periodInZone } from '../../shared/format';
import { call, errorOf, type Session } from '../lib';
import { ClosureFlow, type Closure } from '../closure-flow';

export function TimeOffScreen({ session }: { session: Session }) {
  const [blocks, setBlocks] = useState<ResponseOf<'/api/admin/busy-blocks', 'get'>['busyBlocks']>([]);
  const [f, setF] = useState({ from: '', to: '', summary: 'Congés' });
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [closing, setClosing] = useState<Closure>();
  const zone = session.me.timezone;
  const load = () => call(session.api.GET('/api/admin/busy-blocks', { params: { query: {} } })).then((r) => setBlocks(r.busyBlocks), (e) => setError(errorOf(e).message));
  useEffect(() => void load(), []);
  /** The artisan's UTC offset at local midnight of `date` ("+01:00"): days off are the artisan's days, not the browser's. */
  const offsetOf = (date: string) => {
    const name = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(`${date}T03:00:00Z`)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-]\d{2}:\d{2})/.exec(name);
    return m ? m[1]! : '+00:00';
  };
  const submit = (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    const end = new Date(`${f.to}T00:00:00Z`);
    end.setUTCDate(end.getUTCDate() + 1);
    const endDate = end.toISOString().slice(0, 10);
    // Saved through the one closing flow: the bookings of those days are listed first.
    setClosing({ startDateTime: `${f.from}T00:00:00${offsetOf(f.from)}`, endDateTime: `${endDate}T00:00:00${offsetOf(endDate)}`, summary: f.summary });
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
          <button type="submit" disabled={closing !== undefined}>
            Bloquer ces jours
          </button>
        </div>
      </form>
      {closing && (
        <ClosureFlow
          session={session}
          closure={closing}
          savedText={`Indisponibilité « ${f.summary.trim() || 'Congés'} » enregistrée : ces jours ne sont plus proposés.`}
          onSaved={(text) => {
            setClosing(undefined);
            setNotice(text);
            void load();
          }}
          onBack={(message) => {
            setClosing(undefined);
            if (message) setError(message);
          }}
        />
      )}
      <ul class="plain">
        {blocks.map((b) => (
          <li key={b.id} class="row">
            <span>
              {b.summary} : {periodInZone(b.startDateTime, b.endDateTime, zone)}
              {b.providerId !== 'manual' ? ' (d’un calendrier connecté)' : ''}
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
