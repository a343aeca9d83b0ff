import { createWriteStream, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadConfig, loadDotEnv, ConfigError } from '../config.ts';
import { openDatabase } from '../main.ts';
import { BACKUP_EXTENSIONS } from '../adapters/db/backup.ts';

/**
 * `npm run backup -- FILE`: a backup of the configured database into FILE — with
 * DATABASE_URL, pg_dump of the server (running or not, consistent); else PGlite's snapshot
 * of DATA_DIR (stop the server first: the embedded database has a single owner; a running
 * service is backed up with the operator console (GET /api/operator/backup)). The file is written under a temporary
 * name and renamed when complete, so FILE is never a half-written backup.
 */
async function run(): Promise<number> {
  loadDotEnv();
  const file = process.argv.slice(2).find((a) => a !== '--');
  if (!file) {
    console.error('Usage : npm run backup -- FICHIER   (FICHIER.tar.gz pour la base intégrée, FICHIER.sql pour PostgreSQL)');
    return 2;
  }
  const config = loadConfig();
  if (!config.databaseUrl) {
    const dir = resolve(config.dataDir);
    if (!existsSync(dir) || readdirSync(dir).length === 0) {
      console.error(`Aucune base intégrée dans ${dir} (DATA_DIR) : rien à sauvegarder. / No embedded database in ${dir}.`);
      return 1;
    }
  }
  const db = await openDatabase({ ...config, pgliteThread: 'main' });
  const target = resolve(file);
  const partial = `${target}.partial`;
  try {
    const backup = await db.backup!();
    await pipeline(backup.stream, createWriteStream(partial, { mode: 0o600 }));
    renameSync(partial, target);
    const expected = BACKUP_EXTENSIONS[backup.format];
    console.log(`Sauvegarde écrite / backup written: ${target} (${backup.format === 'pglite' ? 'PGlite' : 'pg_dump SQL'})`);
    if (!target.endsWith(expected)) console.log(`Note : l'extension habituelle de ce format est ${expected}. / Note: this format's usual extension is ${expected}.`);
    return 0;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    await db.close();
  }
}

// exitCode, not exit(): the messages written to a pipe are flushed before the process ends.
run().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `La sauvegarde a échoué / backup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
