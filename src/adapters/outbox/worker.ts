import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { OutboxJob, OutboxQueue } from './outbox-queue.ts';

export type JobHandler = (job: OutboxJob) => Promise<void>;

export interface Worker {
  /** Runs one pass: claims due jobs and handles them. Returns how many were handled. */
  runOnce(): Promise<number>;
  start(): void;
  /** Stops polling and waits for the pass in progress. */
  stop(): Promise<void>;
  /** Real time (ms) the last pass reached the queue and completed its claim; undefined before. */
  lastPollAt(): number | undefined;
  /** Whether start() was called and stop() not yet. */
  started(): boolean;
}

/** What the worker reports as it goes (metrics). */
export interface WorkerEvents {
  jobFailed?(topic: string, dead: boolean): void;
  jobDone?(topic: string): void;
}

/**
 * Polls the outbox and dispatches jobs to handlers by topic. Topics without a handler stay
 * pending for the capability that will consume them. `periodic` tasks (stale-hold recovery)
 * run on each pass too, before its claim. `beside` tasks (the hourly housekeeping: retention,
 * purges) start with the pass and run while it claims and sends, so a long sweep never holds
 * back any business's messages; the pass ends when they are done too.
 */
export function makeWorker(deps: {
  queue: OutboxQueue;
  handlers: Record<string, JobHandler>;
  periodic?: (() => Promise<void>)[];
  beside?: (() => Promise<void>)[];
  workerId: string;
  pollMs: number;
  batchSize?: number;
  /**
   * Started (not runOnce): keep claiming while jobs run, up to `concurrency` bookings in flight,
   * instead of waiting for a batch's slowest job before the next claim. The webhook lane: a
   * receiver that hangs for its whole timeout holds one seat, never the other businesses'
   * deliveries. One booking's jobs still run one after the other, in the order claimed.
   */
  overlap?: boolean;
  /** Bookings whose jobs are handled at the same time within a batch (default 1). */
  concurrency?: number;
  log: Logger;
  /** The service's clock: jobs (reminders) fall due by it. */
  now?: () => number;
  events?: WorkerEvents;
  /** Real time for the liveness stamp (readiness), not the service's clock (tests freeze it). */
  realNow?: () => number;
}): Worker {
  const realNow = deps.realNow ?? Date.now;
  let lastPoll: number | undefined;
  let isStarted = false;
  const topics = Object.keys(deps.handlers);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  const pass = async (): Promise<number> => {
    const housekeeping = (async () => {
      for (const task of deps.beside ?? []) await task().catch((err: unknown) => deps.log.warn({ err }, 'housekeeping task failed'));
    })();
    try {
      return await claimAndHandle();
    } finally {
      await housekeeping;
    }
  };

  const handle = async (job: OutboxJob): Promise<void> => {
    const log = deps.log.child({ jobId: job.id, topic: job.topic, attempt: job.attempts });
    try {
      await deps.handlers[job.topic]!(job);
      await deps.queue.complete(deps.workerId, job, deps.now?.());
      deps.events?.jobDone?.(job.topic);
    } catch (err) {
      log.warn({ err }, 'job failed; will retry with backoff');
      const status = await deps.queue.fail(deps.workerId, job, err instanceof Error ? err.message : String(err), deps.now?.());
      deps.events?.jobFailed?.(job.topic, status === 'dead');
    }
  };

  /** `overlap`: each booking's chain of jobs in flight (a job claimed later for it runs after them). */
  const inFlight = new Map<string, Promise<void>>();
  let claiming = false;
  const claimBeside = async (): Promise<number> => {
    const free = Math.max(1, deps.concurrency ?? 1) - inFlight.size;
    if (topics.length === 0 || free <= 0 || claiming) return 0;
    claiming = true;
    let jobs: OutboxJob[];
    try {
      jobs = await deps.queue.claim(deps.workerId, topics, Math.min(deps.batchSize ?? 10, free), deps.now?.());
    } finally {
      claiming = false;
    }
    lastPoll = realNow();
    for (const job of jobs) {
      const key = job.bookingId ?? job.id;
      const chain = (inFlight.get(key) ?? Promise.resolve())
        .then(() => handle(job))
        // Recording the failure failed too (the database away): the claim goes stale and is taken again.
        .catch((err: unknown) => deps.log.error({ err, jobId: job.id }, 'job outcome not recorded'));
      inFlight.set(key, chain);
      void chain.finally(() => {
        if (inFlight.get(key) === chain) inFlight.delete(key);
        // A seat is free: claim again now rather than a poll interval later.
        if (!stopped && isStarted) void claimBeside().catch((err: unknown) => deps.log.error({ err }, 'worker claim failed'));
      });
    }
    return jobs.length;
  };

  const claimAndHandle = async (): Promise<number> => {
    for (const task of deps.periodic ?? []) {
      await task().catch((err: unknown) => deps.log.warn({ err }, 'periodic task failed'));
    }
    if (topics.length === 0) return 0;
    const jobs = await deps.queue.claim(deps.workerId, topics, deps.batchSize ?? 10, deps.now?.());
    lastPoll = realNow();
    // Jobs of different bookings run side by side (messages are latency-bound); one booking's
    // jobs run one after the other, in the order claimed, so its effects never race.
    const chains = new Map<string, OutboxJob[]>();
    for (const job of jobs) {
      const key = job.bookingId ?? job.id;
      chains.set(key, [...(chains.get(key) ?? []), job]);
    }
    const limit = pLimit(Math.max(1, deps.concurrency ?? 1));
    await Promise.all(
      [...chains.values()].map((chain) =>
        limit(async () => {
          for (const job of chain) await handle(job);
        }),
      ),
    );
    return jobs.length;
  };

  const runOnce = (): Promise<number> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  // After a full batch more is probably due (a backlog after an outage): go again at once
  // rather than a poll interval later; an idle queue is still polled every pollMs.
  const schedule = (delayMs = deps.pollMs): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      (deps.overlap ? claimBeside() : runOnce())
        .then(
          (handled) => schedule(handled >= (deps.batchSize ?? 10) ? 0 : deps.pollMs),
          (err: unknown) => {
            deps.log.error({ err }, 'worker pass failed');
            schedule();
          },
        );
    }, delayMs);
    timer.unref();
  };

  return {
    runOnce,
    start: () => {
      isStarted = true;
      schedule();
    },
    lastPollAt: () => lastPoll,
    started: () => isStarted && !stopped,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => 0);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
    },
  };
}
