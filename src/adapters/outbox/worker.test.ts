import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { OutboxJob, OutboxQueue } from './outbox-queue.ts';
import { makeWorker } from './worker.ts';

const job = (id: string): OutboxJob => ({ artisanId: 'a', id, topic: 'email', bookingId: id, payload: {}, attempts: 1, maxAttempts: 10 });

/** A queue that hands out the given jobs once and records what happened, in order. */
function queueOf(jobs: OutboxJob[], events: string[]): OutboxQueue {
  let pending = [...jobs];
  return {
    claim: async () => {
      events.push('claim');
      const out = pending;
      pending = [];
      return out;
    },
    complete: async (_w: string, j: { id: string }) => void events.push(`done ${j.id}`),
    fail: async () => 'pending' as const,
  } as unknown as OutboxQueue;
}

describe('the worker pass and its housekeeping', () => {
  it('claims and sends while a long housekeeping task runs, and ends only when it is done', async () => {
    const events: string[] = [];
    let finishSweep!: () => void;
    const sweeping = new Promise<void>((resolve) => (finishSweep = resolve));
    const worker = makeWorker({
      queue: queueOf([job('confirmation')], events),
      handlers: { email: async (j) => void events.push(`sent ${j.id}`) },
      beside: [
        async () => {
          events.push('sweep started');
          await sweeping;
          events.push('sweep done');
        },
      ],
      workerId: 'w',
      pollMs: 1000,
      log: pino({ level: 'silent' }),
    });
    let passEnded = false;
    const pass = worker.runOnce().then((n) => {
      passEnded = true;
      return n;
    });
    // The confirmation goes out although the sweep has not finished.
    await expect.poll(() => events).toContain('done confirmation');
    expect(events.indexOf('sent confirmation')).toBeGreaterThan(events.indexOf('sweep started'));
    expect(events).not.toContain('sweep done');
    expect(passEnded).toBe(false);
    finishSweep();
    expect(await pass).toBe(1);
    expect(events.at(-1)).toBe('sweep done');
  });

  it('a failing housekeeping task is logged and the pass still sends', async () => {
    const events: string[] = [];
    const worker = makeWorker({
      queue: queueOf([job('reminder')], events),
      handlers: { email: async (j) => void events.push(`sent ${j.id}`) },
      beside: [async () => Promise.reject(new Error('database busy'))],
      workerId: 'w',
      pollMs: 1000,
      log: pino({ level: 'silent' }),
    });
    expect(await worker.runOnce()).toBe(1);
    expect(events).toEqual(['claim', 'sent reminder', 'done reminder']);
  });
});
