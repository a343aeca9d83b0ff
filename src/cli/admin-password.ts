import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv, ConfigError } from '../config.ts';
import { adminAuthOn, openDatabase, systemRandom } from '../main.ts';
import { migrate } from '../adapters/db/migrate.ts';
import { generatePassword } from '../app/admin-auth.ts';
import { AppError } from '../domain/errors.ts';

/**
 * `npm run admin:password -- [--email e] [--password p | --generate]`: sets the artisan's
 * password on the configured database (DATABASE_URL, or DATA_DIR: stop the server first,
 * the embedded database has a single owner). Every open session is ended.
 */
async function run(): Promise<number> {
  loadDotEnv();
  const { values } = parseArgs({
    options: { email: { type: 'string' }, password: { type: 'string' }, generate: { type: 'boolean' } },
  });
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const auth = adminAuthOn(db, { sessionHours: config.adminSessionHours });
    await auth.ensureLogins();
    let email = values.email;
    if (!email) {
      const users = await db.query<{ email: string }>('SELECT email FROM admin_users ORDER BY created_at');
      if (users.length !== 1) {
        console.error('Précisez le compte : --email adresse@exemple.fr');
        return 2;
      }
      email = users[0]!.email;
    }
    let password = values.password;
    let generated = false;
    if (!password && !values.generate && process.stdin.isTTY) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      password = await rl.question('Nouveau mot de passe (10 caractères au moins) : ');
      const again = await rl.question('Confirmez le mot de passe : ');
      rl.close();
      if (password !== again) {
        console.error('Les deux saisies ne correspondent pas.');
        return 1;
      }
    }
    if (!password) {
      password = generatePassword(systemRandom);
      generated = true;
    }
    await auth.setPassword(email, password);
    console.log(`Mot de passe mis à jour pour ${email}.${generated ? ` Nouveau mot de passe : ${password}` : ''}`);
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
