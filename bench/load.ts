import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  path: string;
  connections: number;
  /** Seconds; ignored when amount is set. */
  duration?: number;
  /** Total number of requests, when the run is by count. */
  amount?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Body of the request number i (0-based, in the order autocannon sends them). */
  body?: (i: number) => string;
  /** The path of the request number i (e.g. a random business's page each time). */
  pathFor?: (i: number) => string;
  /** More headers for the request number i (e.g. a new X-Forwarded-For each time). */
  headersFor?: (i: number) => Record<string, string>;
  /** Ends the run early (by duration or count) when this settles. */
  until?: Promise<unknown>;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  /** Latencies in ms, from autocannon's per-response hrtime (sub-millisecond; its own histogram rounds to whole ms). */
  p50: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  /** Connection errors, timeouts included. */
  errors: number;
  /** Responses that are not 2xx, plus connection errors and timeouts. */
  failures: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** Runs autocannon in this process, keeping every response time to compute exact percentiles. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let sent = 0;
  const body = options.body;
  const headersFor = options.headersFor;
  const pathFor = options.pathFor;
  const opts: autocannon.Options = {
    url: `${options.url}${options.path}`,
    connections: options.connections,
    method: options.method ?? 'GET',
    headers: options.headers,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.duration ?? 8 }),
    ...(body || headersFor || pathFor
      ? {
          requests: [
            {
              setupRequest: (req: autocannon.Request) => {
                const i = sent++;
                return {
                  ...req,
                  ...(body ? { body: body(i) } : {}),
                  ...(pathFor ? { path: pathFor(i) } : {}),
                  ...(headersFor ? { headers: { ...req.headers, ...headersFor(i) } } : {}),
                };
              },
            },
          ],
        }
      : {}),
  };
  return new Promise((resolveLoad, reject) => {
    const started = performance.now();
    let lastResponse = started;
    const instance = autocannon(opts, (error, result) => {
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      // Up to the last response: a run by count ends on autocannon's next 1-second tick.
      const seconds = (lastResponse - started) / 1000;
      latencies.sort((a, b) => a - b);
      const requests = latencies.length;
      const non2xx = Object.entries(statuses).reduce((n, [code, count]) => (code.startsWith('2') ? n : n + count), 0);
      resolveLoad({
        requests,
        seconds,
        rps: requests / seconds,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1] ?? NaN,
        statuses,
        errors: result.errors,
        failures: non2xx + result.errors,
      });
    });
    void options.until?.finally(() => instance.stop());
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      lastResponse = performance.now();
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
}
