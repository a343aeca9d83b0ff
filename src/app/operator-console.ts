import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { PLAN_CODES, type PlanCode } from '../domain/plans.ts';
import type { Clock } from './ports/clock.ts';
import type { Randomness } from './ports/randomness.ts';
import type { OperatorPrincipal } from './operator-auth.ts';

/**
 * What the operator's console does with the businesses on the instance (issue 19, item 4):
 * list them with their figures, suspend and resume them, change their plan. Every change is
 * written with its audit entry (who, when, what) in one transaction.
 */

export interface BusinessSummary {
  artisanId: string;
  displayName: string;
  plan: PlanCode;
  suspendedMs: number | null;
  /** Set while the sign-up waits for its address to be confirmed (the business is not published). */
  unconfirmedMs: number | null;
  /** Bookings taken this calendar month, in the business's time zone (every channel, unpaid holds left out). */
  bookingsThisMonth: number;
  /** The latest booking made or back office sign-in; null when neither happened yet. */
  lastActivityMs: number | null;
  createdMs: number;
}

export type AuditAction = 'suspend' | 'resume' | 'plan';

export interface AuditEntry {
  id: string;
  operatorEmail: string;
  action: AuditAction;
  artisanId: string;
  artisanName: string;
  details: Record<string, string>;
  createdMs: number;
}

export interface OperatorConsoleStore {
  listBusinesses(q: { search: string; limit: number; offset: number; nowMs: number }): Promise<{ businesses: BusinessSummary[]; total: number }>;
  /**
   * Applies `change` to the business and writes the audit entry in the same transaction.
   * undefined when the business does not exist; `changed: false` when it already was so
   * (no entry written).
   */
  change(
    artisanId: string,
    change: { kind: 'suspend' | 'resume' } | { kind: 'plan'; plan: PlanCode },
    audit: { id: string; operatorId: string; operatorEmail: string; nowMs: number },
  ): Promise<{ changed: boolean } | undefined>;
  listAudit(q: { limit: number; offset: number }): Promise<{ entries: AuditEntry[]; total: number }>;
}

export const PAGE_SIZE = 20;

const businessNotFound = (): NotFoundError => new NotFoundError('BUSINESS_NOT_FOUND', "Cette entreprise n'existe pas sur l'instance.");

export function makeOperatorConsole(deps: { store: OperatorConsoleStore; clock: Clock; random: Randomness }) {
  const { store, clock, random } = deps;
  const act = async (who: OperatorPrincipal, artisanId: string, change: Parameters<OperatorConsoleStore['change']>[1]): Promise<void> => {
    const done = await store.change(artisanId, change, { id: random.uuid(), operatorId: who.operatorId, operatorEmail: who.email, nowMs: clock.now() });
    if (!done) throw businessNotFound();
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
    resume: (who: OperatorPrincipal, artisanId: string) => act(who, artisanId, { kind: 'resume' }),
    async changePlan(who: OperatorPrincipal, artisanId: string, plan: string): Promise<void> {
      if (!(PLAN_CODES as readonly string[]).includes(plan)) throw new ValidationError([{ field: 'plan', message: "Cette formule n'existe pas." }]);
      await act(who, artisanId, { kind: 'plan', plan: plan as PlanCode });
    },
    async audit(q: { page?: number }) {
      const page = Math.max(1, Math.floor(q.page ?? 1));
      return { ...(await store.listAudit({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })), page, pageSize: PAGE_SIZE };
    },
  };
}

export type OperatorConsole = ReturnType<typeof makeOperatorConsole>;
