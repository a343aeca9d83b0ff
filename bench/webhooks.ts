/**
 * BENCH_SCENARIOS=webhooks (issue 21, "What must be shown"): what one subscribed webhook
 * endpoint costs booking creation, and how fast deliveries reach a local receiver.
 *
 * The real server (bench/server-entry.ts with BENCH_WEBHOOK_RECEIVERS=1, so that an endpoint
 * may be this process's receiver on the loopback over plain HTTP), its workers polling at the
 * service's default (WORKER_POLL_MS 1,000), on a fresh database per engine. One endpoint is
 * registered through the admin API for every booking event; rounds alternate it disabled and
 * enabled (PATCH), each round BENCH_WEBHOOK_REQUESTS bookings (default 120), every one on a
 * free slot of its own (no contention: each request books), at 20 connections. After an
 * enabled round the bench waits until the receiver holds every event of the round before the
 * next round starts, so that no round pays for another's deliveries.
 *
 * Delivery: for each enabled round, the time from the first to the last event received and
 * the lag of the last one after the round's last answer; then the throughput proper: the same
 * database served again with the workers polling once a minute, BENCH_WEBHOOK_BACKLOG bookings
 * (default 200) made before their next poll, and the rate at which the worker then drains their
 * events to the receiver. The receiver verifies every signature with the `standardwebhooks`
 * package (the figures are void if one fails).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { runLoad, type LoadResult } from './load.ts';
import { cpuSecondsOf } from './proc.ts';
import { freeSlots } from './measure.ts';
import { fmt, statusList, table } from './report.ts';
import { sleep, startServer, withScratchDatabase, type ServerOptions } from './server.ts';

const CONNECTIONS = 20;
const ROUNDS = Math.max(1, Math.round(Number(process.env.BENCH_WEBHOOK_ROUNDS || 3)));
const REQUESTS = Math.max(20, Math.round(Number(process.env.BENCH_WEBHOOK_REQUESTS || 120)));
const WARM = 20;
/** Bookings made while the workers wait for their next poll: the backlog the webhook worker then drains. */
const BACKLOG = Math.max(20, Math.round(Number(process.env.BENCH_WEBHOOK_BACKLOG || 200)));
/** The poll interval of the backlog's server: long enough that the backlog is made before the worker looks. */
const BACKLOG_POLL_MS = 60_000;
const TOKEN = `bench-webhooks-${randomBytes(12).toString('hex')}`;
const DRAIN_BOUND_MS = 120_000;

interface Receiver {
  url: string;
  /** Arrival time (performance.now()) of each delivery received, in order. */
  arrivals: number[];
  ids: Set<string>;
  badSignatures: number;
  secret: string | undefined;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', arrivals: [], ids: new Set(), badSignatures: 0, secret: undefined, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.arrivals.push(performance.now());
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
      try {
        if (!receiver.secret) throw new Error('no secret yet');
        new Webhook(receiver.secret).verify(body, headers);
        receiver.ids.add(headers['webhook-id']);
      } catch {
        receiver.badSignatures++;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

interface Costed extends LoadResult {
  serverMsPerReq: number;
}

interface DeliveryFigure {
  events: number;
  spanMs: number;
  lastAfterMs: number;
}

export interface WebhookRun {
  engine: string;
  rounds: { off: Costed; on: Costed; delivery: DeliveryFigure }[];
  ratio: number;
  badSignatures: number;
  /** The backlog drained at full speed: events received, first to last, deliveries a second. */
  backlog: { events: number; spanMs: number; perSecond: number };
}

async function runOne(name: string, options: ServerOptions, log: (t?: string) => void): Promise<WebhookRun> {
  const receiver = await startReceiver();
  const serve = (pollMs: number) => startServer({ ...options, env: { ...options.env, BENCH_WEBHOOK_RECEIVERS: '1', ADMIN_API_TOKEN: TOKEN, WORKER_POLL_MS: String(pollMs) } });
  let handle = await serve(1_000);
  const admin = async (method: 'POST' | 'PATCH', path: string, body: unknown) => {
    const res = await fetch(`${handle.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    const created = (await admin('POST', '/api/admin/webhook-endpoints', {
      url: receiver.url,
      description: 'Bench',
      eventTypes: ['booking.created', 'booking.confirmed', 'booking.rescheduled', 'booking.cancelled'],
      enabled: false,
    })) as { endpoint: { id: string }; secret: string };
    receiver.secret = created.secret;
    const endpoint = `/api/admin/webhook-endpoints/${created.endpoint.id}`;
    const slots = await freeSlots(handle.url, WARM + ROUNDS * 2 * REQUESTS + BACKLOG);
    let next = 0;
    const book = async (amount: number): Promise<Costed> => {
      const chosen = slots.slice(next, next + amount);
      next += amount;
      const serverBefore = cpuSecondsOf(handle.pid) ?? 0;
      const result = await runLoad({
        url: handle.url,
        path: '/api/bookings',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections: CONNECTIONS,
        amount,
        body: (i) => {
          const slot = chosen[i % chosen.length]!;
          return JSON.stringify({
            serviceId: 'diag',
            date: slot.date,
            time: slot.time,
            customer: { name: `Client Webhook ${next + i}`, email: `webhook${next}-${i}@exemple.fr`, phone: '06 12 34 56 78' },
            paymentMethodId: 'pm_card_visa',
          });
        },
      });
      return { ...result, serverMsPerReq: (((cpuSecondsOf(handle.pid) ?? 0) - serverBefore) * 1000) / Math.max(1, result.requests) };
    };
    await book(WARM);
    const rounds: WebhookRun['rounds'] = [];
    for (let r = 0; r < ROUNDS; r++) {
      await admin('PATCH', endpoint, { enabled: false });
      const off = await book(REQUESTS);
      // The round's events are fanned out by the worker's next polls: let them find the endpoint
      // disabled, so that the enabled round receives only its own.
      await sleep(3_000);
      await admin('PATCH', endpoint, { enabled: true });
      const before = receiver.arrivals.length;
      const on = await book(REQUESTS);
      const answeredAt = performance.now();
      // Every booking of the round sends booking.created (and booking.confirmed once paid): wait
      // until the receiver stops receiving for 3 s (two worker polls), bounded.
      const deadline = Date.now() + DRAIN_BOUND_MS;
      let quietSince = Date.now();
      let seen = receiver.arrivals.length;
      while (Date.now() < deadline && Date.now() - quietSince < 3_000) {
        await sleep(100);
        if (receiver.arrivals.length !== seen) {
          seen = receiver.arrivals.length;
          quietSince = Date.now();
        }
      }
      const mine = receiver.arrivals.slice(before);
      const delivery: DeliveryFigure = {
        events: mine.length,
        spanMs: mine.length ? mine[mine.length - 1]! - mine[0]! : NaN,
        lastAfterMs: mine.length ? mine[mine.length - 1]! - answeredAt : NaN,
      };
      rounds.push({ off, on, delivery });
      log(
        `${name} round ${r + 1}: no endpoint ${fmt(off.rps, 0)} req/s p99 ${fmt(off.p99, 2)} ms [${statusList(off.statuses)}] CPU ${fmt(off.serverMsPerReq, 2)} ms/req; ` +
          `one endpoint ${fmt(on.rps, 0)} req/s p99 ${fmt(on.p99, 2)} ms [${statusList(on.statuses)}] CPU ${fmt(on.serverMsPerReq, 2)} ms/req; ` +
          `ratio ${fmt(on.rps / off.rps, 2)}; ${delivery.events} events received over ${fmt(delivery.spanMs, 0)} ms, the last ${fmt(delivery.lastAfterMs, 0)} ms after the last answer; load ${os.loadavg()[0]!.toFixed(2)}`,
      );
    }
    // The backlog: the same database served again with the workers polling once a minute; the
    // bookings are made before their next poll, which then finds every event at once and drains
    // them batch after batch (a full batch is followed at once by the next claim).
    await handle.stop();
    handle = await serve(BACKLOG_POLL_MS);
    const before = receiver.arrivals.length;
    const made = await book(BACKLOG);
    const deadline = Date.now() + BACKLOG_POLL_MS + DRAIN_BOUND_MS;
    while (Date.now() < deadline && receiver.arrivals.length - before < made.statuses['201']!) await sleep(100);
    const drained = receiver.arrivals.slice(before);
    const spanMs = drained.length > 1 ? drained[drained.length - 1]! - drained[0]! : NaN;
    const backlog = { events: drained.length, spanMs, perSecond: ((drained.length - 1) * 1000) / spanMs };
    log(
      `${name} backlog: ${made.statuses['201'] ?? 0} bookings made in ${fmt(made.seconds, 1)} s before the workers' next poll; ` +
        `${backlog.events} events received over ${fmt(spanMs, 0)} ms (${fmt(backlog.perSecond, 0)} deliveries/s); load ${os.loadavg()[0]!.toFixed(2)}`,
    );
    const rate = (xs: LoadResult[]) => xs.reduce((n, x) => n + x.requests, 0) / xs.reduce((s, x) => s + x.seconds, 0);
    return { engine: name, rounds, ratio: rate(rounds.map((x) => x.on)) / rate(rounds.map((x) => x.off)), badSignatures: receiver.badSignatures, backlog };
  } finally {
    await handle.stop();
    await receiver.close();
  }
}

export async function runWebhookBench(config: { adminUrl: string; only: string | undefined; log: (text?: string) => void }): Promise<WebhookRun[]> {
  const { log } = config;
  log(`\n## Webhooks: one subscribed endpoint vs none on booking creation (${CONNECTIONS} connections, ${REQUESTS} bookings a round, ${ROUNDS} rounds)\n`);
  const runs: WebhookRun[] = [];
  if (!config.only || config.only === 'pglite') {
    const dir = mkdtempSync(join(os.tmpdir(), 'artisanconnect-webhooks-'));
    try {
      runs.push(await runOne('PGlite (worker thread)', { dataDir: dir, label: 'webhooks-pglite', env: { PGLITE_THREAD: 'worker' } }, log));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!config.only || config.only === 'postgres') {
    runs.push(await withScratchDatabase(config.adminUrl, 'artisanconnect_webhooks', (databaseUrl) => runOne('PostgreSQL', { databaseUrl, label: 'webhooks-postgres' }, log)));
  }
  log('');
  log(
    table(
      ['database', 'no endpoint req/s (rounds)', 'one endpoint req/s (rounds)', 'ratio (aim: within noise)', 'events received per round', 'delivery span ms (rounds)', 'last event after the last answer, ms', 'backlog drained: events, ms, deliveries/s', 'bad signatures'],
      runs.map((r) => [
        r.engine,
        r.rounds.map((x) => fmt(x.off.rps, 0)).join(' / '),
        r.rounds.map((x) => fmt(x.on.rps, 0)).join(' / '),
        fmt(r.ratio, 2),
        r.rounds.map((x) => String(x.delivery.events)).join(' / '),
        r.rounds.map((x) => fmt(x.delivery.spanMs, 0)).join(' / '),
        r.rounds.map((x) => fmt(x.delivery.lastAfterMs, 0)).join(' / '),
        `${r.backlog.events}, ${fmt(r.backlog.spanMs, 0)}, ${fmt(r.backlog.perSecond, 0)}`,
        String(r.badSignatures),
      ]),
    ),
  );
  return runs;
}
