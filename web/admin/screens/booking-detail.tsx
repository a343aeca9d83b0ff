import { useEffect, useRef, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { duration, euros, frenchTime, longDate } from '../../shared/format';
import { actorLabel, addressForReading, bookingStatusLabel, depositText, historyLabel, phoneForReading, smsHref, telHref } from '../../shared/wording';
import { atInZone, call, errorOf, type Session } from '../lib';
import { CancelForm } from '../cancel-form';
import { OutcomeActions } from '../outcome-actions';
import { CompletionReportForm } from '../report-form';
import { FailedMessages } from '../failed-messages';
import { SlotPicker } from '../slot-picker';
import { mapsHref } from './today';
import { InternalLink, PrivateNote, customerFileHref } from '../private-note';

/** One booking: everything about it, its history, and cancel / move. */
export function BookingDetailScreen({ session, code }: { session: Session; code: string }) {
  const [data, setData] = useState<ResponseOf<'/api/admin/bookings/{publicCode}', 'get'>>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [mode, setMode] = useState<'none' | 'cancel' | 'move'>('none');
  const [slot, setSlot] = useState<{ date: string; time: string }>();
  const heading = useRef<HTMLHeadingElement>(null);
  const load = () =>
    call(session.api.GET('/api/admin/bookings/{publicCode}', { params: { path: { publicCode: code } } })).then(
      setData,
      (e) => setError(errorOf(e).message),
    );
  const [note, setNote] = useState<string | null>();
  useEffect(() => void load(), [code]);
  useEffect(() => {
    call(session.api.GET('/api/admin/bookings/{publicCode}/note', { params: { path: { publicCode: code } } })).then((r) => setNote(r.note), () => setNote(undefined));
  }, [code]);
  if (error && !data) return <Alert kind="err" text={error} />;
  if (!data) return <p>Chargement…</p>;
  const b = data.booking;
  // A recorded outcome is final: neither moved nor cancelled.
  const active = b.status !== 'cancelled' && !b.outcome;
  const move = async () => {
    if (!slot) return;
    try {
      await call(session.api.POST('/api/admin/bookings/{publicCode}/reschedule', { params: { path: { publicCode: code } }, body: { newDate: slot.date, newTime: slot.time } }));
      setNotice(`Rendez-vous déplacé au ${longDate(slot.date)} à ${frenchTime(slot.time)}.`);
      setMode('none');
      setSlot(undefined);
      await load();
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  return (
    <>
      <h1 ref={heading}>
        Réservation {b.publicCode} — {bookingStatusLabel(b.outcome ?? b.status)}
      </h1>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <FailedMessages session={session} bookingCode={b.publicCode} />
      <section class="card">
        <h2>Rendez-vous</h2>
        <dl class="facts">
          <dt>Date</dt>
          <dd>
            {longDate(b.date)} à {frenchTime(b.time)}
          </dd>
          <dt>Prestation</dt>
          <dd>
            {b.serviceName} ({duration(b.durationMinutes)}, {euros(b.priceCents)})
          </dd>
          <dt>Prise</dt>
          <dd>{b.channel === 'phone' ? 'par téléphone (par vous)' : 'en ligne'}</dd>
          <dt>Problème décrit</dt>
          <dd class="problem">{b.problemDescription ?? '—'}</dd>
        </dl>
      </section>
      <section class="card">
        <h2>Client</h2>
        <dl class="facts">
          <dt>Nom</dt>
          <dd>{b.customer.name}</dd>
          <dt>E-mail</dt>
          <dd>{b.customer.email ?? 'Aucun : le client ne peut pas retrouver cette réservation avec son code et un e-mail (le lien du SMS l’ouvre, s’il en a reçu un).'}</dd>
          <dt>Téléphone</dt>
          <dd>
            {b.customer.phone ? (
              <>
                <a href={telHref(b.customer.phone)}>{phoneForReading(b.customer.phone)}</a> (<a href={smsHref(b.customer.phone)}>SMS</a>)
              </>
            ) : (
              '—'
            )}
          </dd>
          <dt>Adresse d’intervention</dt>
          <dd>
            {b.customer.address ? (
              <a href={mapsHref(b.customer.address)} target="_blank" rel="noopener noreferrer">
                {addressForReading(b.customer.address)}
              </a>
            ) : (
              '—'
            )}
          </dd>
          <dt>Fiche client</dt>
          <dd>
            <InternalLink href={customerFileHref(b.customer)}>Tous les rendez-vous de {b.customer.name}</InternalLink>
          </dd>
          <dt>Consentement</dt>
          <dd>
            E-mails {b.notifications.email ? 'acceptés' : 'refusés'}, SMS {b.notifications.sms ? 'acceptés' : 'refusés'}
            {data.consent && (
              <>
                <br />
                Conditions d’annulation et de vente acceptées le <time dateTime={data.consent.acceptedAt}>{atInZone(data.consent.acceptedAt, session.me.timezone)}</time>
              </>
            )}
          </dd>
        </dl>
      </section>
      <section class="card">
        <h2>Paiement</h2>
        <dl class="facts">
          <dt>Acompte</dt>
          <dd>
            {depositText(b.deposit)}
          </dd>
          <dt>Remboursé</dt>
          <dd>{euros(b.status === 'cancelled' ? b.refundCents : b.deposit.refundedCents)}</dd>
        </dl>
      </section>
      {note !== undefined && (
        <PrivateNote
          id="booking-note"
          title="Note sur ce rendez-vous"
          initial={note}
          save={async (text) => (await call(session.api.PUT('/api/admin/bookings/{publicCode}/note', { params: { path: { publicCode: code } }, body: { note: text } }))).note}
        />
      )}
      {active && (
        <OutcomeActions
          session={session}
          code={code}
          onDone={(text) => {
            setError(undefined);
            setNotice(text);
            void load();
          }}
          onError={setError}
        />
      )}
      {b.outcome === 'completed' && (
        <CompletionReportForm
          session={session}
          code={code}
          onDone={(text) => {
            setError(undefined);
            setNotice(text);
          }}
          onError={setError}
        />
      )}
      {active && (
        <div class="actions">
          <button type="button" class="secondary" aria-expanded={mode === 'move'} onClick={() => setMode(mode === 'move' ? 'none' : 'move')}>
            Déplacer
          </button>
          <button type="button" class="danger" aria-expanded={mode === 'cancel'} onClick={() => setMode(mode === 'cancel' ? 'none' : 'cancel')}>
            Annuler le rendez-vous
          </button>
        </div>
      )}
      {mode === 'cancel' && (
        <CancelForm
          session={session}
          code={code}
          depositCents={b.deposit.amountCents}
          onDone={(text) => {
            setNotice(text);
            setMode('none');
            void load();
          }}
          onError={setError}
        />
      )}
      {mode === 'move' && (
        <section class="card" aria-labelledby="move-h">
          <h2 id="move-h">Déplacer ce rendez-vous</h2>
          <SlotPicker session={session} serviceId={b.serviceId} picked={slot} onPick={setSlot} idPrefix="move" />
          <div class="actions">
            <button type="button" disabled={!slot} onClick={move}>
              {slot ? `Déplacer au ${longDate(slot.date)} à ${frenchTime(slot.time)}` : 'Choisissez un créneau'}
            </button>
          </div>
        </section>
      )}
      <section class="card">
        <h2>Historique</h2>
        <ol class="history">
          {data.history.map((h, i) => (
            <li key={i}>
              <time dateTime={h.at}>{atInZone(h.at, session.me.timezone)}</time> — {historyLabel(h.type)}, par {actorLabel(h.actor)}
              {h.data.onBehalfOfCustomer === true ? ' à la demande du client' : ''}
              {typeof h.data.reason === 'string' ? ` (motif : ${h.data.reason})` : ''}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
