import { ConflictError, NotFoundError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import { checkHostName } from '../domain/host-name.ts';
import { checkSlug } from '../domain/slug.ts';
import { PLAN_CODES, type PlanCode } from '../domain/plans.ts';
import type { Clock } from './ports/clock.ts';
import type { Randomness } from './ports/randomness.ts';
import type { OperatorPrincipal } from './operator-auth.ts';

/**
 * What the operator's console does with the businesses on the instance (issue 19, item 4):
 * list them with their figures, suspend and resume them, change their plan, export one, schedule
 * its deletion after a grace period (suspended at once, cancellable until the date) and purge
 * the businesses whose date has passed. Every change is written with its audit entry (who,
 * when, what) in one transaction; an export is audited too (it reads customers' data).
 */

export interface BusinessSummary {
  artisanId: string;
  displayName: string;
  plan: PlanCode;
  suspendedMs: number | null;
  /** When the business and all its data will be deleted; null when no deletion is scheduled. */
  deletionDueMs: number | null;
  /** Set while the sign-up waits for its address to be confirmed (the business is not published). */
  unconfirmedMs: number | null;
  /** Bookings taken this calendar month, in the business's time zone (every channel, unpaid holds left out). */
  bookingsThisMonth: number;
  /** The latest booking made or back office sign-in; null when neither happened yet. */
  lastActivityMs: number | null;
  createdMs: number;
  /** Its address on the instance (`/{slug}`) and its own host name; null when it has none. */
  slug: string | null;
  hostName: string | null;
}

export type AuditAction = 'suspend' | 'resume' | 'plan' | 'export' | 'schedule_deletion' | 'cancel_deletion' | 'delete' | 'address';

export interface BusinessAddressChange {
  slug: string;
  hostName: string | null;
}

export interface AuditEntry {
  id: string;
  operatorEmail: string;
  action: AuditAction;
  artisanId: string;
  artisanName: string;
  details: Record<string, string>;
  createdMs: number;
}

/** A booking still to come whose customer paid a deposit: what a deletion leaves to settle. */
export interface UpcomingPaidBooking {
  publicCode: string;
  startsMs: number;
  serviceName: string;
  customerName: string;
  depositCents: number;
  paymentStatus: string;
}

export type ConsoleChange =
  | { kind: 'suspend' | 'resume' | 'export' | 'cancel_deletion' }
  | { kind: 'plan'; plan: PlanCode }
  | { kind: 'schedule_deletion'; dueMs: number };

export interface OperatorConsoleStore {
  listBusinesses(q: { search: string; limit: number; offset: number; nowMs: number }): Promise<{ businesses: BusinessSummary[]; total: number }>;
  /**
   * Applies `change` to the business and writes the audit entry in the same transaction.
   * undefined when the business does not exist; `changed: false` when it already was so
   * (no entry written). `deletionDueMs` is the business's scheduled deletion after the change.
   */
  change(
    artisanId: string,
    change: ConsoleChange,
    audit: { id: string; operatorId: string; operatorEmail: string; nowMs: number },
  ): Promise<{ changed: boolean; deletionDueMs: number | null } | undefined>;
  /** undefined when the business does not exist. */
  deletionState(artisanId: string): Promise<{ deletionDueMs: number | null } | undefined>;
  upcomingPaidBookings(artisanId: string, nowMs: number): Promise<UpcomingPaidBooking[]>;
  /** Businesses whose deletion date has passed. */
  dueDeletions(nowMs: number): Promise<string[]>;
  /**
   * Deletes every row of the business in every business table, then the business, and writes
   * the audit entry, in one transaction; undefined when its deletion is not (or no longer) due.
   */
  purge(artisanId: string, audit: { id: string; nowMs: number }): Promise<{ rows: number } | undefined>;
  listAudit(q: { limit: number; offset: number }): Promise<{ entries: AuditEntry[]; total: number }>;
  /**
   * Sets the business's slug and host name with its audit entry (old and new) in one
   * transaction; undefined when the business does not exist, or what refused it.
   */
  changeAddress(
    artisanId: string,
    address: BusinessAddressChange,
    audit: { id: string; operatorId: string; operatorEmail: string; nowMs: number },
  ): Promise<'changed' | 'unchanged' | 'slug-taken' | 'host-taken' | undefined>;
}

export const PAGE_SIZE = 20;

const businessNotFound = (): NotFoundError => new NotFoundError('BUSINESS_NOT_FOUND', "Cette entreprise n'existe pas sur l'instance.");

const deletionScheduled = (): ConflictError =>
  new ConflictError('BUSINESS_DELETION_SCHEDULED', 'La suppression de cette entreprise est programmée : annulez-la avant de la rétablir.');

const DAY_MS = 86_400_000;

export const slugTakenByAnother = (): ConflictError =>
  new ConflictError('SLUG_TAKEN', 'Cette adresse est déjà prise par une autre entreprise : choisissez-en une autre.', [{ field: 'slug', message: 'Cette adresse est déjà prise.' }]);
export const hostNameTaken = (): ConflictError =>
  new ConflictError('HOST_NAME_TAKEN', "Ce nom d'hôte est déjà celui d'une autre entreprise.", [{ field: 'hostName', message: "Ce nom d'hôte est déjà pris." }]);

export function makeOperatorConsole(deps: {
  store: OperatorConsoleStore;
  clock: Clock;
  random: Randomness;
  deletionGraceDays: number;
  /** The instance's own host name (PUBLIC_BASE_URL's): no business may take it. */
  instanceHost?: string;
  /** An address changed: what this instance kept about addresses is forgotten at once. */
  addressesMoved?: () => void;
}) {
  const { store, clock, random } = deps;
  const act = async (who: OperatorPrincipal, artisanId: string, change: ConsoleChange) => {
    const done = await store.change(artisanId, change, { id: random.uuid(), operatorId: who.operatorId, operatorEmail: who.email, nowMs: clock.now() });
    if (!done) throw businessNotFound();
    return done;
  };
  return {
    async businesses(q: { search?: string; page?: number }) {
      const page = Math.max(1, Math.floor(q.page ?? 1));
      const result = await store.listBusinesses({
        search: (q.search ?? '').trim().replace(/\s+/g, ' '),
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
        nowMs: clock.now(),
      });
      return { ...result, page, pageSize: PAGE_SIZE };
    },
    suspend: (who: OperatorPrincipal, artisanId: string) => act(who, artisanId, { kind: 'suspend' }),
    async resume(who: OperatorPrincipal, artisanId: string): Promise<void> {
      const done = await act(who, artisanId, { kind: 'resume' });
      if (!done.changed && done.deletionDueMs !== null) throw deletionScheduled();
    },
    /** Records the export in the audit; the caller then streams the archive. */
    recordExport: async (who: OperatorPrincipal, artisanId: string): Promise<void> => void (await act(who, artisanId, { kind: 'export' })),
    /** What a deletion would leave to settle, and when it would happen if scheduled now. */
    async deletionPreview(artisanId: string) {
      const nowMs = clock.now();
      const business = await store.deletionState(artisanId);
      if (!business) throw businessNotFound();
      return {
        graceDays: deps.deletionGraceDays,
        deletionDueMs: business.deletionDueMs ?? nowMs + deps.deletionGraceDays * DAY_MS,
        scheduled: business.deletionDueMs !== null,
        upcomingPaidBookings: await store.upcomingPaidBookings(artisanId, nowMs),
      };
    },
    /** Suspends the business now and deletes it after the grace period; the date, as it stands. */
    async scheduleDeletion(who: OperatorPrincipal, artisanId: string): Promise<number> {
      const done = await act(who, artisanId, { kind: 'schedule_deletion', dueMs: clock.now() + deps.deletionGraceDays * DAY_MS });
      return done.deletionDueMs!;
    },
    /** Keeps the business (still suspended: resuming it is a separate, deliberate step). */
    cancelDeletion: async (who: OperatorPrincipal, artisanId: string): Promise<void> => void (await act(who, artisanId, { kind: 'cancel_deletion' })),
    /** The worker's pass: purges every business whose deletion date has passed. */
    async purgeDue(): Promise<{ artisanId: string; rows: number }[]> {
      const purged: { artisanId: string; rows: number }[] = [];
      for (const artisanId of await store.dueDeletions(clock.now())) {
        const done = await store.purge(artisanId, { id: random.uuid(), nowMs: clock.now() });
        if (done) purged.push({ artisanId, rows: done.rows });
      }
      return purged;
    },
    async changePlan(who: OperatorPrincipal, artisanId: string, plan: string): Promise<void> {
      if (!(PLAN_CODES as readonly string[]).includes(plan)) throw new ValidationError([{ field: 'plan', message: "Cette formule n'existe pas." }]);
      await act(who, artisanId, { kind: 'plan', plan: plan as PlanCode });
    },
    /**
     * Changes where the business is reached: its slug (checked as at sign-up: shape, reserved
     * words, free) and its host name (or none). The old address answers as an unknown business
     * from then on (no redirect: a freed slug may be taken by another business).
     */
    async changeAddress(who: OperatorPrincipal, artisanId: string, input: { slug: string; hostName?: string | null }): Promise<BusinessAddressChange> {
      const details: ErrorDetail[] = [];
      const slug = checkSlug(input.slug, details);
      const hostName = checkHostName(input.hostName, details, { instanceHost: deps.instanceHost });
      if (details.length > 0) throw new ValidationError(details);
      const outcome = await store.changeAddress(artisanId, { slug, hostName }, { id: random.uuid(), operatorId: who.operatorId, operatorEmail: who.email, nowMs: clock.now() });
      if (outcome === undefined) throw businessNotFound();
      if (outcome === 'slug-taken') throw slugTakenByAnother();
      if (outcome === 'host-taken') throw hostNameTaken();
      if (outcome === 'changed') deps.addressesMoved?.();
      return { slug, hostName };
    },
    async audit(q: { page?: number }) {
      const page = Math.max(1, Math.floor(q.page ?? 1));
      return { ...(await store.listAudit({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })), page, pageSize: PAGE_SIZE };
    },
  };
}

export type OperatorConsole = ReturnType<typeof makeOperatorConsole>;
