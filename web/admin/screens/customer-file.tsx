import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { euros, frenchTime, longDate } from '../../shared/format';
import { addressForReading, bookingStatusLabel, depositText, phoneForReading, smsHref, telHref } from '../../shared/wording';
import { call, errorOf, type Session } from '../lib';
import { InternalLink, PrivateNote } from '../private-note';

type File = ResponseOf<'/api/admin/customers/file', 'get'>;
type Visit = File['upcoming'][number];

/** What became of a visit: its status, the deposit, and any refund. */
function outcome(b: Visit): string {
  const parts = [bookingStatusLabel(b.status), `acompte : ${depositText(b.deposit).toLowerCase()}`];
  if (b.status === 'cancelled') parts.push(`remboursé : ${euros(b.refundCents)}`);
  else if (b.deposit.refundedCents > 0) parts.push(`remboursé : ${euros(b.deposit.refundedCents)}`);
  return parts.join(' — ');
}

function Visits({ caption, visits }: { caption: string; visits: Visit[] }) {
  if (visits.length === 0) return <p>Aucun.</p>;
  return (
    <div class="table-wrap">
      <table class="list">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Prestation</th>
            <th scope="col">Prix</th>
            <th scope="col">Issue</th>
          </tr>
        </thead>
        <tbody>
          {visits.map((b) => (
            <tr key={b.publicCode}>
              <td>
                <InternalLink href={`/admin/reservations/${b.publicCode}`}>
                  {longDate(b.date)} à {frenchTime(b.time)}
                </InternalLink>
                {b.channel === 'phone' ? <span class="hint"> (téléphone)</span> : ''}
              </td>
              <td>{b.serviceName}</td>
              <td>{euros(b.priceCents)}</td>
              <td>{outcome(b)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A customer's file: contact, totals, visits to come and past, and the private note about them. */
export function CustomerFileScreen({ session, search }: { session: Session; search: string }) {
  const [file, setFile] = useState<File>();
  const [error, setError] = useState<string>();
  const params = new URLSearchParams(search);
  const who = { ...(params.get('email') ? { email: params.get('email')! } : {}), ...(params.get('phone') ? { phone: params.get('phone')! } : {}) };
  useEffect(() => {
    setFile(undefined);
    call(session.api.GET('/api/admin/customers/file', { params: { query: who } })).then(setFile, (e) => setError(errorOf(e).message));
  }, [search]);
  if (error && !file) return <Alert kind="err" text={error} />;
  if (!file) return <p>Chargement…</p>;
  const c = file.customer;
  const t = file.totals;
  return (
    <>
      <h1>Fiche client : {c.name}</h1>
      <section class="card">
        <h2>Coordonnées</h2>
        <dl class="facts">
          <dt>Téléphone</dt>
          <dd>
            {c.phone ? (
              <>
                <a href={telHref(c.phone)}>{phoneForReading(c.phone)}</a> (<a href={smsHref(c.phone)}>SMS</a>)
              </>
            ) : (
              '—'
            )}
          </dd>
          <dt>E-mail</dt>
          <dd>{c.email ?? 'Aucun'}</dd>
          <dt>Adresse</dt>
          <dd>{c.address ? addressForReading(c.address) : '—'}</dd>
          <dt>Bilan</dt>
          <dd>
            {t.visits} rendez-vous ({t.cancelled} annulé{t.cancelled > 1 ? 's' : ''}), {euros(t.billedCents)} de prestations, {euros(t.depositsCents)} d’acomptes, {euros(t.refundedCents)} remboursés
          </dd>
        </dl>
      </section>
      <PrivateNote
        id="customer-note"
        title="Note sur ce client"
        initial={file.note}
        save={async (note) => (await call(session.api.PUT('/api/admin/customers/note', { body: { ...who, note } }))).note}
      />
      <section class="card">
        <h2>À venir</h2>
        <Visits caption="Rendez-vous à venir" visits={file.upcoming} />
      </section>
      <section class="card">
        <h2>Passés</h2>
        <Visits caption="Rendez-vous passés" visits={file.past} />
      </section>
    </>
  );
}
