import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv, ConfigError } from '../config.ts';
import { openDatabase, operatorAuthOn, systemRandom } from '../main.ts';
import { migrate } from '../adapters/db/migrate.ts';
import { generatePassword } from '../app/admin-auth.ts';
import { AppError } from '../domain/errors.ts';

/**
 * `npm run operator:create -- --email e [--password p | --generate]`: creates an operator
 * account of the console (/operator) on the configured database (DATABASE_URL, or DATA_DIR:
 * stop the server first, the embedded database has a single owner). With `--reset`, sets the
 * password of an existing operator instead, ending their sessions.
 */
async function run(): Promise<number> {
  loadDotEnv();
  const { values } = parseArgs({
    options: { email: { type: 'string' }, password: { type: 'string' }, generate: { type: 'boolean' }, reset: { type: 'boolean' } },
  });
  if (!values.email) {
    console.error('Précisez le compte : --email adresse@exemple.fr');
    return 2;
  }
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const auth = operatorAuthOn(db, { sessionHours: config.adminSessionHours });
    let password = values.password;
    if (!password && !values.generate && process.stdin.isTTY) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      password = await rl.question('Mot de passe (10 caractères au moins) : ');
      const again = await rl.question('Confirmez le mot de passe : ');
      rl.close();
      if (password !== again) {
        console.error('Les deux saisies ne correspondent pas.');
        return 1;
      }
    }
    const generated = !password;
    password ||= generatePassword(systemRandom);
    if (values.reset) await auth.setPassword(values.email, password);
    else await auth.create(values.email, password);
    console.log(
      `${values.reset ? 'Mot de passe mis à jour' : 'Compte opérateur créé'} pour ${values.email.trim().toLowerCase()}.${generated ? ` Mot de passe : ${password}` : ''}`,
    );
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      console.error(error.details?.map((d) => d.message).join(' ') || error.message);
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
