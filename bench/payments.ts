/**
 * BENCH_SCENARIOS=payments: booking creation (POST /api/bookings, pm_card_visa) on the real
 * server in its own process, on a fresh embedded database (PGlite, worker thread), with the
 * simulated provider and with PAYMENT_PROVIDER=stripe — the official SDK against the local
 * Stripe-compatible server of the tests (test/helpers/fake-stripe.ts, in this process), so the
 * figure is the SDK's and the HTTP round trip's cost, not Stripe's own latency. Each request
 * books a distinct free slot (read from the availability first); serial, then with
 * BENCH_PAYMENT_CONCURRENCY requests in flight.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { FakeStripe } from '../test/helpers/fake-stripe.ts';
import { fetchSlots } from './measure.ts';
import { fmt, table } from './report.ts';
import { startServer } from './server.ts';

export interface PaymentsRun {
  provider: string;
  mode: string;
  requests: number;
  seconds: number;
  p50: number;
  p95: number;
  max: number;
  statuses: Record<string, number>;
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function freeSlots(url: string, count: number): Promise<{ date: string; time: string }[]> {
  const out: { date: string; time: string }[] = [];
  const day = new Date();
  for (let d = 1; d <= 80 && out.length < count; d++) {
    const date = new Date(day.getTime() + d * 86_400_000).toISOString().slice(0, 10);
    for (const s of await fetchSlots(url, date)) if (s.available && out.length < count) out.push({ date, time: s.time });
  }
  return out;
}

async function create(url: string, slot: { date: string; time: string }, i: number): Promise<{ ms: number; status: number }> {
  const body = JSON.stringify({
    serviceId: 'diag',
    date: slot.date,
    time: slot.time,
    customer: { name: `Client Bench ${i}`, email: `paybench${i}@exemple.fr` },
    notifications: { email: true, sms: false },
    paymentMethodId: 'pm_card_visa',
  });
  const t0 = performance.now();
  const res = await fetch(`${url}/api/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}

async function runBatch(url: string, slots: { date: string; time: string }[], offset: number, concurrency: number): Promise<Omit<PaymentsRun, 'provider' | 'mode'>> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= slots.length) return;
        const r = await create(url, slots[i]!, offset + i);
        latencies.push(r.ms);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, seconds, p50: pct(latencies, 50), p95: pct(latencies, 95), max: latencies.at(-1) ?? 0, statuses };
}

export async function runPaymentsBench(options: { requests: number; concurrency: number; log: (text?: string) => void }): Promise<PaymentsRun[]> {
  const fake = new FakeStripe();
  await fake.start();
  const runs: PaymentsRun[] = [];
  const base = mkdtempSync(join(os.tmpdir(), 'artisanconnect-bench-pay-'));
  try {
    const providers: [string, Record<string, string>][] = [
      ['simulated', { PAYMENT_PROVIDER: 'simulated' }],
      [
        'stripe (SDK → local server)',
        {
          PAYMENT_PROVIDER: 'stripe',
          STRIPE_SECRET_KEY: 'sk_test_bench123',
          STRIPE_PUBLISHABLE_KEY: 'pk_test_bench123',
          STRIPE_WEBHOOK_SECRET: 'whsec_bench123',
          STRIPE_API_URL: fake.url,
        },
      ],
    ];
    for (const [provider, env] of providers) {
      options.log(`payments: ${provider}`);
      const server = await startServer({ dataDir: join(base, provider.split(' ')[0]!), label: `pay-${provider.split(' ')[0]}`, env: { ...env, PGLITE_THREAD: 'worker' } });
      try {
        const slots = await freeSlots(server.url, options.requests * 2 + 10);
        // Warm-up: a few bookings, not counted.
        await runBatch(server.url, slots.slice(0, 10), 0, 1);
        const serial = slots.slice(10, 10 + options.requests);
        const parallel = slots.slice(10 + options.requests, 10 + 2 * options.requests);
        runs.push({ provider, mode: 'serial', ...(await runBatch(server.url, serial, 1_000, 1)) });
        runs.push({ provider, mode: `${options.concurrency} in flight`, ...(await runBatch(server.url, parallel, 2_000, options.concurrency)) });
      } finally {
        await server.stop();
      }
    }
    if (fake.violations.length > 0) throw new Error(`the local Stripe server saw bad requests: ${fake.violations.join('; ')}`);
  } finally {
    await fake.stop();
    rmSync(base, { recursive: true, force: true });
  }
  return runs;
}

export function paymentsSummary(runs: PaymentsRun[]): string {
  return [
    '## Booking creation by payment provider (BENCH_SCENARIOS=payments, PGlite worker thread)',
    '',
    table(
      ['provider', 'mode', 'bookings', 'per s', 'p50 ms', 'p95 ms', 'max ms', 'statuses'],
      runs.map((r) => [
        r.provider,
        r.mode,
        String(r.requests),
        fmt(r.requests / r.seconds, 1),
        fmt(r.p50, 1),
        fmt(r.p95, 1),
        fmt(r.max, 1),
        Object.entries(r.statuses).map(([s, n]) => `${s}×${n}`).join(' '),
      ]),
    ),
  ].join('\n');
}
