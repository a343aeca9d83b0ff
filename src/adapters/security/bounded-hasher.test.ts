import { describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../../app/admin-auth.ts';
import { boundedHasher } from './bounded-hasher.ts';

/** A hasher whose checks end when the test says, counting how many run at once. */
function gatedHasher() {
  let running = 0;
  let peak = 0;
  const gates: (() => void)[] = [];
  const work = async <T>(value: T): Promise<T> => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((resolve) => gates.push(resolve));
    running--;
    return value;
  };
  const hasher: PasswordHasher = { hash: (p) => work(`h:${p}`), verify: (s, p) => work(s === `h:${p}`) };
  return { hasher, gates, peak: () => peak, running: () => running };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('boundedHasher', () => {
  it('runs at most `concurrency` hashes, queues `queue` more, refuses the rest at once with LOGIN_BUSY', async () => {
    const inner = gatedHasher();
    const bounded = boundedHasher(inner.hasher, { concurrency: 2, queue: 3 });
    const calls = Array.from({ length: 8 }, (_, i) => bounded.verify('h:pw', i % 2 === 0 ? 'pw' : 'no').then((ok) => ({ ok }), (error: { code?: string }) => ({ error: error.code })));
    await tick();
    expect(inner.running()).toBe(2);
    expect(bounded.waiting).toBe(3);
    // Release one at a time: the queue drains, never more than 2 at once.
    while (inner.gates.length > 0) {
      inner.gates.shift()!();
      await tick();
      await tick();
    }
    const results = await Promise.all(calls);
    expect(inner.peak()).toBe(2);
    expect(results.filter((r) => 'error' in r)).toEqual([{ error: 'LOGIN_BUSY' }, { error: 'LOGIN_BUSY' }, { error: 'LOGIN_BUSY' }]);
    expect(results.slice(0, 5)).toEqual([{ ok: true }, { ok: false }, { ok: true }, { ok: false }, { ok: true }]);
  });

  it('a refused check hashes nothing and the next one, once there is room, goes through', async () => {
    const inner = gatedHasher();
    const bounded = boundedHasher(inner.hasher, { concurrency: 1, queue: 0 });
    const first = bounded.hash('a');
    await expect(bounded.verify('h:a', 'a')).rejects.toMatchObject({ code: 'LOGIN_BUSY' });
    await tick();
    expect(inner.gates).toHaveLength(1);
    inner.gates.shift()!();
    expect(await first).toBe('h:a');
    const second = bounded.verify('h:a', 'a');
    await tick();
    inner.gates.shift()!();
    expect(await second).toBe(true);
  });
});
