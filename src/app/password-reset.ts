import { AppError, ValidationError } from '../domain/errors.ts';
import { normalizeEmail } from '../domain/public-code.ts';
import { passwordProblems, type PasswordHasher } from './admin-auth.ts';
import { linkMailHtml, linkSecretHash, newBusinessLink, newLinkSecret, readBusinessLink } from './account-link.ts';
import type { Clock } from './ports/clock.ts';
import type { Randomness } from './ports/randomness.ts';

/**
 * "Mot de passe oublié" (issue 19, item 3), for artisans and operators alike: a single-use
 * link e-mailed to the account, valid RESET_MINUTES. Only the SHA-256 of its secret is kept;
 * using it sets the password and ends every session of the account. Asking answers the same
 * thing, in the same time, whether the address has an account or not: the work (lookup,
 * token, e-mail) runs after the answer.
 */

export interface ResetAccount {
  id: string;
  email: string;
  /** The business an artisan's account belongs to (it leads the reset's key); null for an operator. */
  artisanId: string | null;
}

export interface PasswordResetStore {
  findAccount(email: string): Promise<ResetAccount | undefined>;
  /**
   * Keeps the reset unless `max` were already asked for this account since `sinceMs` (used or
   * not): counted and written under a lock on the account, so requests at once cannot pass
   * the cap together. false when the cap was reached (nothing written).
   */
  insertWithin(account: ResetAccount, reset: { tokenHash: string; createdMs: number; expiresMs: number }, cap: { sinceMs: number; max: number }): Promise<boolean>;
  /**
   * In one transaction: takes the reset if it is unused and unexpired, marks it used, sets the
   * password hash and ends the account's sessions. The account's id, or undefined.
   */
  consume(artisanId: string | null, tokenHash: string, nowMs: number, passwordHash: string): Promise<string | undefined>;
}

export interface AccountMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The X-ArtisanConnect-Kind header (password_reset when not given). */
  kind?: string;
}

/** Sends an e-mail about an account (not a booking): SMTP, or nothing when none is configured. */
export type AccountMailer = (mail: AccountMail) => Promise<void>;

export const RESET_MINUTES = 60;
/** Links sent to one account per hour at most; asking again meanwhile sends nothing more. */
export const RESETS_PER_HOUR = 3;


export const resetLinkInvalid = (): AppError =>
  new AppError('RESET_LINK_INVALID', "Ce lien de réinitialisation n'est plus valable (déjà utilisé, expiré ou incomplet). Demandez-en un nouveau depuis l'écran de connexion.");

function resetMail(space: string, email: string, link: string): AccountMail {
  const lines = [
    'Bonjour,',
    '',
    `Une demande de nouveau mot de passe a été faite pour ${space} ArtisanConnect (${email}).`,
    `Pour choisir votre nouveau mot de passe, ouvrez ce lien dans l'heure :`,
    '',
    link,
    '',
    "Le lien ne sert qu'une fois. Une fois le mot de passe changé, toutes vos sessions ouvertes sont fermées.",
    "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.",
  ];
  const html = linkMailHtml(lines, link, 'Choisir un nouveau mot de passe');
  return { to: email, subject: 'Choisissez un nouveau mot de passe — ArtisanConnect', text: lines.join('\n'), html };
}

export function makePasswordReset(deps: {
  kind: 'artisan' | 'operator';
  store: PasswordResetStore;
  hasher: PasswordHasher;
  clock: Clock;
  random: Randomness;
  /** The page that opens the link; the token is added as `?token=`. */
  pageUrl: string;
  /** undefined when no mail server is configured (the request is then only logged). */
  mailer: AccountMailer | undefined;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** Runs once a password was reset (drops the account's cached sessions). */
  onReset?: (accountId: string) => void;
}) {
  const { store, clock, random } = deps;
  const inFlight = new Set<Promise<void>>();
  const space = deps.kind === 'artisan' ? 'votre espace artisan' : 'votre compte de la console opérateur';

  /**
   * Issues a single-use link for `account`, valid `minutes`, and e-mails what `mail` makes of
   * it (a reset, or a member's invitation: src/app/members.ts). Capped at RESETS_PER_HOUR links
   * an hour per account, whatever their kind.
   */
  async function sendLink(account: ResetAccount, minutes: number, mail: (link: string) => AccountMail): Promise<'sent' | 'capped' | 'no-mailer'> {
    const now = clock.now();
    if (!deps.mailer) {
      deps.log.warn({ kind: deps.kind }, 'account link asked but no mail server is configured (SMTP_URL): use the CLI to set a password');
      return 'no-mailer';
    }
    const { token, tokenHash } = account.artisanId ? newBusinessLink(random, account.artisanId) : newLinkSecret(random);
    const kept = await store.insertWithin(
      account,
      { tokenHash, createdMs: now, expiresMs: now + minutes * 60_000 },
      { sinceMs: now - 3_600_000, max: RESETS_PER_HOUR },
    );
    if (!kept) {
      deps.log.info({ kind: deps.kind }, 'account link not sent: too many asked within the hour');
      return 'capped';
    }
    await deps.mailer(mail(`${deps.pageUrl}?token=${encodeURIComponent(token)}`));
    deps.log.info({ kind: deps.kind }, 'account link sent');
    return 'sent';
  }

  async function send(email: string): Promise<void> {
    const account = await store.findAccount(normalizeEmail(email));
    if (!account) return;
    await sendLink(account, RESET_MINUTES, (link) => resetMail(space, account.email, link));
  }

  return {
    sendLink,

    /** Starts the request and returns at once, whatever the address (the answer tells nothing). */
    request(email: string): void {
      const job = send(email).catch((err: unknown) => deps.log.warn({ err, kind: deps.kind }, 'password reset e-mail failed'));
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
    },

    /** Sets the new password with a link's token; RESET_LINK_INVALID when it opens nothing. */
    async reset(token: string, password: string): Promise<void> {
      const problem = passwordProblems(password);
      if (problem) throw new ValidationError([{ field: 'password', message: problem }]);
      const link = deps.kind === 'artisan' ? readBusinessLink(token) : { artisanId: null, tokenHash: linkSecretHash(token) };
      if (!link?.tokenHash) throw resetLinkInvalid();
      const accountId = await store.consume(link.artisanId, link.tokenHash, clock.now(), await deps.hasher.hash(password));
      if (!accountId) throw resetLinkInvalid();
      deps.onReset?.(accountId);
    },

    /** Waits for the requests still being handled (shutdown, tests). */
    async drain(): Promise<void> {
      await Promise.all([...inFlight]);
    },
  };
}

export type PasswordReset = ReturnType<typeof makePasswordReset>;
