import { checkTimeZone } from '../domain/artisan-settings.ts';
import { AppError, ConflictError, NotFoundError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import { EMAIL_PATTERN, normalizeEmail } from '../domain/public-code.ts';
import { checkSlug, mayBeSlug, suggestSlug } from '../domain/slug.ts';
import { linkMailHtml, linkSecretHash, newBusinessLink, newLinkSecret, readBusinessLink } from './account-link.ts';
import { passwordProblems, type PasswordHasher } from './admin-auth.ts';
import { normalizePhone } from './customer-input.ts';
import type { NewArtisan } from './first-start.ts';
import type { AccountMail, AccountMailer } from './password-reset.ts';
import type { Clock } from './ports/clock.ts';
import type { Randomness } from './ports/randomness.ts';

/**
 * Self-service sign-up (issue 19, item 3): a tradesperson creates their business (name, trade,
 * slug, time zone, contact) and its owner sign-in in one transaction. The business stays
 * unpublished (answered like an unknown one) until the address is confirmed with the e-mailed
 * single-use link, which publishes it and signs the owner in. SIGNUP chooses who may sign up:
 * anyone (`open`), holders of an operator's invitation (`invite`), or nobody (`closed`).
 * A visitor learns about other businesses only that a slug or an e-mail is taken.
 */

export type SignupMode = 'open' | 'invite' | 'closed';

export interface SignupInput {
  displayName: string;
  trade?: string;
  slug: string;
  timezone?: string;
  email: string;
  phone?: string;
  password: string;
  /** The invitation's secret (SIGNUP=invite). */
  invitation?: string;
}

export type CreateOutcome = 'created' | 'slug-taken' | 'email-taken' | 'invitation-invalid';

export interface SignupStore {
  slugTaken(slug: string): Promise<boolean>;
  /**
   * In one transaction: takes the invitation when one is given (unused, unexpired, for this
   * e-mail if bound to one), writes the business unconfirmed, its owner and the confirmation
   * link. Nothing is written unless the outcome is 'created'.
   */
  create(
    business: NewArtisan & { slug: string },
    confirmation: { tokenHash: string; expiresMs: number },
    invitationHash: string | undefined,
    nowMs: number,
  ): Promise<CreateOutcome>;
  /** The sign-up still waiting for its confirmation whose owner signs in with `email`. */
  pendingByEmail(email: string): Promise<{ artisanId: string; email: string; displayName: string } | undefined>;
  /** Keeps a new link unless `max` were made for the business since `sinceMs` (under a lock on the business). */
  addConfirmationWithin(artisanId: string, confirmation: { tokenHash: string; createdMs: number; expiresMs: number }, cap: { sinceMs: number; max: number }): Promise<boolean>;
  /**
   * In one transaction: takes the link if unused and unexpired, publishes the business and
   * voids its other links. The owner's sign-in e-mail and the slug, or undefined.
   */
  confirm(artisanId: string, tokenHash: string, nowMs: number): Promise<{ signInEmail: string; slug: string } | undefined>;
  addInvitation(invitation: { id: string; tokenHash: string; email: string | null; operatorId: string; createdMs: number; expiresMs: number }): Promise<void>;
  /** The invitations, latest first, with the business each one made (null once purged). */
  listInvitations(q: { limit: number; offset: number }): Promise<{ invitations: InvitationRecord[]; total: number }>;
  /** Revokes an invitation still unused; 'used' or 'missing' otherwise (a revoked one is 'revoked' again). */
  revokeInvitation(id: string, nowMs: number): Promise<'revoked' | 'used' | 'missing'>;
  /** Deletes the sign-ups never confirmed since before `beforeMs`; how many went. */
  purgeUnconfirmed(beforeMs: number): Promise<number>;
}

export interface InvitationRecord {
  id: string;
  email: string | null;
  operatorEmail: string | null;
  createdMs: number;
  expiresMs: number;
  usedMs: number | null;
  revokedMs: number | null;
  usedBy: { artisanId: string; displayName: string } | null;
}

export type InvitationStatus = 'pending' | 'used' | 'expired' | 'revoked';

/** Where an invitation stands at `nowMs` (used wins: a used one was valid when it was taken). */
export const invitationStatus = (i: Pick<InvitationRecord, 'usedMs' | 'revokedMs' | 'expiresMs'>, nowMs: number): InvitationStatus =>
  i.usedMs !== null ? 'used' : i.revokedMs !== null ? 'revoked' : i.expiresMs <= nowMs ? 'expired' : 'pending';

export const invitationNotFound = (): NotFoundError => new NotFoundError('INVITATION_NOT_FOUND', "Cette invitation n'existe pas.");
export const invitationUsed = (): ConflictError =>
  new ConflictError('INVITATION_USED', 'Cette invitation a déjà servi à une inscription : elle ne peut plus être révoquée. Suspendez l’entreprise si besoin.');

export const INVITATIONS_PAGE_SIZE = 20;

export const CONFIRM_HOURS = 24;
/** Confirmation links sent to one sign-up per hour at most (the first one included). */
export const CONFIRMATIONS_PER_HOUR = 3;
export const INVITATION_DAYS = 14;
/** Sign-ups never confirmed are deleted after this many days (their slug and e-mail are free again). */
export const UNCONFIRMED_DAYS = 7;

/** The trades offered on the page; anything else is typed in. */
export const TRADES = ['Plombier', 'Électricien', 'Chauffagiste'] as const;

export const signupClosed = (): AppError =>
  new AppError('SIGNUP_CLOSED', "Les inscriptions sont fermées sur cette instance d'ArtisanConnect. Contactez son exploitant pour ouvrir un espace.");
export const invitationInvalid = (): AppError =>
  new AppError(
    'INVITATION_INVALID',
    "L'inscription se fait sur invitation, et ce lien d'invitation n'est pas valable (déjà utilisé, expiré, incomplet ou prévu pour une autre adresse). Demandez-en un à l'exploitant.",
  );
export const slugTaken = (): ConflictError => new ConflictError('SLUG_TAKEN', 'Cette adresse est déjà prise : choisissez-en une autre.', [{ field: 'slug', message: 'Cette adresse est déjà prise.' }]);
export const emailTaken = (): ConflictError =>
  new ConflictError('EMAIL_TAKEN', 'Un espace existe déjà avec cette adresse e-mail : connectez-vous, ou utilisez « Mot de passe oublié ».', [
    { field: 'email', message: 'Cette adresse e-mail a déjà un espace.' },
  ]);
export const confirmLinkInvalid = (): AppError =>
  new AppError(
    'SIGNUP_LINK_INVALID',
    "Ce lien de confirmation n'est plus valable (déjà utilisé, expiré ou incomplet). Si votre adresse est déjà confirmée, connectez-vous ; sinon, demandez un nouveau lien.",
  );

const EMAIL_RE = new RegExp(EMAIL_PATTERN);
const oneLine = (s: string): string => s.trim().replace(/\s+/g, ' ');

function confirmationMail(email: string, displayName: string, link: string): AccountMail {
  const lines = [
    'Bonjour,',
    '',
    `Vous venez de créer l'espace « ${displayName} » sur ArtisanConnect.`,
    `Pour confirmer votre adresse et mettre votre page en ligne, ouvrez ce lien dans les ${CONFIRM_HOURS} heures :`,
    '',
    link,
    '',
    "Le lien ne sert qu'une fois. Vous réglerez ensuite vos horaires et votre première prestation.",
    "Si vous n'êtes pas à l'origine de cette inscription, ignorez ce message : rien ne sera publié.",
  ];
  const html = linkMailHtml(lines, link, 'Confirmer mon adresse');
  return { to: email, subject: 'Confirmez votre adresse — ArtisanConnect', text: lines.join('\n'), html };
}

export function makeSignup(deps: {
  mode: SignupMode;
  store: SignupStore;
  hasher: PasswordHasher;
  clock: Clock;
  random: Randomness;
  /** The page that opens a confirmation link (`?token=`) and the sign-up page (`?invitation=`). */
  confirmPageUrl: string;
  signupPageUrl: string;
  mailer: AccountMailer | undefined;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}) {
  const { store, clock, random, mode } = deps;
  const open = (): void => {
    if (mode === 'closed') throw signupClosed();
  };

  /** Sends a link; a failure is logged and the sign-up kept (the visitor can ask again). */
  async function mailLink(email: string, displayName: string, token: string): Promise<void> {
    if (!deps.mailer) {
      deps.log.warn({}, 'sign-up confirmation not sent: no mail server is configured (SMTP_URL)');
      return;
    }
    try {
      await deps.mailer(confirmationMail(email, displayName, `${deps.confirmPageUrl}?token=${encodeURIComponent(token)}`));
      deps.log.info({}, 'sign-up confirmation link sent');
    } catch (err) {
      deps.log.warn({ err }, 'sign-up confirmation e-mail failed');
    }
  }

  return {
    mode,

    /** The slug a name suggests, or the state of a chosen one: only "free", "taken" or why it is refused. */
    async checkSlug(q: { slug?: string; name?: string }): Promise<{ slug: string; available: boolean; message?: string }> {
      open();
      if (q.slug === undefined && q.name !== undefined) {
        const base = suggestSlug(q.name);
        // The name's own slug first, then the same with a number: the first free one is offered.
        for (const candidate of [base, ...[2, 3, 4, 5].map((n) => `${base.slice(0, 57)}-${n}`)]) {
          if (mayBeSlug(candidate) && !(await store.slugTaken(candidate))) return { slug: candidate, available: true };
        }
      }
      const details: ErrorDetail[] = [];
      const slug = checkSlug(q.slug ?? suggestSlug(q.name ?? ''), details);
      if (details.length > 0) return { slug, available: false, message: details[0]!.message };
      if (await store.slugTaken(slug)) return { slug, available: false, message: 'Cette adresse est déjà prise.' };
      return { slug, available: true };
    },

    /** Creates the business, unpublished, and e-mails the confirmation link. */
    async signUp(input: SignupInput): Promise<{ email: string; slug: string }> {
      open();
      const invitationHash = mode === 'invite' ? linkSecretHash(input.invitation ?? '') : undefined;
      if (mode === 'invite' && !invitationHash) throw invitationInvalid();

      const details: ErrorDetail[] = [];
      const displayName = oneLine(input.displayName);
      if (!displayName) details.push({ field: 'displayName', message: 'Le nom de votre entreprise est obligatoire.' });
      else if (displayName.length > 120) details.push({ field: 'displayName', message: 'Le nom doit compter au plus 120 caractères.' });
      const trade = oneLine(input.trade ?? '') || null;
      if (trade && trade.length > 80) details.push({ field: 'trade', message: 'Le métier doit compter au plus 80 caractères.' });
      const slug = checkSlug(input.slug, details);
      const timezone = checkTimeZone(input.timezone ?? 'Europe/Paris', details);
      const email = normalizeEmail(input.email);
      if (!EMAIL_RE.test(email) || email.length > 260) details.push({ field: 'email', message: "L'adresse e-mail n'est pas valide (exemple : contact@plomberie-dupont.fr)." });
      let phone: string | null = null;
      if (input.phone?.trim()) {
        phone = normalizePhone(input.phone) ?? null;
        if (!phone) details.push({ field: 'phone', message: "Le numéro de téléphone n'est pas valide." });
      }
      const problem = passwordProblems(input.password);
      if (problem) details.push({ field: 'password', message: problem });
      if (details.length > 0) throw new ValidationError(details);

      const artisanId = random.uuid();
      const link = newBusinessLink(random, artisanId);
      const now = clock.now();
      const outcome = await store.create(
        {
          artisanId,
          displayName,
          trade,
          contactEmail: email,
          phone,
          timezone: timezone!,
          userId: random.uuid(),
          signInEmail: email,
          passwordHash: await deps.hasher.hash(input.password),
          slug,
        },
        { tokenHash: link.tokenHash, expiresMs: now + CONFIRM_HOURS * 3_600_000 },
        invitationHash,
        now,
      );
      if (outcome === 'slug-taken') throw slugTaken();
      if (outcome === 'email-taken') throw emailTaken();
      if (outcome === 'invitation-invalid') throw invitationInvalid();
      await mailLink(email, displayName, link.token);
      return { email, slug };
    },

    /** A new confirmation link for a sign-up still waiting; the answer is the same either way. */
    async resend(rawEmail: string): Promise<void> {
      open();
      const pending = await store.pendingByEmail(normalizeEmail(rawEmail));
      if (!pending) return;
      const now = clock.now();
      const link = newBusinessLink(random, pending.artisanId);
      const kept = await store.addConfirmationWithin(
        pending.artisanId,
        { tokenHash: link.tokenHash, createdMs: now, expiresMs: now + CONFIRM_HOURS * 3_600_000 },
        { sinceMs: now - 3_600_000, max: CONFIRMATIONS_PER_HOUR },
      );
      if (!kept) {
        deps.log.info({}, 'sign-up confirmation not sent again: too many asked within the hour');
        return;
      }
      await mailLink(pending.email, pending.displayName, link.token);
    },

    /** Publishes the business of a valid link; the owner's sign-in e-mail (the caller signs them in). */
    async confirm(token: string): Promise<{ signInEmail: string; slug: string }> {
      const link = readBusinessLink(token);
      if (!link) throw confirmLinkInvalid();
      const confirmed = await store.confirm(link.artisanId, link.tokenHash, clock.now());
      if (!confirmed) throw confirmLinkInvalid();
      return confirmed;
    },

    /** An invitation link from the operator console (SIGNUP=invite), optionally for one e-mail. */
    async invite(operatorId: string, rawEmail: string | undefined): Promise<{ id: string; url: string; email: string | null; expiresMs: number }> {
      const email = rawEmail?.trim() ? normalizeEmail(rawEmail) : null;
      if (email !== null && !EMAIL_RE.test(email)) throw new ValidationError([{ field: 'email', message: "L'adresse e-mail n'est pas valide." }]);
      const { token, tokenHash } = newLinkSecret(random);
      const now = clock.now();
      const expiresMs = now + INVITATION_DAYS * 86_400_000;
      const id = random.uuid();
      await store.addInvitation({ id, tokenHash, email, operatorId, createdMs: now, expiresMs });
      return { id, url: `${deps.signupPageUrl}?invitation=${encodeURIComponent(token)}`, email, expiresMs };
    },

    /** The console's list: every invitation, latest first, with where it stands now. */
    async invitations(q: { page?: number }) {
      const page = Math.max(1, Math.floor(q.page ?? 1));
      const nowMs = clock.now();
      const result = await store.listInvitations({ limit: INVITATIONS_PAGE_SIZE, offset: (page - 1) * INVITATIONS_PAGE_SIZE });
      return {
        total: result.total,
        page,
        pageSize: INVITATIONS_PAGE_SIZE,
        invitations: result.invitations.map((i) => ({ ...i, status: invitationStatus(i, nowMs) })),
      };
    },

    /** An unused invitation opens nothing from now on (expired ones too: revoking them is harmless). */
    async revokeInvitation(id: string): Promise<void> {
      const outcome = await store.revokeInvitation(id, clock.now());
      if (outcome === 'missing') throw invitationNotFound();
      if (outcome === 'used') throw invitationUsed();
    },

    /** Retention: sign-ups never confirmed within UNCONFIRMED_DAYS are deleted. */
    purgeUnconfirmed: () => store.purgeUnconfirmed(clock.now() - UNCONFIRMED_DAYS * 86_400_000),
  };
}

export type Signup = ReturnType<typeof makeSignup>;
