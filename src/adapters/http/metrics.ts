import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkerEvents } from '../outbox/worker.ts';
import { errorBody } from './errors.ts';

export interface OutboxTopicStats {
  topic: string;
  due: number;
  oldestDueSeconds: number;
  dead: number;
}

/** Routes whose answers are booking outcomes (public and phone bookings). */
const BOOKING_CREATION_ROUTES = new Set(['POST /api/bookings', 'POST /api/admin/bookings']);
const OUTCOME_BY_ERROR: Record<string, string> = {
  SLOT_UNAVAILABLE: 'conflict',
  PAYMENT_DECLINED: 'declined',
  PLAN_LIMIT_REACHED: 'plan_limit',
};

/**
 * Prometheus metrics, on a registry of their own (never the process-global one, so two
 * services in one test process do not mix). HTTP figures are labelled by route pattern
 * (`/api/bookings/:code/cancel`), never the raw URL; booking outcomes are read from the
 * answers of the creation routes, so the use cases stay free of instrumentation.
 */
export function makeMetrics(deps: { outboxStats: () => Promise<OutboxTopicStats[]> }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'artisanconnect_' });

  const requests = new Counter({
    name: 'artisanconnect_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'artisanconnect_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const bookings = new Counter({
    name: 'artisanconnect_booking_outcomes_total',
    help: 'Booking creation attempts by outcome: created, conflict (slot taken), declined (deposit), plan_limit, invalid, error',
    labelNames: ['outcome', 'channel'] as const,
    registers: [registry],
  });
  const deliveryFailures = new Counter({
    name: 'artisanconnect_outbox_job_failures_total',
    help: 'Outbox job attempts that failed (messages not delivered, settlements not done), by topic; dead="true" when it was the last try',
    labelNames: ['topic', 'dead'] as const,
    registers: [registry],
  });
  const jobsDone = new Counter({
    name: 'artisanconnect_outbox_jobs_done_total',
    help: 'Outbox jobs completed, by topic',
    labelNames: ['topic'] as const,
    registers: [registry],
  });

  // The queue is read once per scrape (before the registry is rendered); the gauges share that read.
  let outbox: OutboxTopicStats[] | undefined;
  const readOutbox = async (): Promise<void> => {
    outbox = await deps.outboxStats().catch(() => undefined);
  };
  const outboxGauge = (name: string, help: string, pick: (s: OutboxTopicStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['topic'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of outbox ?? []) this.set({ topic: s.topic }, pick(s));
      },
    });
  outboxGauge('artisanconnect_outbox_due_jobs', 'Outbox jobs due and not done yet (the backlog), by topic', (s) => s.due);
  outboxGauge('artisanconnect_outbox_oldest_due_age_seconds', 'How long the oldest due outbox job has waited, by topic', (s) => s.oldestDueSeconds);
  outboxGauge('artisanconnect_outbox_dead_jobs', 'Outbox jobs that used up their tries (retry them in the back office), by topic', (s) => s.dead);
  new Gauge({
    name: 'artisanconnect_outbox_stats_up',
    help: '1 when the last scrape could read the outbox from the database, else 0',
    registers: [registry],
    collect() {
      this.set(outbox ? 1 : 0);
    },
  });

  const workerEvents: WorkerEvents = {
    jobFailed: (topic, dead) => deliveryFailures.inc({ topic, dead: String(dead) }),
    jobDone: (topic) => jobsDone.inc({ topic }),
  };

  /** Hooks on the root instance: every answered request is counted, 404s as route "unmatched". */
  function instrument(app: FastifyInstance): void {
    app.addHook('onSend', async (request, reply, payload) => {
      const key = `${request.method} ${request.routeOptions.url ?? ''}`;
      if (BOOKING_CREATION_ROUTES.has(key)) bookings.inc({ outcome: bookingOutcome(reply.statusCode, payload), channel: key.includes('/admin/') ? 'phone' : 'online' });
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      requests.inc({ method: request.method, route, status: String(reply.statusCode) });
      latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });
  }

  /** GET /metrics, bearer token required (the token is compared in constant time). */
  function route(app: FastifyInstance, token: string): void {
    const expected = createHash('sha256').update(token).digest();
    const allowed = (request: FastifyRequest): boolean => {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      return match !== null && timingSafeEqual(createHash('sha256').update(match[1]!).digest(), expected);
    };
    app.get('/metrics', { schema: { hide: true } }, async (request: FastifyRequest, reply: FastifyReply) => {
      if (!allowed(request)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        return reply.status(401).send(errorBody('UNAUTHENTICATED', 'Jeton de supervision absent ou invalide.'));
      }
      await readOutbox();
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    });
  }

  return { registry, workerEvents, instrument, route };
}

export type Metrics = ReturnType<typeof makeMetrics>;

function bookingOutcome(status: number, payload: unknown): string {
  if (status === 201) return 'created';
  if (status >= 500) return 'error';
  let code: string | undefined;
  if (typeof payload === 'string') {
    try {
      code = (JSON.parse(payload) as { error?: { code?: string } }).error?.code;
    } catch {
      /* not JSON */
    }
  }
  return (code && OUTCOME_BY_ERROR[code]) ?? (status === 429 ? 'rate_limited' : 'invalid');
}
