import pLimit from 'p-limit';
import type { PasswordHasher } from '../../app/admin-auth.ts';
import { UnavailableError } from '../../domain/errors.ts';

export const loginBusy = (): UnavailableError =>
  new UnavailableError('LOGIN_BUSY', 'Trop de connexions sont en cours. Merci de réessayer dans quelques secondes.');

/**
 * A global cap on password hashing. One argon2id check costs ~20 ms of a core; a flood of
 * logins from many addresses (which per-IP limits do not stop) would otherwise take every
 * core and starve the public API. At most `concurrency` hashes run at once, `queue` more
 * wait; beyond that a login is refused at once (503 LOGIN_BUSY with Retry-After) without
 * hashing anything.
 */
export function boundedHasher(inner: PasswordHasher, options: { concurrency: number; queue: number }): PasswordHasher & { readonly active: number; readonly waiting: number } {
  const limit = pLimit(options.concurrency);
  const run = <T>(work: () => Promise<T>): Promise<T> => {
    if (limit.activeCount + limit.pendingCount >= options.concurrency + options.queue) return Promise.reject(loginBusy());
    return limit(work);
  };
  return {
    hash: (password) => run(() => inner.hash(password)),
    verify: (stored, password) => run(() => inner.verify(stored, password)),
    get active() {
      return limit.activeCount;
    },
    get waiting() {
      return limit.pendingCount;
    },
  };
}
