import { useEffect, useRef, useState } from 'preact/hooks';
import { fieldErrors, type ResponseOf } from '../shared/api/client';
import type { paths } from '../shared/api/schema';
import { Alert } from '../shared/components/Alert';
import { euros, whenInZone } from '../shared/format';
import { CLOSURE_ACTION_LABEL } from '../shared/wording';
import { call, errorOf, navigate, type Session } from './lib';

/** A closed day / special hours (`date`), or days off (`startDateTime`..`endDateTime`): POST /api/admin/closures' `closure`. */
export type Closure = { date: string; closed?: boolean; ranges?: { startMinutes: number; endMinutes: number }[] } | { startDateTime: string; endDateTime: string; summary: string };
type Concerned = ResponseOf<'/api/admin/closures/preview', 'post'>['bookings'][number];
type Action = 'keep' | 'move' | 'cancel';
type Decision = NonNullable<paths['/api/admin/closures']['post']['requestBody']['content']['application/json']['bookings']>[number];
type Choice = { action: Action; proposal: number };

const apiMessage = (e: unknown): string => {
  const api = errorOf(e);
  return [api.message, ...Object.values(fieldErrors(api))].join(' ');
};

/**
 * The one flow for closing (closed day, special hours, days off): the bookings the closure falls
 * on are listed first, as links, with a choice for each (keep; move to one of the next free
 * times; cancel with a full refund) and for all at once; then the closure and the choices are
 * saved together. Without bookings concerned, the closure is saved at once.
 */
export function ClosureFlow(props: { session: Session; closure: Closure; savedText: string; onSaved: (notice: string) => void; onBack: (error?: string) => void }) {
  const { session, closure } = props;
  const zone = session.me.timezone;
  const [concerned, setConcerned] = useState<Concerned[]>();
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  // The choices open below the form: on a phone they are brought into view, the focus on their heading.
  useEffect(() => {
    if (!concerned || concerned.length === 0 || !heading.current) return;
    heading.current.focus({ preventScroll: true });
    heading.current.scrollIntoView?.({ block: 'start' });
  }, [concerned]);

  const save = async (decisions: Decision[] = []) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await call(session.api.POST('/api/admin/closures', { body: { closure, bookings: decisions } }));
      const done = r.bookings.filter((o) => o.done && o.action !== 'keep').map((o) =>
        o.action === 'move' ? `${o.publicCode} déplacé au ${whenInZone(Date.parse(o.startDateTime!), zone)}` : `${o.publicCode} annulé, ${euros(o.refundCents ?? 0)} remboursés`,
      );
      const kept = r.bookings.filter((o) => o.action === 'keep').map((o) => o.publicCode);
      const failed = r.bookings.filter((o) => !o.done).map((o) => `${o.publicCode} : ${o.error?.message ?? ''}`);
      const parts = [props.savedText];
      if (done.length > 0) parts.push(`${done.join(' ; ')} (le client est prévenu).`);
      if (kept.length > 0) parts.push(`Gardé${kept.length > 1 ? 's' : ''} : ${kept.join(', ')}.`);
      if (failed.length > 0) parts.push(`Non fait, à reprendre depuis la réservation : ${failed.join(' ; ')}`);
      props.onSaved(parts.join(' '));
    } catch (e) {
      if (concerned && concerned.length > 0) setError(apiMessage(e));
      else props.onBack(apiMessage(e));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    call(session.api.POST('/api/admin/closures/preview', { body: closure })).then(
      (r) => {
        setConcerned(r.bookings);
        setChoices(Object.fromEntries(r.bookings.map((b) => [b.publicCode, { action: 'keep' as Action, proposal: 0 }])));
        if (r.bookings.length === 0) void save();
      },
      (e) => props.onBack(apiMessage(e)),
    );
  }, []);

  if (!concerned || concerned.length === 0) return <p role="status">Enregistrement…</p>;
  const setAll = (action: Action) => setChoices(Object.fromEntries(concerned.map((b) => [b.publicCode, { action: action === 'move' && b.proposals.length === 0 ? 'keep' : action, proposal: 0 }])));
  const decisions = () =>
    concerned.map((b): Decision => {
      const c = choices[b.publicCode]!;
      const p = b.proposals[c.proposal];
      if (c.action === 'move' && p) return { publicCode: b.publicCode, action: 'move', newDate: p.date, newTime: p.time };
      if (c.action === 'cancel') return { publicCode: b.publicCode, action: 'cancel', ...(reason.trim() ? { reason: reason.trim() } : {}) };
      return { publicCode: b.publicCode, action: 'keep' };
    });
  const anyCancel = Object.values(choices).some((c) => c.action === 'cancel');

  return (
    <section class="card closure-flow" aria-labelledby="closure-h">
      <h2 id="closure-h" ref={heading} tabIndex={-1}>
        {concerned.length === 1 ? '1 rendez-vous est concerné' : `${concerned.length} rendez-vous sont concernés`} : que voulez-vous en faire ?
      </h2>
      <p class="hint">Rien n’est enregistré tant que vous n’avez pas confirmé.</p>
      {error && <Alert kind="err" text={error} />}
      <div class="actions">
        <button type="button" class="secondary" onClick={() => setAll('keep')}>Tout garder</button>
        <button type="button" class="secondary" onClick={() => setAll('move')}>Tout déplacer</button>
        <button type="button" class="secondary" onClick={() => setAll('cancel')}>Tout annuler</button>
      </div>
      {concerned.map((b) => {
        const c = choices[b.publicCode]!;
        const set = (patch: Partial<Choice>) => setChoices({ ...choices, [b.publicCode]: { ...c, ...patch } });
        const href = `/admin/reservations/${b.publicCode}`;
        const name = `closure-${b.publicCode}`;
        return (
          <fieldset key={b.publicCode} class="card concerned">
            <legend>
              {whenInZone(Date.parse(b.startDateTime), zone)} — {b.customerName}
            </legend>
            <p>
              {b.serviceName} —{' '}
              <a
                href={href}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(href);
                }}
              >
                réservation {b.publicCode}
              </a>
            </p>
            {(['keep', 'move', 'cancel'] as const).map((action) => (
              <label class="check" key={action}>
                <input type="radio" name={name} value={action} checked={c.action === action} disabled={action === 'move' && b.proposals.length === 0} onChange={() => set({ action })} />
                <span>
                  {CLOSURE_ACTION_LABEL[action]}
                  {action === 'move' && b.proposals.length === 0 && ' : aucun créneau libre dans les trois prochaines semaines'}
                </span>
              </label>
            ))}
            {c.action === 'move' && b.proposals.length > 0 && (
              <fieldset class="proposals">
                <legend>Nouveau créneau pour {b.customerName}</legend>
                {b.proposals.map((p, i) => (
                  <label class="check" key={p.startDateTime}>
                    <input type="radio" name={`${name}-to`} checked={c.proposal === i} onChange={() => set({ proposal: i })} />
                    {whenInZone(Date.parse(p.startDateTime), zone)}
                  </label>
                ))}
              </fieldset>
            )}
          </fieldset>
        );
      })}
      {anyCancel && (
        <>
          <label for="closure-reason">Motif des annulations (facultatif, transmis aux clients)</label>
          <textarea id="closure-reason" value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        </>
      )}
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => void save(decisions())}>
          Enregistrer et appliquer ces choix
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => props.onBack()}>
          Revenir sans rien enregistrer
        </button>
      </div>
    </section>
  );
}
