import { resolve } from 'node:path';
import { loadConfig, loadDotEnv, ConfigError } from '../config.ts';
import { RestoreRefusedError, restoreBackup } from '../adapters/db/restore.ts';

/**
 * `npm run restore -- FILE`: loads a backup (PGlite .tar.gz or pg_dump .sql) into the
 * configured database — DATABASE_URL (an empty database: `createdb` it first), else an empty
 * or missing DATA_DIR. Refuses a target that already holds data. An embedded backup restored
 * with DATABASE_URL set is how an installation moves from PGlite to a PostgreSQL server.
 */
async function run(): Promise<number> {
  loadDotEnv();
  const file = process.argv.slice(2).find((a) => a !== '--');
  if (!file) {
    console.error('Usage : npm run restore -- FICHIER');
    return 2;
  }
  const config = loadConfig();
  const target = config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: resolve(config.dataDir) };
  const result = await restoreBackup(resolve(file), target);
  const where = config.databaseUrl ? `PostgreSQL ${new URL(config.databaseUrl).host}${new URL(config.databaseUrl).pathname}` : target.dataDir;
  console.log(
    `Restauration terminée dans ${where} (${result.format === 'pglite' ? 'sauvegarde PGlite' : 'export SQL'}, ${result.migrations} migrations). Démarrez le service : npm start\n` +
      `Restored into ${where}; start the service (it applies any newer migrations).`,
  );
  return 0;
}

// exitCode, not exit(): the messages written to a pipe are flushed before the process ends.
run().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof RestoreRefusedError || error instanceof ConfigError) console.error(error.message);
    else console.error(`La restauration a échoué / restore failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
