import { bookingNotFound, ConflictError, NotFoundError, PolicyError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import { normalizeEmail, normalizePublicCode } from '../domain/public-code.ts';
import type { PlanCode } from '../domain/plans.ts';
import type { MemberRole, Principal } from './admin-auth.ts';
import { linkMailHtml } from './account-link.ts';
import { roleForbidden } from './member-roles.ts';
import type { AccountMail, PasswordReset } from './password-reset.ts';
import type { Clock } from './ports/clock.ts';
import type { Randomness } from './ports/randomness.ts';

/**
 * The members and teams of a business (issue 20, items 1 and 2). A member is a back-office
 * login with a name, an optional phone, a role, an active flag and a priority; the business's
 * first login is its owner. Members are invited by e-mail: the invitation is the password
 * reset's single-use hashed link (src/app/password-reset.ts), valid INVITATION_DAYS, that
 * opens the same "choose your password" page. Starter and Pro have one member, the owner;
 * Business any number (leaving Business deactivates the others: migration 0041).
 */

export interface Member {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  role: MemberRole;
  active: boolean;
  priority: number;
  /** false while an invited member has not chosen their password yet. */
  joined: boolean;
  invitedMs: number | null;
  createdMs: number;
  teamIds: string[];
}

export interface Team {
  id: string;
  name: string;
  memberIds: string[];
  createdMs: number;
}

export interface MemberPatch {
  name?: string;
  phone?: string | null;
  role?: MemberRole;
  priority?: number;
  active?: boolean;
}

export interface MemberStore {
  list(artisanId: string): Promise<Member[]>;
  get(artisanId: string, id: string): Promise<Member | undefined>;
  /** Under a lock on the business row (a plan change waits): 'plan' when it is not on Business. */
  insert(m: { artisanId: string; id: string; name: string; email: string; phone: string | null; role: MemberRole; priority: number }, nowMs: number): Promise<'ok' | 'plan' | 'email-taken'>;
  /**
   * In one transaction: refuses to leave the business without an active owner ('last-owner') or
   * to reactivate a member beyond the plan ('plan'); a deactivated member's sessions end.
   */
  update(artisanId: string, id: string, patch: MemberPatch, nowMs: number): Promise<Member | 'not-found' | 'last-owner' | 'plan'>;
  planOf(artisanId: string): Promise<{ plan: PlanCode; displayName: string } | undefined>;
  /** Whether the booking of that code is given to that member. */
  isAssigned(artisanId: string, memberId: string, publicCode: string): Promise<boolean>;
  listTeams(artisanId: string): Promise<Team[]>;
  /** 'name-taken' when the business already has a team of that name (case ignored); 'member' when a member id is not the business's. */
  saveTeam(artisanId: string, team: { id: string; name: string; memberIds: string[] }, nowMs: number, create: boolean): Promise<Team | 'not-found' | 'name-taken' | 'member'>;
  /** Deletes the team; its bookings keep their technician and lose the team. */
  deleteTeam(artisanId: string, id: string): Promise<boolean>;
  /** Gives a booking to a member and/or team (null clears); what of them was not found. */
  assign(artisanId: string, publicCode: string, to: { technicianId: string | null; teamId: string | null }, nowMs: number): Promise<'ok' | 'booking' | 'member' | 'team' | 'busy'>;
}

/** How long an invitation link opens (the reset link's machinery, a longer life). */
export const INVITATION_DAYS = 7;
const NAME_MAX = 80;

export const memberNotFound = (): NotFoundError => new NotFoundError('MEMBER_NOT_FOUND', "Ce membre n'existe pas dans votre entreprise.");
export const teamNotFound = (): NotFoundError => new NotFoundError('TEAM_NOT_FOUND', "Cette équipe n'existe pas dans votre entreprise.");
const planAllowsOneMember = (): PolicyError =>
  new PolicyError('PLAN_LIMIT_REACHED', "Votre abonnement ne permet qu'un membre, le responsable du compte : l'offre Business permet d'inviter des techniciens et une équipe de bureau.");
const lastOwner = (): ConflictError =>
  new ConflictError('LAST_OWNER', "L'entreprise doit garder au moins un responsable actif : nommez-en un autre avant de changer ce rôle ou de désactiver ce membre.");
const emailTaken = (): ConflictError =>
  new ConflictError('EMAIL_TAKEN', 'Cette adresse e-mail a déjà un compte ArtisanConnect : invitez une autre adresse.', [
    { field: 'email', message: 'Adresse déjà utilisée par un compte.' },
  ]);

const ROLE_LABEL: Record<MemberRole, string> = { owner: 'responsable', office: 'bureau', technician: 'technicien' };

function invitationMail(to: string, business: string, name: string, role: MemberRole, link: string): AccountMail {
  const lines = [
    `Bonjour ${name},`,
    '',
    `${business} vous invite à rejoindre son espace ArtisanConnect en tant que ${ROLE_LABEL[role]}.`,
    `Pour choisir votre mot de passe, ouvrez ce lien dans les ${INVITATION_DAYS} jours :`,
    '',
    link,
    '',
    `Le lien ne sert qu'une fois. Vous vous connecterez ensuite à l'espace artisan avec cette adresse (${to}) et ce mot de passe.`,
    "Si vous ne vous attendiez pas à cette invitation, ignorez ce message : aucun compte ne sera utilisable sans ce lien.",
  ];
  return { to, subject: `${business} vous invite sur ArtisanConnect`, text: lines.join('\n'), html: linkMailHtml(lines, link, 'Choisir mon mot de passe') };
}

function checkName(name: string | undefined, field = 'name'): ErrorDetail[] {
  if (name === undefined) return [];
  const trimmed = name.trim();
  return trimmed && trimmed.length <= NAME_MAX ? [] : [{ field, message: `Le nom est obligatoire (${NAME_MAX} caractères au plus).` }];
}

export function makeMembers(deps: {
  store: MemberStore;
  invitations: PasswordReset;
  clock: Clock;
  random: Randomness;
  /** Drops a member's remembered sessions (deactivated). */
  forgetUser: (memberId: string) => void;
}) {
  const { store, clock, random } = deps;
  const roleOf = (p: Principal): MemberRole => (p.via === 'session' ? (p.role ?? 'owner') : 'owner');

  const sendInvitation = async (artisanId: string, member: Member): Promise<boolean> => {
    const business = (await store.planOf(artisanId))?.displayName ?? 'Votre entreprise';
    const outcome = await deps.invitations.sendLink(
      { id: member.id, email: member.email, artisanId },
      INVITATION_DAYS * 24 * 60,
      (link) => invitationMail(member.email, business, member.name, member.role, link),
    );
    return outcome === 'sent';
  };

  return {
    list: (artisanId: string) => store.list(artisanId),

    async get(artisanId: string, id: string): Promise<Member> {
      const m = await store.get(artisanId, id);
      if (!m) throw memberNotFound();
      return m;
    },

    /** Invites a member: their login exists at once, without a password, and the link is e-mailed. */
    async invite(by: Principal, input: { name: string; email: string; phone?: string | null; role: MemberRole; priority?: number }): Promise<{ member: Member; emailSent: boolean }> {
      const problems = checkName(input.name);
      if (problems.length > 0) throw new ValidationError(problems);
      if (input.role === 'owner' && roleOf(by) !== 'owner') throw roleForbidden();
      const id = random.uuid();
      const outcome = await store.insert(
        { artisanId: by.artisanId, id, name: input.name.trim(), email: normalizeEmail(input.email), phone: input.phone?.trim() || null, role: input.role, priority: input.priority ?? 0 },
        clock.now(),
      );
      if (outcome === 'plan') throw planAllowsOneMember();
      if (outcome === 'email-taken') throw emailTaken();
      const member = (await store.get(by.artisanId, id))!;
      return { member, emailSent: await sendInvitation(by.artisanId, member) };
    },

    /** Sends the invitation again to a member who has not chosen a password yet. */
    async reinvite(by: Principal, id: string): Promise<{ member: Member; emailSent: boolean }> {
      const member = await store.get(by.artisanId, id);
      if (!member) throw memberNotFound();
      if (member.joined || !member.active) {
        throw new ConflictError('MEMBER_ALREADY_JOINED', member.active ? 'Ce membre a déjà choisi son mot de passe : il peut se connecter.' : "Ce membre est désactivé : réactivez-le d'abord.");
      }
      return { member, emailSent: await sendInvitation(by.artisanId, member) };
    },

    /** Changes a member (name, phone, role, priority, active). Office may not touch an owner nor name one. */
    async update(by: Principal, id: string, patch: MemberPatch): Promise<Member> {
      const problems = checkName(patch.name);
      if (problems.length > 0) throw new ValidationError(problems);
      const current = await store.get(by.artisanId, id);
      if (!current) throw memberNotFound();
      if (roleOf(by) !== 'owner' && (current.role === 'owner' || patch.role === 'owner')) throw roleForbidden();
      const outcome = await store.update(
        by.artisanId,
        id,
        { ...patch, ...(patch.name !== undefined ? { name: patch.name.trim() } : {}), ...(patch.phone !== undefined ? { phone: patch.phone?.trim() || null } : {}) },
        clock.now(),
      );
      if (outcome === 'not-found') throw memberNotFound();
      if (outcome === 'last-owner') throw lastOwner();
      if (outcome === 'plan') throw planAllowsOneMember();
      if (!outcome.active) deps.forgetUser(id);
      return outcome;
    },

    listTeams: (artisanId: string) => store.listTeams(artisanId),

    async saveTeam(artisanId: string, input: { id?: string; name: string; memberIds: string[] }): Promise<Team> {
      const problems = checkName(input.name);
      if (problems.length > 0) throw new ValidationError(problems);
      const outcome = await store.saveTeam(artisanId, { id: input.id ?? random.uuid(), name: input.name.trim(), memberIds: [...new Set(input.memberIds)] }, clock.now(), input.id === undefined);
      if (outcome === 'not-found') throw teamNotFound();
      if (outcome === 'member') throw memberNotFound();
      if (outcome === 'name-taken') {
        throw new ConflictError('TEAM_NAME_TAKEN', 'Une équipe porte déjà ce nom.', [{ field: 'name', message: 'Choisissez un autre nom.' }]);
      }
      return outcome;
    },

    async deleteTeam(artisanId: string, id: string): Promise<void> {
      if (!(await store.deleteTeam(artisanId, id))) throw teamNotFound();
    },

    /** Gives a booking to a member and/or team; another business's ids answer as missing. */
    async assign(artisanId: string, code: string, to: { technicianId: string | null; teamId: string | null }): Promise<void> {
      const publicCode = normalizePublicCode(code);
      const outcome = publicCode ? await store.assign(artisanId, publicCode, to, clock.now()) : 'booking';
      if (outcome === 'booking') throw bookingNotFound();
      if (outcome === 'member') throw memberNotFound();
      if (outcome === 'team') throw teamNotFound();
      if (outcome === 'busy') throw new ConflictError('TECHNICIAN_BUSY', 'Ce technicien a déjà un rendez-vous sur ce créneau : confiez celui-ci à un autre membre ou déplacez-le.');
    },
  };
}

export type Members = ReturnType<typeof makeMembers>;
