import { createInterface } from 'node:readline/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, loadDotEnv, ConfigError, type Config } from '../config.ts';
import { openDatabase, systemRandom } from '../main.ts';
import { migrate } from '../adapters/db/migrate.ts';
import type { Database } from '../adapters/db/database.ts';
import { generatePassword } from '../app/admin-auth.ts';
import { AppError } from '../domain/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

/** A password from --password, else typed twice on a terminal, else generated (and to be printed). */
export async function choosePassword(values: Values, prompt: string): Promise<{ password: string; generated: boolean } | null> {
  let password = typeof values.password === 'string' ? values.password : undefined;
  if (!password && !values.generate && process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    password = await rl.question(`${prompt} (10 caractères au moins) : `);
    const again = await rl.question('Confirmez le mot de passe : ');
    rl.close();
    if (password !== again) {
      console.error('Les deux saisies ne correspondent pas.');
      return null;
    }
  }
  return password ? { password, generated: false } : { password: generatePassword(systemRandom), generated: true };
}

/**
 * The frame both account CLIs share (`npm run admin:password`, `npm run operator:create`):
 * arguments, the configured database migrated, a refused input (AppError) printed in French
 * with exit code 1, and the database closed whatever happens.
 */
export function runAccountCli(options: Options, work: (db: Database, config: Config, values: Values) => Promise<number>): void {
  const run = async (): Promise<number> => {
    loadDotEnv();
    const { values } = parseArgs({ options: { password: { type: 'string' }, generate: { type: 'boolean' }, ...options } });
    const config = loadConfig();
    const db = await openDatabase(config);
    try {
      await migrate(db);
      return await work(db, config, values as Values);
    } catch (error) {
      if (error instanceof AppError) {
        console.error(error.details?.map((d) => d.message).join(' ') || error.message);
        return 1;
      }
      throw error;
    } finally {
      await db.close();
    }
  };
  run().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof ConfigError ? error.message : error);
      process.exit(1);
    },
  );
}
