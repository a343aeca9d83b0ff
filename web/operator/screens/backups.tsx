import { useEffect, useState } from 'preact/hooks';
import { call, errorOf, type ResponseOf } from '../../shared/api/client';
import { Alert } from '../../shared/components/Alert';
import type { OperatorSession } from '../App';
import { when } from './businesses';

type Backups = ResponseOf<'/api/operator/backups', 'get'>;

const size = (bytes: number): string => (bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1).replace('.', ',')} Mo` : `${Math.max(1, Math.round(bytes / 1024))} ko`);

/** The instance's backups: the whole database, every business in it. Restoring is `npm run restore`, service stopped. */
export function BackupsScreen({ session }: { session: OperatorSession }) {
  const [data, setData] = useState<Backups>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const load = async () => {
    try {
      setData(await call(session.api.GET('/api/operator/backups')));
    } catch (e) {
      setError(errorOf(e).message);
    }
  };
  useEffect(() => void load(), []);
  return (
    <>
      <h1>Sauvegardes de l’instance</h1>
      <p>
        Une sauvegarde contient toute la base : toutes les entreprises et les données personnelles de leurs clients. Conservez-la en lieu sûr, à part de la clé
        (SECRETS_KEY ou secrets.key).
      </p>
      {notice && <Alert kind="ok" text={notice} />}
      {error && <Alert kind="err" text={error} />}
      <div class="actions">
        <a class="button secondary" href="/api/operator/backup" download>
          Télécharger une sauvegarde complète maintenant
        </a>
        {data?.configured && (
          <button
            type="button"
            disabled={busy}
            onClick={async () => {
              setError(undefined);
              setNotice(undefined);
              setBusy(true);
              try {
                const made = await call(session.api.POST('/api/operator/backups'));
                setNotice(`Sauvegarde ${made.name} écrite.`);
                await load();
              } catch (e) {
                setError(errorOf(e).message);
              } finally {
                setBusy(false);
              }
            }}
          >
            {busy ? 'Sauvegarde en cours…' : 'Faire une sauvegarde maintenant'}
          </button>
        )}
      </div>
      <h2>Sauvegardes programmées</h2>
      {!data && !error && <p>Chargement…</p>}
      {data && !data.configured && <p>Aucun répertoire de sauvegardes programmées (BACKUP_DIR) n’est configuré.</p>}
      {data?.configured && data.backups.length === 0 && <p>Aucune sauvegarde pour l’instant.</p>}
      {data && data.backups.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Sauvegardes programmées">
          <table class="list">
            <caption class="visually-hidden">Sauvegardes programmées, la plus récente d’abord</caption>
            <thead>
              <tr>
                <th scope="col">Fichier</th>
                <th scope="col">Date</th>
                <th scope="col">Taille</th>
              </tr>
            </thead>
            <tbody>
              {data.backups.map((b) => (
                <tr key={b.name}>
                  <td>
                    <a href={`/api/operator/backups/${encodeURIComponent(b.name)}`} download>
                      {b.name}
                    </a>
                  </td>
                  <td>{when(b.createdAt)}</td>
                  <td>{size(b.sizeBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Restaurer</h2>
      <p>
        La restauration se fait service arrêté, dans un répertoire de données (DATA_DIR) ou une base PostgreSQL vides : <code>npm run restore -- FICHIER</code>{' '}
        (voir le guide de déploiement).
      </p>
    </>
  );
}
