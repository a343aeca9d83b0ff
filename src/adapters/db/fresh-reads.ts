/**
 * Identical reads asked for at the same time, shared without ever answering from the past.
 *
 * A caller gets the result of a read that STARTED AFTER it asked: if none of its key is
 * running, its own starts at once; if one is running (it may have started before a write the
 * caller has just seen committed), the caller waits for the next one, which starts when the
 * running one ends and is shared by everyone who asked meanwhile. So a change committed
 * before a request arrives is always in its answer (the guarantee of one read per request),
 * while a burst of requests for the same day costs one read per round trip instead of one
 * per request.
 *
 * One of booking creation's in-process structures, listed with the others (bound: one slot per
 * key being read, dropped when it settles) in src/app/creation-state.ts.
 */
export function makeFreshReads<K, T>(): (key: K, read: () => Promise<T>) => Promise<T> {
  interface Waiting {
    promise: Promise<T>;
    resolve: (value: T) => void;
    reject: (error: unknown) => void;
  }
  const slots = new Map<K, { waiting?: Waiting }>();

  const start = (key: K, slot: { waiting?: Waiting }, read: () => Promise<T>): Promise<T> => {
    const running = read();
    const settled = (): void => {
      const next = slot.waiting;
      if (!next) {
        slots.delete(key);
        return;
      }
      slot.waiting = undefined;
      start(key, slot, read).then(next.resolve, next.reject);
    };
    running.then(settled, settled);
    return running;
  };

  return (key, read) => {
    const slot = slots.get(key);
    if (!slot) {
      const fresh = {};
      slots.set(key, fresh);
      return start(key, fresh, read);
    }
    if (!slot.waiting) {
      let resolve!: (value: T) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<T>((ok, fail) => {
        resolve = ok;
        reject = fail;
      });
      slot.waiting = { promise, resolve, reject };
    }
    return slot.waiting.promise;
  };
}
