import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, type ResponseOf } from '../shared/api/client';
import { call, errorOf, type Session } from './lib';

type ReportForm = ResponseOf<'/api/admin/bookings/{publicCode}/report', 'get'>;

/**
 * The completion report, once the intervention is marked done (issue 22 item 2): the fields
 * of the service's form (a boiler service's measurements with its preset), sent to the
 * customer as a PDF. Written again, it replaces the last one.
 */
export function CompletionReportForm(props: { session: Session; code: string; onDone: (notice: string) => void; onError: (message: string) => void }) {
  const [form, setForm] = useState<ReportForm>();
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const path = { params: { path: { publicCode: props.code } } };
  useEffect(() => {
    call(props.session.api.GET('/api/admin/bookings/{publicCode}/report', path)).then(
      (f) => {
        setForm(f);
        setValues(Object.fromEntries((f.report?.entries ?? []).map((e) => [e.key, e.value])));
      },
      (e) => props.onError(errorOf(e).message),
    );
  }, [props.code]);
  if (!form) return null;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const { report } = await call(props.session.api.PUT('/api/admin/bookings/{publicCode}/report', { ...path, body: { values } }));
      setForm({ ...form, report });
      props.onDone('Compte rendu enregistré : il part au client par e-mail, en PDF.');
    } catch (err) {
      const api = errorOf(err);
      setErrors(Object.fromEntries(Object.entries(fieldErrors(api)).map(([k, v]): [string, string] => [k.replace(/^report\./, ''), v])));
      props.onError(api.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" aria-labelledby="report-h" onSubmit={submit} noValidate>
      <h2 id="report-h">Compte rendu d’intervention</h2>
      <p class="hint">Le client le reçoit par e-mail en PDF et le retrouve avec son lien de gestion.</p>
      {form.fields.map((f) => {
        const id = `report-${f.key}`;
        const error = errors[f.key];
        const common = {
          id,
          value: values[f.key] ?? '',
          required: f.required,
          'aria-invalid': error ? ('true' as const) : undefined,
          'aria-describedby': error ? `${id}-err` : undefined,
          onInput: (e: Event) => setValues({ ...values, [f.key]: (e.target as HTMLInputElement).value }),
        };
        return (
          <div key={f.key}>
            <label for={id}>
              {f.label}
              {f.required ? ' (obligatoire)' : ''}
            </label>
            {f.multiline ? <textarea rows={3} {...common} /> : <input type="text" {...common} />}
            {error && (
              <p class="field-error" id={`${id}-err`}>
                {error}
              </p>
            )}
          </div>
        );
      })}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {form.report ? 'Corriger et renvoyer le compte rendu' : 'Envoyer le compte rendu au client'}
        </button>
        {form.report && (
          <a class="button secondary" href={`/api/admin/bookings/${encodeURIComponent(props.code)}/report.pdf`} download>
            Télécharger le PDF
          </a>
        )}
      </div>
    </form>
  );
}
