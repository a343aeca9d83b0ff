import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError, AuthError, NotFoundError, ValidationError, unauthenticated } from '../domain/errors.ts';
import { normalizeEmail } from '../domain/public-code.ts';
import type { PlanCode } from '../domain/plans.ts';
import type { Clock } from './ports/clock.ts';
import type { Randomness } from './ports/randomness.ts';

/** Sign-in, sessions and API tokens of the artisan's back office (decisions §8). */

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(stored: string, password: string): Promise<boolean>;
}

/** A member's role in their business (issue 20): see src/app/member-roles.ts for what each may do. */
export const MEMBER_ROLES = ['owner', 'office', 'technician'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export interface AdminUser {
  id: string;
  artisanId: string;
  email: string;
  passwordHash: string;
  /** The member's role; every business's first login is its owner. */
  role?: MemberRole;
}

/**
 * What an API token may do, chosen when it is created (stable identifiers: integrations and
 * the OpenAPI document name them). A session has every right; token management, the password
 * and the backup are for the session only, whatever the token's scopes.
 */
export const TOKEN_SCOPES = [
  'bookings:read',
  'bookings:write',
  'availability:read',
  'services:read',
  'services:write',
  'settings',
  'calendars',
  'export',
  'webhooks:manage',
] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/**
 * Scopes a broader one grants too. The finer scopes came after keys were made with the broader
 * ones (`settings` opened the services, `bookings:read` the availability): those keys keep
 * what they could do.
 */
const GRANTED_BY: Partial<Record<TokenScope, readonly TokenScope[]>> = {
  'services:read': ['services:write', 'settings'],
  'services:write': ['settings'],
  'availability:read': ['bookings:read'],
};

/**
 * What an admin route asks of its caller: a token scope, only being signed in (`signed-in`:
 * any token or the session), or the artisan's session (`session`: no token at all).
 */
export type AdminAccess = TokenScope | 'signed-in' | 'session';

export interface ApiTokenRecord {
  id: string;
  artisanId: string;
  name: string;
  prefix: string;
  scopes: readonly TokenScope[];
  /** The token that created this one (revoking it revokes this one); null when made by a session. */
  createdByTokenId: string | null;
  createdMs: number;
  lastUsedMs: number | null;
  revokedMs: number | null;
  /** After this instant the key is refused (401); null: it does not expire. */
  expiresMs: number | null;
}

export interface AdminAuthStore {
  findUserByEmail(email: string): Promise<AdminUser | undefined>;
  /**
   * A business that has no back office login yet: the instance's sole business, or the one whose
   * contact e-mail is `email`. One or two reads, whatever the number of businesses.
   */
  businessWithoutLogin(which: 'sole' | { email: string }): Promise<{ id: string; email: string } | undefined>;
  insertUser(user: AdminUser, nowMs: number): Promise<void>;
  /** Sets a new password hash and ends every session of that user. */
  setPassword(userId: string, passwordHash: string, nowMs: number): Promise<void>;
  insertSession(s: { tokenHash: string; artisanId: string; userId: string; csrfToken: string; createdMs: number; expiresMs: number }): Promise<void>;
  findSession(tokenHash: string, nowMs: number): Promise<{ user: AdminUser; csrfToken: string; expiresMs: number } | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  insertApiToken(token: ApiTokenRecord & { tokenHash: string }): Promise<boolean>;
  findApiToken(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  touchApiToken(artisanId: string, id: string, nowMs: number): Promise<void>;
  listApiTokens(artisanId: string): Promise<ApiTokenRecord[]>;
  /** Revokes the token and, in turn, every live token it created; the ids revoked (none when it was not live). */
  revokeApiToken(artisanId: string, id: string, nowMs: number): Promise<string[]>;
  /** The instance's business when it has exactly one (ADMIN_API_TOKEN is that business's). */
  soleArtisanId(): Promise<string | undefined>;
  /** The artisan's display name, sign-in e-mail (the first login's, for a token) and time zone. */
  accountOf(
    artisanId: string,
  ): Promise<{ displayName: string; signInEmail: string | null; timezone: string; plan: PlanCode; suspended: boolean } | undefined>;
}

export interface Principal {
  artisanId: string;
  actor: string;
  via: 'session' | 'token';
  email?: string;
  csrfToken?: string;
  /** A token's own id and scopes (a session has every right). */
  tokenId?: string;
  scopes?: readonly TokenScope[];
  /** A session's member and role (an API token acts for the business, within its scopes). */
  memberId?: string;
  role?: MemberRole;
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
export const API_TOKEN_PREFIX = 'ac_';
const PASSWORD_MIN = 10;
const PASSWORD_MAX = 200;
/** An API token's "last used" is rewritten at most once a minute. */
export const TOKEN_TOUCH_EVERY_MS = 60_000;
/**
 * How long a checked credential (API token or session) is taken on trust by this process
 * without asking the database again. Revoking a token, signing out and changing the password
 * through this process take effect at once (the entries are dropped); done elsewhere (another
 * instance, `npm run admin:password` against a shared PostgreSQL) they take effect here within
 * this bound.
 */
export const AUTH_CACHE_MS = 5_000;
/** Credentials remembered at most (distinct tokens and sessions seen within AUTH_CACHE_MS). */
export const AUTH_CACHE_MAX = 1_000;

interface CheckedCredential {
  principal: Principal;
  /** When the database said yes (monotonic ms). */
  checkedAt: number;
  tokenId?: string;
  lastUsedMs?: number | null;
  userId?: string;
  /** The session's or the key's own end (service clock). */
  expiresMs?: number;
}

export const invalidCredentials = (): AppError =>
  new AppError('INVALID_CREDENTIALS', 'Adresse e-mail ou mot de passe incorrect.');

export const sessionRequired = (): AuthError =>
  new AuthError('SESSION_REQUIRED', "Cette action demande une session artisan : connectez-vous à l’espace artisan, un jeton d’API ne peut pas la faire.");

export const tokenScopeMissing = (scope: TokenScope): AuthError =>
  new AuthError('TOKEN_SCOPE_MISSING', `Ce jeton d’API n’a pas le droit « ${scope} » nécessaire à cette action : créez depuis l’espace artisan un jeton qui l’a.`);

/**
 * Why `principal` may not call a route that asks for `access`, or undefined when it may.
 * A route that declares nothing is for the session only: forgetting the declaration refuses
 * tokens rather than letting every token in.
 */
export function accessRefusal(principal: Principal, access: AdminAccess | undefined): AuthError | undefined {
  if (principal.via === 'session' || access === 'signed-in') return undefined;
  if (access === undefined || access === 'session') return sessionRequired();
  const held = principal.scopes ?? [];
  return held.includes(access) || (GRANTED_BY[access] ?? []).some((s) => held.includes(s)) ? undefined : tokenScopeMissing(access);
}

export function passwordProblems(password: string): string | undefined {
  if (password.length < PASSWORD_MIN) return `Le mot de passe doit contenir au moins ${PASSWORD_MIN} caractères.`;
  if (password.length > PASSWORD_MAX) return `Le mot de passe doit contenir au plus ${PASSWORD_MAX} caractères.`;
  return undefined;
}

/** A readable random password (no look-alike characters), for first starts and resets. */
export function generatePassword(random: Randomness, length = 16): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = random.bytes(length * 2);
  let out = '';
  for (const b of bytes) {
    // Rejection sampling keeps every character equally likely.
    if (b >= 256 - (256 % alphabet.length)) continue;
    out += alphabet[b % alphabet.length];
    if (out.length === length) break;
  }
  return out.length === length ? out : generatePassword(random, length);
}

export function makeAdminAuth(deps: {
  store: AdminAuthStore;
  hasher: PasswordHasher;
  clock: Clock;
  random: Randomness;
  sessionHours: number;
  /** Monotonic ms for the credential cache's age (not the service clock, which tests set). */
  monotonic?: () => number;
}) {
  const { store, hasher, clock, random } = deps;
  const monotonic = deps.monotonic ?? (() => performance.now());
  // Keyed by the credential's hash; every revocation, sign-out or password change made
  // through this process drops its entries and moves `generation`, so a lookup that was in
  // flight meanwhile does not put back what was just ended.
  const checked = new Map<string, CheckedCredential>();
  let generation = 0;
  const forget = (drop: (entry: CheckedCredential, key: string) => boolean): void => {
    generation++;
    for (const [key, entry] of checked) if (drop(entry, key)) checked.delete(key);
  };
  const remember = (key: string, entry: CheckedCredential, since: number): void => {
    if (since !== generation) return;
    if (checked.size >= AUTH_CACHE_MAX) {
      const now = monotonic();
      for (const [k, e] of checked) if (now - e.checkedAt >= AUTH_CACHE_MS) checked.delete(k);
      // Still full: the oldest goes (a Map iterates in insertion order).
      if (checked.size >= AUTH_CACHE_MAX) checked.delete(checked.keys().next().value as string);
    }
    checked.set(key, entry);
  };
  const fresh = (key: string): CheckedCredential | undefined => {
    const entry = checked.get(key);
    if (!entry) return undefined;
    if (monotonic() - entry.checkedAt < AUTH_CACHE_MS) return entry;
    checked.delete(key);
    return undefined;
  };
  // Verifying against this when the e-mail is unknown takes as long as a real check, so the
  // response time does not tell whether an account exists.
  let decoyHash: Promise<string> | undefined;

  const openSession = async (user: AdminUser): Promise<{ sessionToken: string; csrfToken: string; expiresMs: number; principal: Principal }> => {
    const sessionToken = base64url(random.bytes(32));
    const csrfToken = base64url(random.bytes(24));
    const now = clock.now();
    const expiresMs = now + deps.sessionHours * 3_600_000;
    await store.insertSession({ tokenHash: sha256(sessionToken), artisanId: user.artisanId, userId: user.id, csrfToken, createdMs: now, expiresMs });
    return { sessionToken, csrfToken, expiresMs, principal: { artisanId: user.artisanId, actor: 'artisan', via: 'session', email: user.email, csrfToken, memberId: user.id, role: user.role ?? 'owner' } };
  };

  return {
    async login(input: { email: string; password: string }): Promise<{ sessionToken: string; csrfToken: string; expiresMs: number; principal: Principal }> {
      const user = await store.findUserByEmail(normalizeEmail(input.email));
      // A failed decoy (hashing refused while busy) is made again next time, not kept.
      decoyHash ??= hasher.hash(base64url(random.bytes(16))).catch((error: unknown) => {
        decoyHash = undefined;
        throw error;
      });
      const decoy = decoyHash;
      if (user) decoy.catch(() => {});
      const ok = await hasher.verify(user?.passwordHash ?? (await decoy), input.password);
      if (!user || !ok) throw invalidCredentials();
      return openSession(user);
    },

    /** Signs in the account of `email` without its password: its sign-up link was just opened. */
    async signInConfirmed(email: string) {
      const user = await store.findUserByEmail(normalizeEmail(email));
      if (!user) throw invalidCredentials();
      return openSession(user);
    },

    async logout(sessionToken: string): Promise<void> {
      const key = `s:${sha256(sessionToken)}`;
      forget((_, k) => k === key);
      await store.deleteSession(key.slice(2));
      // Again once deleted: a lookup may have read the session while the DELETE ran.
      forget((_, k) => k === key);
    },

    /**
     * The principal behind a bearer token or a session cookie. A yes from the database is
     * remembered for AUTH_CACHE_MS (the token or session lookup was a round trip on every
     * admin request); a no is never remembered.
     */
    async authenticate(credentials: { bearer?: string; sessionToken?: string }): Promise<Principal | undefined> {
      if (credentials.bearer) {
        const hash = sha256(credentials.bearer);
        const key = `t:${hash}`;
        const now = clock.now();
        const known = fresh(key);
        if (known) {
          // An expired key is refused at once, cached or not.
          if (known.expiresMs !== undefined && now >= known.expiresMs) {
            checked.delete(key);
            return undefined;
          }
          if (known.lastUsedMs === null || now - (known.lastUsedMs ?? 0) >= TOKEN_TOUCH_EVERY_MS) {
            known.lastUsedMs = now;
            await store.touchApiToken(known.principal.artisanId, known.tokenId as string, now);
          }
          return known.principal;
        }
        const since = generation;
        const token = await store.findApiToken(hash);
        if (!token || token.revokedMs !== null || (token.expiresMs !== null && now >= token.expiresMs)) return undefined;
        // "Last used" to the minute: a write per request would cost every API read a write
        // transaction (the week agenda's bench: one UPDATE for each read).
        let lastUsedMs = token.lastUsedMs;
        if (lastUsedMs === null || now - lastUsedMs >= TOKEN_TOUCH_EVERY_MS) {
          await store.touchApiToken(token.artisanId, token.id, now);
          lastUsedMs = now;
        }
        const principal: Principal = Object.freeze({
          artisanId: token.artisanId, actor: `token:${token.name}`, via: 'token', tokenId: token.id, scopes: Object.freeze([...token.scopes]),
        });
        remember(key, { principal, checkedAt: monotonic(), tokenId: token.id, lastUsedMs, ...(token.expiresMs !== null ? { expiresMs: token.expiresMs } : {}) }, since);
        return principal;
      }
      if (credentials.sessionToken) {
        const hash = sha256(credentials.sessionToken);
        const key = `s:${hash}`;
        const now = clock.now();
        const known = fresh(key);
        if (known) {
          if (now < (known.expiresMs ?? 0)) return known.principal;
          checked.delete(key);
          return undefined;
        }
        const since = generation;
        const session = await store.findSession(hash, now);
        if (!session) return undefined;
        const principal: Principal = Object.freeze({
          artisanId: session.user.artisanId, actor: 'artisan', via: 'session', email: session.user.email, csrfToken: session.csrfToken,
          memberId: session.user.id, role: session.user.role ?? 'owner',
        });
        remember(key, { principal, checkedAt: monotonic(), userId: session.user.id, expiresMs: session.expiresMs }, since);
        return principal;
      }
      return undefined;
    },

    /** Writes by cookie must carry the session's CSRF token (header), compared in constant time. */
    csrfMatches(principal: Principal, header: string | undefined): boolean {
      if (principal.via !== 'session') return true;
      if (!header || !principal.csrfToken) return false;
      const a = Buffer.from(sha256(header));
      const b = Buffer.from(sha256(principal.csrfToken));
      return timingSafeEqual(a, b);
    },

    /**
     * A new token with the scopes chosen. The HTTP route lets only a session call this; made
     * by a token all the same (another caller of this use case), it is recorded as that
     * token's, holds no scope its maker lacks, and is revoked with its maker.
     */
    async createApiToken(creator: Principal, input: { name: string; scopes: readonly string[]; expiresAt?: string }): Promise<{ token: string; record: ApiTokenRecord }> {
      const trimmed = input.name.trim();
      const expiresMs = input.expiresAt === undefined ? null : Date.parse(input.expiresAt);
      const scopes = TOKEN_SCOPES.filter((s) => input.scopes.includes(s));
      const problems = [
        ...(trimmed ? [] : [{ field: 'name', message: 'Le nom du jeton est obligatoire.' }]),
        ...(scopes.length > 0 && scopes.length === new Set(input.scopes).size ? [] : [{ field: 'scopes', message: 'Choisissez au moins un droit parmi ceux proposés.' }]),
        ...(creator.via === 'token' && scopes.some((s) => !creator.scopes?.includes(s))
          ? [{ field: 'scopes', message: 'Un jeton ne peut pas donner un droit qu’il n’a pas.' }]
          : []),
        ...(expiresMs === null || (Number.isFinite(expiresMs) && expiresMs > clock.now())
          ? []
          : [{ field: 'expiresAt', message: 'La date d’expiration doit être une date à venir (ex. 2027-12-31T23:59:00+01:00).' }]),
      ];
      if (problems.length > 0) throw new ValidationError(problems);
      const token = `${API_TOKEN_PREFIX}${base64url(random.bytes(32))}`;
      const record: ApiTokenRecord = {
        id: random.uuid(), artisanId: creator.artisanId, name: trimmed, prefix: token.slice(0, 8), scopes,
        createdByTokenId: creator.via === 'token' ? (creator.tokenId ?? null) : null, createdMs: clock.now(), lastUsedMs: null, revokedMs: null, expiresMs,
      };
      await store.insertApiToken({ ...record, tokenHash: sha256(token) });
      return { token, record };
    },

    listApiTokens: (artisanId: string) => store.listApiTokens(artisanId),

    /**
     * Who is signed in, for the back office: name, sign-in e-mail, session or token, and the
     * artisan's time zone (every instant the back office shows is in it, not the browser's).
     */
    async whoAmI(principal: Principal) {
      const account = await store.accountOf(principal.artisanId);
      if (!account) throw unauthenticated();
      const { tokenId: _tokenId, scopes, ...shown } = principal;
      return {
        ...shown, ...(scopes ? { scopes: [...scopes] } : {}),
        displayName: account.displayName, email: principal.email ?? account.signInEmail ?? undefined, timezone: account.timezone,
        // The operator's choices (plan, suspension): the back office shows them.
        plan: account.plan, suspended: account.suspended,
      };
    },

    /** Revokes the token and the tokens it created (theirs too), all dropped from the cache at once. */
    async revokeApiToken(artisanId: string, id: string): Promise<void> {
      forget((e) => e.tokenId === id);
      const revoked = new Set(await store.revokeApiToken(artisanId, id, clock.now()));
      // Again once written: a lookup may have read one of them while the UPDATE ran.
      forget((e) => e.tokenId === id || revoked.has(e.tokenId as string));
      if (!revoked.has(id)) {
        throw new NotFoundError('TOKEN_NOT_FOUND', "Ce jeton d'API n'existe pas ou est déjà révoqué.");
      }
    },

    /** ADMIN_API_TOKEN seeds one token, with every scope; once revoked by the artisan it stays revoked. */
    async seedConfiguredToken(token: string): Promise<void> {
      const artisanId = await store.soleArtisanId();
      if (!artisanId) return;
      await store.insertApiToken({
        id: random.uuid(), artisanId, name: 'ADMIN_API_TOKEN', prefix: token.slice(0, 8), tokenHash: sha256(token),
        // The operator's own token, set in the configuration: every scope (still no session-only action).
        scopes: TOKEN_SCOPES, createdByTokenId: null, createdMs: clock.now(), lastUsedMs: null, revokedMs: null, expiresMs: null,
      });
    },

    /**
     * Gives a login, with a generated password returned once, to the instance's sole business
     * when it has none (the demo's first start), or to the business whose contact e-mail is
     * `email` (`npm run admin:password -- --email`). Never a pass over every business: start-up
     * costs at most one password hash whatever their number. Sign-up and the first start make
     * the owner's login with the business, so only a business written by hand lacks one.
     */
    async ensureLogins(which: { email?: string } = {}): Promise<{ email: string; password: string }[]> {
      const artisan = await store.businessWithoutLogin(which.email ? { email: normalizeEmail(which.email) } : 'sole');
      if (!artisan) return [];
      const password = generatePassword(random);
      const email = normalizeEmail(artisan.email);
      await store.insertUser({ id: random.uuid(), artisanId: artisan.id, email, passwordHash: await hasher.hash(password) }, clock.now());
      return [{ email, password }];
    },

    /** Drops every session of a business remembered here (a plan change deactivated members: migration 0041). */
    forgetSessionsOf(artisanId: string): void {
      forget((e) => e.principal.via === 'session' && e.principal.artisanId === artisanId);
    },

    /** Drops the sessions of a user remembered here (their password was reset elsewhere). */
    forgetUser(userId: string): void {
      forget((e) => e.userId === userId);
    },

    async setPassword(email: string, password: string): Promise<void> {
      const problem = passwordProblems(password);
      if (problem) throw new ValidationError([{ field: 'password', message: problem }]);
      const user = await store.findUserByEmail(normalizeEmail(email));
      if (!user) throw new NotFoundError('ACCOUNT_NOT_FOUND', 'Aucun compte artisan avec cette adresse e-mail.');
      const passwordHash = await hasher.hash(password);
      // Every session of the user ends (the store deletes them): none stays remembered here.
      forget((e) => e.userId === user.id);
      await store.setPassword(user.id, passwordHash, clock.now());
      forget((e) => e.userId === user.id);
    },
  };
}

export type AdminAuth = ReturnType<typeof makeAdminAuth>;

