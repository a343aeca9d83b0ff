import { describe, expect, it } from 'vitest';
import { makeFreshReads } from './fresh-reads.ts';

/** A read whose answer the test releases: what it answers is the state when it started. */
function controlledSource() {
  let state = 0;
  const started: { at: number; finish: () => void; fail: (e: Error) => void }[] = [];
  const read = () =>
    new Promise<number>((resolve, reject) => {
      const at = state;
      started.push({ at, finish: () => resolve(at), fail: reject });
    });
  return { started, read, write: () => void state++ };
}

describe('fresh reads', () => {
  it('a caller arriving during a read waits for the next one; callers waiting together share it', async () => {
    const fresh = makeFreshReads<string, number>();
    const src = controlledSource();
    const first = fresh('day', src.read);
    src.write(); // committed after the first read began
    const a = fresh('day', src.read);
    const b = fresh('day', src.read);
    expect(src.started).toHaveLength(1);
    src.started[0]!.finish();
    expect(await first).toBe(0);
    await Promise.resolve();
    expect(src.started).toHaveLength(2); // one read for both, begun after they asked
    src.started[1]!.finish();
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    // Nothing running any more: the next caller's read starts at once.
    const c = fresh('day', src.read);
    expect(src.started).toHaveLength(3);
    src.started[2]!.finish();
    expect(await c).toBe(1);
  });

  it('keys are independent, and a failed read fails only those who shared it', async () => {
    const fresh = makeFreshReads<string, number>();
    const src = controlledSource();
    const one = fresh('monday', src.read);
    const other = fresh('tuesday', src.read);
    expect(src.started).toHaveLength(2);
    const waiting = fresh('monday', src.read);
    src.started[0]!.fail(new Error('database away'));
    await expect(one).rejects.toThrow('database away');
    await Promise.resolve();
    src.started[2]!.finish();
    expect(await waiting).toBe(0);
    src.started[1]!.finish();
    expect(await other).toBe(0);
  });
});
