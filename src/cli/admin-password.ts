import { adminAuthOn } from '../main.ts';
import { choosePassword, runAccountCli } from './account-cli.ts';

/**
 * `npm run admin:password -- [--email e] [--password p | --generate]`: sets an artisan's
 * password on the configured database (DATABASE_URL, or DATA_DIR: stop the server first,
 * the embedded database has a single owner). Every open session of that account is ended.
 * Without --email, the instance must have a single sign-in. A business written without a
 * login (by hand, in SQL) gets one under its contact e-mail with --email that address.
 */
runAccountCli({ email: { type: 'string' } }, async (db, config, values) => {
  const auth = adminAuthOn(db, { sessionHours: config.adminSessionHours });
  let email = typeof values.email === 'string' ? values.email : undefined;
  await auth.ensureLogins({ email });
  if (!email) {
    const users = await db.query<{ email: string }>('SELECT email FROM admin_users ORDER BY created_at LIMIT 2');
    if (users.length !== 1) {
      console.error('Précisez le compte : --email adresse@exemple.fr');
      return 2;
    }
    email = users[0]!.email;
  }
  const chosen = await choosePassword(values, 'Nouveau mot de passe');
  if (!chosen) return 1;
  await auth.setPassword(email, chosen.password);
  console.log(`Mot de passe mis à jour pour ${email}.${chosen.generated ? ` Nouveau mot de passe : ${chosen.password}` : ''}`);
  return 0;
});
