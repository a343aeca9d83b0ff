import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import { Field } from '../field';
import { call, errorOf, type Session } from '../lib';

type Member = ResponseOf<'/api/admin/members', 'get'>['members'][number];
type Role = Member['role'];

const ROLE_LABEL: Record<Role, string> = { owner: 'Responsable', office: 'Bureau', technician: 'Technicien' };

/**
 * "Équipe" (issue 20, Business plan): the business's members, an invitation by e-mail, and
 * deactivating a member (their data stays). Starter and Pro have one member, the owner: the
 * API refuses an invitation with a French message shown here.
 */
export function TeamScreen({ session }: { session: Session }) {
  const [members, setMembers] = useState<Member[]>([]);
  const [f, setF] = useState<{ name: string; email: string; role: Role }>({ name: '', email: '', role: 'technician' });
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const load = () => call(session.api.GET('/api/admin/members')).then((r) => setMembers(r.members), (e) => setError(errorOf(e).message));
  useEffect(() => void load(), []);

  const invite = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    setBusy(true);
    try {
      const r = await call(session.api.POST('/api/admin/members', { body: { name: f.name, email: f.email, role: f.role } }));
      setNotice(
        r.emailSent
          ? `Invitation envoyée à ${r.member.email} : le lien, valable 7 jours, lui permet de choisir son mot de passe.`
          : `${r.member.name} est ajouté, mais l’invitation n’a pas pu partir par e-mail : réessayez plus tard.`,
      );
      setF({ name: '', email: '', role: 'technician' });
      await load();
    } catch (err) {
      setError(errorOf(err).message);
    } finally {
      setBusy(false);
    }
  };

  const setActive = async (m: Member, active: boolean) => {
    setError(undefined);
    setNotice(undefined);
    try {
      if (active) await call(session.api.PATCH('/api/admin/members/{id}', { params: { path: { id: m.id } }, body: { active: true } }));
      else await call(session.api.DELETE('/api/admin/members/{id}', { params: { path: { id: m.id } } }));
      setNotice(active ? `${m.name} est réactivé.` : `${m.name} est désactivé : il ne peut plus se connecter, ses données restent.`);
      await load();
    } catch (err) {
      setError(errorOf(err).message);
    }
  };

  return (
    <>
      <h1>Équipe</h1>
      <p class="hint">Les membres se connectent à cet espace avec leur propre adresse e-mail. L’offre Business permet d’inviter le bureau et des techniciens.</p>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      {/* Scrolls sideways on a phone: focusable, so the keyboard can scroll it too. */}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Membres de l’entreprise">
        <table class="list">
          <caption class="visually-hidden">Membres de l’entreprise</caption>
          <thead>
            <tr>
              <th scope="col">Nom</th>
              <th scope="col">E-mail</th>
              <th scope="col">Rôle</th>
              <th scope="col">État</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.id}>
                <td>{m.name || '—'}</td>
                <td>{m.email}</td>
                <td>{ROLE_LABEL[m.role]}</td>
                <td>{!m.active ? 'Désactivé' : m.joined ? 'Actif' : 'Invitation envoyée'}</td>
                <td>
                  {m.id !== session.me.memberId && (
                    <button type="button" class="secondary" aria-label={`${m.active ? 'Désactiver' : 'Réactiver'} ${m.name || m.email}`} onClick={() => void setActive(m, !m.active)}>
                      {m.active ? 'Désactiver' : 'Réactiver'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="card" onSubmit={invite}>
        <h2>Inviter un membre</h2>
        <Field id="m-name" label="Nom" value={f.name} onInput={(name) => setF({ ...f, name })} required autocomplete="off" />
        <Field id="m-email" label="Adresse e-mail" type="email" value={f.email} onInput={(email) => setF({ ...f, email })} required autocomplete="off" />
        <div>
          <label for="m-role">Rôle</label>
          <select id="m-role" value={f.role} onChange={(e) => setF({ ...f, role: (e.target as HTMLSelectElement).value as Role })}>
            <option value="technician">Technicien : ses propres rendez-vous</option>
            <option value="office">Bureau : agendas, réservations et réglages, sans la facturation</option>
            {session.me.role === 'owner' && <option value="owner">Responsable : tout</option>}
          </select>
        </div>
        <div class="actions">
          <button type="submit" disabled={busy}>
            Envoyer l’invitation
          </button>
        </div>
      </form>
    </>
  );
}
