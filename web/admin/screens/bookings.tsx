import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { frenchTime, longDate } from '../../shared/format';
import { Field } from '../field';
import { bookingStatusLabel, phoneForReading } from '../../shared/wording';
import { InternalLink, customerFileHref } from '../private-note';
import { call, errorOf, navigate, type Session } from '../lib';
import { Pager } from '../../shared/components/Pager';

/** The list with date range, status filters and search, paged. */
export function BookingsScreen({ session }: { session: Session }) {
  const [filters, setFilters] = useState({ from: '', to: '', q: '', status: '' });
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<ResponseOf<'/api/admin/bookings', 'get'>>();
  const [error, setError] = useState<string>();
  const load = async (p = page) => {
    setError(undefined);
    const query: Record<string, unknown> = { page: p, pageSize: 25 };
    if (filters.from) query.from = filters.from;
    if (filters.to) query.to = filters.to;
    if (filters.q.trim()) query.q = filters.q.trim();
    if (filters.status) query.status = [filters.status];
    try {
      setResult(await call(session.api.GET('/api/admin/bookings', { params: { query: query as never } })));
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  useEffect(() => void load(1), []);
  const pages = result ? Math.max(1, Math.ceil(result.total / result.pageSize)) : 1;
  return (
    <>
      <h1>Réservations</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          void load(1);
        }}
      >
        <Field
          id="f-q"
          label="Rechercher (nom, e-mail, téléphone, code)"
          hint="Le téléphone s’écrit comme vous voulez : 06 11 22 33 44, 0611223344, +33 6…, ou une partie."
          value={filters.q}
          onInput={(q) => setFilters({ ...filters, q })}
        />
        <Field id="f-from" label="Du" type="date" value={filters.from} onInput={(from) => setFilters({ ...filters, from })} />
        <Field id="f-to" label="Au" type="date" value={filters.to} onInput={(to) => setFilters({ ...filters, to })} />
        <label for="f-status">Statut</label>
        <select id="f-status" value={filters.status} onChange={(e) => setFilters({ ...filters, status: (e.target as HTMLSelectElement).value })}>
          <option value="">Toutes</option>
          <option value="confirmed">{bookingStatusLabel('confirmed')}</option>
          <option value="rescheduled">{bookingStatusLabel('rescheduled')}</option>
          <option value="cancelled">{bookingStatusLabel('cancelled')}</option>
        </select>
        <div class="actions">
          <button type="submit">Filtrer</button>
        </div>
      </form>
      {error && <Alert kind="err" text={error} />}
      {result && (
        <>
          <p role="status">
            {result.total} réservation{result.total > 1 ? 's' : ''}
          </p>
          <div class="table-wrap">
            <table class="list">
              <caption class="visually-hidden">Réservations trouvées</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Client</th>
                  <th scope="col">Prestation</th>
                  <th scope="col">Statut</th>
                </tr>
              </thead>
              <tbody>
                {result.bookings.map((b) => (
                  <tr key={b.publicCode}>
                    <td>
                      <a
                        href={`/admin/reservations/${b.publicCode}`}
                        onClick={(e) => {
                          e.preventDefault();
                          navigate(`/admin/reservations/${b.publicCode}`);
                        }}
                      >
                        {longDate(b.date)} à {frenchTime(b.time)}
                      </a>
                      <br />
                      <span class="hint">{b.publicCode}</span>
                    </td>
                    <td>
                      <InternalLink href={customerFileHref(b.customer)}>{b.customer.name}</InternalLink>
                      {b.customer.phone && (
                        <>
                          <br />
                          <span class="hint">{phoneForReading(b.customer.phone)}</span>
                        </>
                      )}
                    </td>
                    <td>{b.serviceName}</td>
                    <td>
                      {bookingStatusLabel(b.status)}
                      {b.channel === 'phone' ? ' (téléphone)' : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page} pages={pages} onPage={(p) => (setPage(p), void load(p))} />
        </>
      )}
    </>
  );
}
