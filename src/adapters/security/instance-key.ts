import { ConfigError } from '../../config.ts';
import type { Database } from '../db/database.ts';
import { opensStoredCredentials } from '../db/calendar-store.ts';
import { sharedSecret, storedSecret } from '../db/secret-store.ts';
import { KEY_FILE, keyFileSecret, makeSecretBox } from './secret-box.ts';

const STORED_KEY = 'calendar_secrets';

/**
 * The instance's secrets key (sealing calendar credentials; feed tokens and, without
 * LINK_SECRET, manage links derive from it): SECRETS_KEY, else the key file in DATA_DIR
 * (embedded database), else one kept in the database (a server without SECRETS_KEY).
 * Backups hold none of these, so after a restore the operator brings the key back. A new key
 * is generated only while no credentials are stored; a missing or different key is refused at
 * start with what to do, rather than credentials that silently no longer open.
 */
export async function instanceSecretsKey(deps: { db: Database; configured: string | undefined; keyFileDir: string | undefined; generate: () => string }): Promise<string> {
  const where = deps.configured
    ? 'SECRETS_KEY'
    : deps.keyFileDir
      ? `${deps.keyFileDir}/${KEY_FILE}`
      : "la base de données / the database (app_secrets 'calendar_secrets')";
  const stored = async (create: boolean): Promise<string | undefined> => {
    if (deps.configured) return deps.configured;
    if (deps.keyFileDir) return keyFileSecret(deps.keyFileDir, { create });
    return create ? sharedSecret(deps.db, STORED_KEY, deps.generate) : storedSecret(deps.db, STORED_KEY);
  };
  const key = await stored(false);
  const opens = await opensStoredCredentials(deps.db, key ? makeSecretBox(key) : undefined);
  if (opens === undefined) return key ?? (await stored(true))!;
  if (opens) return key!;
  const restore =
    "Après une restauration, remettez la clé d'origine : le fichier secrets.key de l'ancien DATA_DIR, ou la variable SECRETS_KEY d'origine (les sauvegardes ne contiennent jamais la clé). " +
    'After a restore, bring the original key back: the old DATA_DIR/secrets.key file, or the original SECRETS_KEY (backups never hold the key).';
  throw new ConfigError([
    key
      ? `Les identifiants des calendriers connectés ne s'ouvrent pas avec la clé de ${where} : ce n'est pas la clé qui les a chiffrés. / The connected calendars' credentials do not open with the key from ${where}: it is not the key that sealed them. ${restore}`
      : `Les identifiants des calendriers connectés sont chiffrés, mais la clé manque (${where}). / The connected calendars' credentials are sealed but the key is missing (${where}). ${restore}`,
  ]);
}
