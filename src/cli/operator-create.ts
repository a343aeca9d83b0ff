import { operatorAuthOn } from '../main.ts';
import { choosePassword, runAccountCli } from './account-cli.ts';

/**
 * `npm run operator:create -- --email e [--password p | --generate]`: creates an operator
 * account of the console (/operator) on the configured database (DATABASE_URL, or DATA_DIR:
 * stop the server first, the embedded database has a single owner). With `--reset`, sets the
 * password of an existing operator instead, ending their sessions.
 */
runAccountCli({ email: { type: 'string' }, reset: { type: 'boolean' } }, async (db, config, values) => {
  const email = typeof values.email === 'string' ? values.email : undefined;
  if (!email) {
    console.error('Précisez le compte : --email adresse@exemple.fr');
    return 2;
  }
  const auth = operatorAuthOn(db, { sessionHours: config.adminSessionHours });
  const chosen = await choosePassword(values, 'Mot de passe');
  if (!chosen) return 1;
  if (values.reset) await auth.setPassword(email, chosen.password);
  else await auth.create(email, chosen.password);
  console.log(
    `${values.reset ? 'Mot de passe mis à jour' : 'Compte opérateur créé'} pour ${email.trim().toLowerCase()}.${chosen.generated ? ` Mot de passe : ${chosen.password}` : ''}`,
  );
  return 0;
});
