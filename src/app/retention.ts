import { monthsBefore } from '../domain/time.ts';
import { NotFoundError } from '../domain/errors.ts';
import type { CustomerRef } from '../domain/customer-ref.ts';

/** What is kept, and for how long (RETENTION_MONTHS, MAILBOX_RETENTION_DAYS). */
export interface RetentionStore {
  /** Deletes sign-in sessions that expired before `nowMs`. */
  purgeExpiredSessions(nowMs: number): Promise<number>;
  /** Deletes stored idempotent replies that expired before `nowMs` (they hold customers' details). */
  purgeExpiredIdempotencyKeys(nowMs: number): Promise<number>;
  /** Deletes mailbox copies of messages kept before `cutoffMs`. */
  purgeMailboxBefore(cutoffMs: number): Promise<number>;
  /** Customers (per artisan) not yet anonymised whose latest appointment ended before `cutoffMs`. */
  customersLastSeenBefore(cutoffMs: number, limit: number): Promise<{ artisanId: string; customer: CustomerRef }[]>;
}

export interface RetentionReport {
  sessions: number;
  idempotencyKeys: number;
  mailbox: number;
  customersAnonymised: number;
  /** Sign-ups never confirmed (signup.ts UNCONFIRMED_DAYS), deleted with their owner. */
  unconfirmedSignups: number;
}

const BATCH = 100;

/**
 * The retention sweep: purges what has outlived its use and anonymises customers
 * `customerMonths` after their last appointment with the GDPR erasure itself (`erase`, the
 * back office's "erase this customer"), acting as `system`: names, e-mails, phones and
 * addresses go; amounts, dates and payment ids stay for the books.
 */
export function makeRetention(deps: {
  store: RetentionStore;
  erase: (artisanId: string, customer: CustomerRef, actor: string) => Promise<number>;
  clock: { now(): number };
  customerMonths: number;
  mailboxDays: number;
  /** Deletes the sign-ups never confirmed in time; how many went. */
  purgeUnconfirmedSignups?: () => Promise<number>;
}) {
  return async function sweep(): Promise<RetentionReport> {
    const now = deps.clock.now();
    const report: RetentionReport = {
      sessions: await deps.store.purgeExpiredSessions(now),
      idempotencyKeys: await deps.store.purgeExpiredIdempotencyKeys(now),
      mailbox: await deps.store.purgeMailboxBefore(now - deps.mailboxDays * 86_400_000),
      customersAnonymised: 0,
      unconfirmedSignups: (await deps.purgeUnconfirmedSignups?.()) ?? 0,
    };
    const cutoff = monthsBefore(now, deps.customerMonths);
    for (;;) {
      const due = await deps.store.customersLastSeenBefore(cutoff, BATCH);
      for (const { artisanId, customer } of due) {
        try {
          await deps.erase(artisanId, customer, 'system');
          report.customersAnonymised++;
        } catch (error) {
          // Another instance's sweep got there first: nothing left under that address.
          if (!(error instanceof NotFoundError)) throw error;
        }
      }
      if (due.length < BATCH) break;
    }
    return report;
  };
}

/**
 * Runs `task` at most every `everyMs` by the service's clock, from the worker's passes (so
 * tests moving the clock see it run, and a database outage just delays it).
 */
export function everyByClock(clock: { now(): number }, everyMs: number, task: () => Promise<void>): () => Promise<void> {
  let next = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = clock.now();
    if (now < next) return;
    next = now + everyMs;
    await task();
  };
}
