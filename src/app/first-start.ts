import { createHash, timingSafeEqual } from 'node:crypto';
import { checkTimeZone } from '../domain/artisan-settings.ts';
import { AppError, ConflictError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import { normalizeEmail } from '../domain/public-code.ts';
import { normalizePhone } from './customer-input.ts';
import { passwordProblems, type PasswordHasher } from './admin-auth.ts';
import type { Clock } from './ports/clock.ts';
import type { Randomness } from './ports/randomness.ts';

/**
 * A real artisan's first start (decisions §1): on a database without any artisan, whoever
 * holds the one-time setup code printed in the service's log creates the artisan and their
 * sign-in. Weekly hours and services are then made through the ordinary back office routes.
 */

export interface NewArtisan {
  artisanId: string;
  displayName: string;
  trade: string | null;
  contactEmail: string;
  phone: string | null;
  timezone: string;
  userId: string;
  signInEmail: string;
  passwordHash: string;
}

export interface SetupStore {
  hasArtisan(): Promise<boolean>;
  /** The setup code shared by every instance on the database (created by the first to ask). */
  setupCode(generate: () => string): Promise<string>;
  /** The setup code if one is still waiting; nothing is generated (a claim that won forgot it). */
  storedSetupCode(): Promise<string | undefined>;
  /**
   * Creates the artisan and their sign-in, and forgets the setup code, in one transaction
   * serialised with every other first start; false (nothing written) when an artisan exists.
   */
  claim(artisan: NewArtisan, nowMs: number): Promise<boolean>;
}

export interface SetupInput {
  setupCode: string;
  displayName: string;
  trade?: string;
  contactEmail: string;
  phone?: string;
  signInEmail: string;
  password: string;
  timezone: string;
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 12;

/** 12 characters of a 32-letter alphabet without look-alikes (60 bits), shown as XXXX-XXXX-XXXX. */
export function generateSetupCode(random: Randomness): string {
  let out = '';
  while (out.length < CODE_LENGTH) {
    // 256 is a multiple of 32: every byte maps to one letter with equal odds.
    for (const b of random.bytes(CODE_LENGTH)) if (out.length < CODE_LENGTH) out += CODE_ALPHABET[b % CODE_ALPHABET.length];
  }
  return out.match(/.{4}/g)!.join('-');
}

/** What the artisan types: case, spaces and dashes do not matter. */
const canonicalCode = (code: string): string => code.toUpperCase().replace(/[\s-]/g, '');
const digest = (code: string): Buffer => createHash('sha256').update(canonicalCode(code)).digest();

export const setupDone = (): ConflictError =>
  new ConflictError('SETUP_ALREADY_DONE', 'Cet espace est déjà configuré : connectez-vous avec votre e-mail et votre mot de passe.');
export const setupCodeInvalid = (): AppError =>
  new AppError('SETUP_CODE_INVALID', "Code d'installation incorrect. Il figure dans le journal du service, au démarrage.");

export function makeFirstStart(deps: { store: SetupStore; hasher: PasswordHasher; clock: Clock; random: Randomness }) {
  const { store } = deps;
  return {
    /** Whether the back office still needs its setup (no artisan on this database). */
    async required(): Promise<boolean> {
      return !(await store.hasArtisan());
    },

    /** The code to print in the log when the setup is still to be done; undefined otherwise. */
    async pendingCode(): Promise<string | undefined> {
      if (await store.hasArtisan()) return undefined;
      return store.setupCode(() => generateSetupCode(deps.random));
    },

    /** Creates the artisan and their sign-in; the caller then signs them in. */
    async complete(input: SetupInput): Promise<{ artisanId: string; signInEmail: string }> {
      if (await store.hasArtisan()) throw setupDone();
      // Read, never drawn here: the code was printed at start (pendingCode). A claim that won
      // meanwhile forgot it; the setup is then done, not the code wrong.
      const expected = await store.storedSetupCode();
      if (expected === undefined || !timingSafeEqual(digest(input.setupCode), digest(expected))) {
        throw (await store.hasArtisan()) ? setupDone() : setupCodeInvalid();
      }

      const details: ErrorDetail[] = [];
      const displayName = input.displayName.trim().replace(/\s+/g, ' ');
      if (!displayName) details.push({ field: 'displayName', message: 'Le nom affiché est obligatoire.' });
      let phone: string | null = null;
      if (input.phone?.trim()) {
        phone = normalizePhone(input.phone) ?? null;
        if (!phone) details.push({ field: 'phone', message: "Le numéro de téléphone n'est pas valide." });
      }
      checkTimeZone(input.timezone, details);
      const problem = passwordProblems(input.password);
      if (problem) details.push({ field: 'password', message: problem });
      if (details.length > 0) throw new ValidationError(details);

      const artisan: NewArtisan = {
        artisanId: deps.random.uuid(),
        displayName,
        trade: input.trade?.trim().replace(/\s+/g, ' ') || null,
        contactEmail: normalizeEmail(input.contactEmail),
        phone,
        timezone: input.timezone,
        userId: deps.random.uuid(),
        signInEmail: normalizeEmail(input.signInEmail),
        passwordHash: await deps.hasher.hash(input.password),
      };
      if (!(await store.claim(artisan, deps.clock.now()))) throw setupDone();
      return { artisanId: artisan.artisanId, signInEmail: artisan.signInEmail };
    },
  };
}

export type FirstStart = ReturnType<typeof makeFirstStart>;
