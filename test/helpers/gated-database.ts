import type { Database, Queryable } from '../../src/adapters/db/database.ts';

/**
 * Wraps a database so that, once armed, every write of a booking waits until release(): a
 * transaction, or the one statement that takes a hold (booking_hold, migration 0021).
 */
export function gatedDatabase(db: Database) {
  let armed = false;
  let waiting = 0;
  let open: () => void = () => {};
  let opened = Promise.resolve();
  const watchers: { count: number; resolve: () => void }[] = [];
  const wait = async () => {
    waiting++;
    for (const w of watchers.filter((x) => waiting >= x.count)) {
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve();
    }
    await opened;
  };
  const gated: Database = {
    kind: db.kind,
    async query<R>(text: string, params?: readonly unknown[]): Promise<R[]> {
      if (armed && text.includes('booking_hold(')) await wait();
      return db.query<R>(text, params);
    },
    exec: db.exec.bind(db),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      if (armed) await wait();
      return db.transaction(fn);
    },
    close: () => db.close(),
  };
  return {
    db: gated,
    arm() {
      armed = true;
      waiting = 0;
      opened = new Promise<void>((resolve) => (open = resolve));
    },
    waiting: () => waiting,
    /** Resolves once `count` writes wait at the gate. */
    waitingReaches(count: number): Promise<void> {
      return waiting >= count ? Promise.resolve() : new Promise<void>((resolve) => watchers.push({ count, resolve }));
    },
    release() {
      armed = false;
      open();
    },
  };
}

