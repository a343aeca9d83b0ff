/**
 * Readiness of one instance for a load balancer: the database answers, its migrations are the
 * ones this version knows, and the background worker polls its queue. `/api/ready` answers
 * 503 with these checks while any fails; `/api/health` is only the database's liveness.
 */

/** One readiness check: passed or not, with a French reason when not. */
export interface ReadinessCheck {
  ok: boolean;
  message?: string;
  [detail: string]: unknown;
}

/** The database as readiness sees it (src/adapters/db/database-probe.ts). */
export interface DatabaseProbe {
  kind: 'pglite' | 'postgres';
  /** Resolves when the database answers a query. */
  ping(): Promise<void>;
  /** The migrations this version has and the database lacks, and those it has that this version does not know. */
  migrations(): Promise<{ pending: number[]; unknown: number[] }>;
}

/** What readiness reads of the background worker (src/adapters/outbox/worker.ts). */
export interface WorkerProbe {
  started(): boolean;
  /** Epoch milliseconds of its last poll of the queue, if any. */
  lastPollAt(): number | undefined;
}

export interface ReadinessDeps {
  database: DatabaseProbe;
  /** The worker, once it is built (it is built after the HTTP app). */
  worker: () => WorkerProbe | undefined;
  /** A worker whose last poll is older than this is not ready. */
  workerStaleMs: number;
  /** Each check gives up after this long (a database that hangs is not ready). */
  timeoutMs?: number;
  now?: () => number;
}

export function makeReadiness(deps: ReadinessDeps): () => Promise<Record<string, ReadinessCheck>> {
  const { database: db, workerStaleMs } = deps;
  const timeoutMs = deps.timeoutMs ?? 3_000;
  const now = deps.now ?? Date.now;
  const timeout = <T>(p: Promise<T>): Promise<T> =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref())]);
  return async () => {
    const database: ReadinessCheck = await timeout(db.ping()).then(
      () => ({ ok: true, engine: db.kind }),
      () => ({ ok: false, engine: db.kind, message: 'La base de données ne répond pas.' }),
    );
    const migrations: ReadinessCheck = !database.ok
      ? { ok: false, message: 'Inconnu : la base de données ne répond pas.' }
      : await timeout(db.migrations()).then(
          ({ pending, unknown }) =>
            pending.length > 0
              ? { ok: false, pending, unknown, message: `Migrations non appliquées : ${pending.join(', ')}.` }
              : unknown.length > 0
                ? { ok: false, pending, unknown, message: `La base a des migrations inconnues de cette version (${unknown.join(', ')}) : une version plus récente l'a mise à jour.` }
                : { ok: true, pending, unknown },
          () => ({ ok: false, message: 'Les migrations ne peuvent pas être lues.' }),
        );
    const worker = deps.worker();
    const last = worker?.lastPollAt();
    const ageMs = last === undefined ? undefined : now() - last;
    const workerCheck: ReadinessCheck = !worker?.started()
      ? { ok: false, message: "La tâche de fond (envoi des messages) n'est pas démarrée." }
      : ageMs === undefined || ageMs > workerStaleMs
        ? { ok: false, lastPollSecondsAgo: ageMs === undefined ? null : Math.round(ageMs / 1000), message: "La tâche de fond n'a pas interrogé la file récemment." }
        : { ok: true, lastPollSecondsAgo: Math.round(ageMs / 1000) };
    return { database, migrations, worker: workerCheck };
  };
}
