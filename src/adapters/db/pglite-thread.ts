import { Worker } from 'node:worker_threads';
import type { Database, Queryable } from './database.ts';
import { pgliteBackup } from './backup.ts';

interface Reply {
  id?: number;
  ready?: boolean;
  rows?: unknown[];
  tx?: number;
  bytes?: Uint8Array;
  error?: { message: string; code?: string; constraint?: string; detail?: string };
}

/** An error from the PGlite thread, with the SQLSTATE code the stores translate. */
class PgliteThreadError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly constraint?: string,
  ) {
    super(message);
    this.name = 'PgliteThreadError';
  }
}

/**
 * PGlite in a worker thread. PGlite executes SQL synchronously inside its WebAssembly
 * engine; on the main thread every query stalls the event loop (HTTP parsing, timers).
 * Here the main thread only posts messages, so request handling and SQL run on two cores.
 */
export async function openPgliteThread(dataDir: string): Promise<Database> {
  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { workerData: { dataDir } });
  const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failed: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', function onReady(msg: Reply) {
      if (msg.ready) {
        worker.off('message', onReady);
        worker.off('error', reject);
        resolve();
      }
    });
  });
  worker.on('message', (msg: Reply) => {
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new PgliteThreadError(msg.error.message, msg.error.code, msg.error.constraint));
    else p.resolve(msg);
  });
  const failAll = (error: Error): void => {
    failed = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', () => failAll(new Error('the database thread has stopped')));

  const call = (msg: Record<string, unknown>): Promise<Reply> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...msg });
    });
  };
  const scoped = (tx?: number): Queryable => ({
    async query<R>(sql: string, params?: readonly unknown[]) {
      return (await call({ op: 'query', sql, params: params ? [...params] : undefined, tx })).rows as R[];
    },
    async exec(sql: string) {
      await call({ op: 'exec', sql, tx });
    },
  });
  const base = scoped();
  let closed = false;

  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    async transaction(fn) {
      const { tx } = await call({ op: 'begin' });
      let result;
      try {
        result = await fn(scoped(tx));
      } catch (error) {
        await call({ op: 'rollback', tx }).catch(() => {});
        throw error;
      }
      await call({ op: 'commit', tx });
      return result;
    },
    async backup() {
      const { bytes } = await call({ op: 'snapshot' });
      return pgliteBackup(bytes!);
    },
    async close() {
      if (closed) return;
      closed = true;
      // PGlite flushes its files on close; a thread that does not answer in time is stopped anyway
      // (committed data is already durable: a crash restarts cleanly, as the SIGKILL test shows).
      if (!failed) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 5_000);
        });
        await Promise.race([call({ op: 'close' }).catch(() => {}), timeout]);
        clearTimeout(timer);
      }
      await worker.terminate();
    },
  };
}
