/**
 * Loaded first in the benchmarked server (bench/server-entry.ts): answers the bench's IPC message 'loop-stats' with the main thread's event
 * loop utilisation and event loop delay since the previous request. It changes nothing in
 * the service; its only cost is a 2 ms libuv timer (the delay histogram's sampling).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface LoopStats {
  /** Share of wall time the main thread was not idle in the event loop, 0..1. */
  utilization: number;
  /** Event loop delay percentiles (ms): how late a 2 ms timer fired, beyond its 2 ms. */
  delayP50: number;
  delayP99: number;
  delayMax: number;
}

if (process.send) {
  const RESOLUTION_MS = 2;
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let since = performance.eventLoopUtilization();
  process.on('message', (message) => {
    if (message !== 'loop-stats') return;
    const elu = performance.eventLoopUtilization(since);
    since = performance.eventLoopUtilization();
    const ms = (ns: number): number => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    const stats: LoopStats = {
      utilization: elu.utilization,
      delayP50: ms(delay.percentile(50)),
      delayP99: ms(delay.percentile(99)),
      delayMax: ms(delay.max),
    };
    delay.reset();
    process.send?.({ type: 'loop-stats', stats });
  });
  // The IPC channel must not keep the service alive on its own.
  process.channel?.unref();
}
