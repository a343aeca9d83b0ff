import { useEffect, useState } from 'preact/hooks';
import { call, errorOf, type ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { planLabel } from '../../shared/wording';
import type { OperatorSession } from '../App';
import { when } from './businesses';
import { Pager } from '../../shared/components/Pager';

type Page = ResponseOf<'/api/operator/audit', 'get'>;
type Entry = Page['entries'][number];

const day = (iso: string | undefined): string => (iso ? new Date(iso).toLocaleDateString('fr-FR', { dateStyle: 'long' }) : '?');

const what = (e: Entry): string => {
  switch (e.action) {
    case 'suspend':
      return `a suspendu ${e.artisanName}`;
    case 'resume':
      return `a rétabli ${e.artisanName}`;
    case 'plan':
      return `a changé la formule de ${e.artisanName} : ${planLabel(e.details.from ?? '?')} → ${planLabel(e.details.to ?? '?')}`;
    case 'export':
      return `a exporté les données de ${e.artisanName}`;
    case 'schedule_deletion':
      return `a programmé la suppression de ${e.artisanName} le ${day(e.details.dueAt)}`;
    case 'cancel_deletion':
      return `a annulé la suppression de ${e.artisanName} (prévue le ${day(e.details.dueAt)})`;
    case 'address':
      return `a changé l’adresse de ${e.artisanName} : ${e.details.fromSlug ? `/${e.details.fromSlug}` : 'aucune'} → /${e.details.toSlug ?? '?'}${
        e.details.fromHost !== e.details.toHost ? ` ; nom d’hôte : ${e.details.fromHost || 'aucun'} → ${e.details.toHost || 'aucun'}` : ''
      }`;
    case 'delete':
      return `${e.artisanName} a été supprimée (${e.details.rows ?? '?'} lignes), suppression programmée par cet opérateur`;
  }
};

/** Who did what to which business, latest first. */
export function AuditScreen({ session }: { session: OperatorSession }) {
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Page>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    call(session.api.GET('/api/operator/audit', { params: { query: { page } } })).then(setData, (e: unknown) => setError(errorOf(e).message));
  }, [page]);
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <>
      <h1>Journal des actions</h1>
      {error && <Alert kind="err" text={error} />}
      {!data && !error && <p>Chargement…</p>}
      {data && data.entries.length === 0 && <p>Aucune action pour l’instant.</p>}
      {data && data.entries.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Actions des opérateurs">
          <table class="list">
            <caption class="visually-hidden">Actions des opérateurs, la plus récente d’abord</caption>
            <thead>
              <tr>
                <th scope="col">Quand</th>
                <th scope="col">Qui</th>
                <th scope="col">Quoi</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((e) => (
                <tr key={e.id}>
                  <td>{when(e.createdAt)}</td>
                  <td>{e.operatorEmail}</td>
                  <td>{what(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={page} pages={pages} onPage={setPage} />
    </>
  );
}
