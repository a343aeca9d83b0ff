import { useEffect, useState } from 'preact/hooks';
import { call, errorOf, type ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import type { OperatorSession } from '../App';
import { InviteForm, when } from './businesses';
import { Pager } from '../../shared/components/Pager';

type Page = ResponseOf<'/api/operator/invitations', 'get'>;
type Invitation = Page['invitations'][number];

const STATUS: Record<Invitation['status'], string> = {
  pending: 'En attente',
  used: 'Utilisée',
  expired: 'Expirée',
  revoked: 'Révoquée',
};

const state = (i: Invitation): string =>
  i.status === 'used'
    ? `Utilisée le ${when(i.usedAt)}${i.usedBy ? ` par ${i.usedBy.displayName}` : ''}`
    : i.status === 'revoked'
      ? `Révoquée le ${when(i.revokedAt)}`
      : i.status === 'expired'
        ? `Expirée le ${when(i.expiresAt)}`
        : `En attente, valable jusqu’au ${when(i.expiresAt)}`;

/** The sign-up invitations issued (SIGNUP=invite), latest first; an unused one can be revoked. */
export function InvitationsScreen({ session }: { session: OperatorSession }) {
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Page>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [inviting, setInviting] = useState(false);
  const load = async () => {
    try {
      setData(await call(session.api.GET('/api/operator/invitations', { params: { query: { page } } })));
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  useEffect(() => void load(), [page]);
  useEffect(() => {
    call(session.api.GET('/api/signup/status')).then((s) => setInviting(s.mode === 'invite'), () => undefined);
  }, []);
  const revoke = async (i: Invitation) => {
    setError(undefined);
    setNotice(undefined);
    try {
      await call(session.api.DELETE('/api/operator/invitations/{invitationId}', { params: { path: { invitationId: i.id } } }));
      setNotice(`L’invitation ${i.email ? `pour ${i.email}` : `du ${when(i.createdAt)}`} est révoquée : son lien n’ouvre plus l’inscription.`);
      await load();
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <>
      <h1>Invitations</h1>
      {inviting ? <InviteForm session={session} onMade={load} /> : <p>Les inscriptions ne se font pas sur invitation sur cette instance (réglage SIGNUP) : les liens ci-dessous n’ouvrent rien pour l’instant.</p>}
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      {!data && !error && <p>Chargement…</p>}
      {data && data.total === 0 && <p role="status">Aucune invitation pour l’instant.</p>}
      {data && data.total > 0 && (
        <>
          <p role="status">
            {data.total} invitation{data.total > 1 ? 's' : ''}.
          </p>
          <ul class="plain businesses invitations">
            {data.invitations.map((i) => (
              <li key={i.id} class="business">
                <h3>{i.email ?? 'Toute adresse e-mail'}</h3>
                <dl class="facts">
                  <dt>Statut</dt>
                  <dd>
                    <span class={`status-${i.status}`}>{STATUS[i.status]}</span> — {state(i)}
                  </dd>
                  <dt>Créée</dt>
                  <dd>
                    le {when(i.createdAt)}
                    {i.operatorEmail ? ` par ${i.operatorEmail}` : ''}
                  </dd>
                </dl>
                {i.status === 'pending' && (
                  <div class="actions">
                    <button type="button" class="danger" onClick={() => revoke(i)}>
                      Révoquer l’invitation {i.email ? `pour ${i.email}` : `du ${when(i.createdAt)}`}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
          <Pager page={page} pages={pages} onPage={setPage} />
        </>
      )}
    </>
  );
}
