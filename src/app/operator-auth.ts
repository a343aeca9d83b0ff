import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError, ConflictError, ValidationError } from '../domain/errors.ts';
import { normalizeEmail } from '../domain/public-code.ts';
import { invalidCredentials, passwordProblems, type PasswordHasher } from './admin-auth.ts';
import { generateSetupCode } from './first-start.ts';
import type { Clock } from './ports/clock.ts';
import type { Randomness } from './ports/randomness.ts';

/**
 * The operator's sign-in (issue 19, item 4): the company running the instance. Its accounts,
 * sessions and CSRF tokens are its own, apart from the artisans': an artisan's session opens
 * nothing here and an operator's session opens no back office. The first operator is made at
 * first start with a one-time code printed in the log (like the artisan's setup code, but a
 * separate one), or from the CLI (`npm run operator:create`).
 */

export interface OperatorUser {
  id: string;
  email: string;
  passwordHash: string;
}

export interface OperatorPrincipal {
  operatorId: string;
  email: string;
  csrfToken: string;
}

export interface OperatorStore {
  hasOperator(): Promise<boolean>;
  /** The operator setup code shared by every instance on the database (made by the first to ask). */
  setupCode(generate: () => string): Promise<string>;
  /** Creates the first operator and forgets the code, serialised with other claims; false when one exists. */
  claim(user: OperatorUser, nowMs: number): Promise<boolean>;
  /** false when the e-mail is taken. */
  insertOperator(user: OperatorUser, nowMs: number): Promise<boolean>;
  findByEmail(email: string): Promise<OperatorUser | undefined>;
  /** Sets a new password hash and ends every session of that operator. */
  setPassword(operatorId: string, passwordHash: string, nowMs: number): Promise<void>;
  insertSession(s: { tokenHash: string; operatorId: string; csrfToken: string; createdMs: number; expiresMs: number }): Promise<void>;
  findSession(tokenHash: string, nowMs: number): Promise<{ user: OperatorUser; csrfToken: string } | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const canonicalCode = (code: string): Buffer => createHash('sha256').update(code.toUpperCase().replace(/[\s-]/g, '')).digest();

export const operatorSetupDone = (): ConflictError =>
  new ConflictError('OPERATOR_SETUP_ALREADY_DONE', 'La console opérateur a déjà son premier compte : connectez-vous avec votre e-mail et votre mot de passe.');
export const operatorCodeInvalid = (): AppError =>
  new AppError('OPERATOR_SETUP_CODE_INVALID', 'Code opérateur incorrect. Il figure dans le journal du service, au démarrage.');
export const operatorEmailTaken = (): ConflictError =>
  new ConflictError('OPERATOR_EMAIL_TAKEN', 'Un compte opérateur existe déjà avec cette adresse e-mail.');

export function makeOperatorAuth(deps: { store: OperatorStore; hasher: PasswordHasher; clock: Clock; random: Randomness; sessionHours: number }) {
  const { store, hasher, clock, random } = deps;
  let decoyHash: Promise<string> | undefined;

  const newUser = async (email: string, password: string): Promise<OperatorUser> => {
    const problem = passwordProblems(password);
    const details = [
      ...(normalizeEmail(email) ? [] : [{ field: 'email', message: "L'adresse e-mail est obligatoire." }]),
      ...(problem ? [{ field: 'password', message: problem }] : []),
    ];
    if (details.length > 0) throw new ValidationError(details);
    return { id: random.uuid(), email: normalizeEmail(email), passwordHash: await hasher.hash(password) };
  };

  return {
    required: async (): Promise<boolean> => !(await store.hasOperator()),

    /** The code to print in the log while no operator exists; undefined otherwise. */
    async pendingCode(): Promise<string | undefined> {
      if (await store.hasOperator()) return undefined;
      return store.setupCode(() => generateSetupCode(random));
    },

    /** The first operator, made by whoever holds the code; the caller then signs them in. */
    async completeSetup(input: { setupCode: string; email: string; password: string }): Promise<void> {
      if (await store.hasOperator()) throw operatorSetupDone();
      const expected = await store.setupCode(() => generateSetupCode(random));
      if (!timingSafeEqual(canonicalCode(input.setupCode), canonicalCode(expected))) {
        throw (await store.hasOperator()) ? operatorSetupDone() : operatorCodeInvalid();
      }
      if (!(await store.claim(await newUser(input.email, input.password), clock.now()))) throw operatorSetupDone();
    },

    /** `npm run operator:create`: another operator account. */
    async create(email: string, password: string): Promise<{ email: string }> {
      const user = await newUser(email, password);
      if (!(await store.insertOperator(user, clock.now()))) throw operatorEmailTaken();
      return { email: user.email };
    },

    async login(input: { email: string; password: string }): Promise<{ sessionToken: string; expiresMs: number; principal: OperatorPrincipal }> {
      const user = await store.findByEmail(normalizeEmail(input.email));
      // An unknown address costs a real verification too: the time does not tell it apart.
      decoyHash ??= hasher.hash(base64url(random.bytes(16))).catch((error: unknown) => {
        decoyHash = undefined;
        throw error;
      });
      const decoy = decoyHash;
      if (user) decoy.catch(() => {});
      const ok = await hasher.verify(user?.passwordHash ?? (await decoy), input.password);
      if (!user || !ok) throw invalidCredentials();
      const sessionToken = base64url(random.bytes(32));
      const csrfToken = base64url(random.bytes(24));
      const now = clock.now();
      const expiresMs = now + deps.sessionHours * 3_600_000;
      await store.insertSession({ tokenHash: sha256(sessionToken), operatorId: user.id, csrfToken, createdMs: now, expiresMs });
      return { sessionToken, expiresMs, principal: { operatorId: user.id, email: user.email, csrfToken } };
    },

    logout: (sessionToken: string): Promise<void> => store.deleteSession(sha256(sessionToken)),

    /** The operator behind a session cookie (looked up every time: the console is not a hot path). */
    async authenticate(sessionToken: string | undefined): Promise<OperatorPrincipal | undefined> {
      if (!sessionToken) return undefined;
      const session = await store.findSession(sha256(sessionToken), clock.now());
      return session ? { operatorId: session.user.id, email: session.user.email, csrfToken: session.csrfToken } : undefined;
    },

    csrfMatches(principal: OperatorPrincipal, header: string | undefined): boolean {
      if (!header) return false;
      return timingSafeEqual(Buffer.from(sha256(header)), Buffer.from(sha256(principal.csrfToken)));
    },

    /** The CLI's reset; ends every session of the operator. */
    async setPassword(email: string, password: string): Promise<void> {
      const problem = passwordProblems(password);
      if (problem) throw new ValidationError([{ field: 'password', message: problem }]);
      const user = await store.findByEmail(normalizeEmail(email));
      if (!user) throw new AppError('ACCOUNT_NOT_FOUND', 'Aucun compte opérateur avec cette adresse e-mail.');
      await store.setPassword(user.id, await hasher.hash(password), clock.now());
    },
  };
}

export type OperatorAuth = ReturnType<typeof makeOperatorAuth>;
