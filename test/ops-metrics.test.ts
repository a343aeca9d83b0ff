import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';
import { adminHeaders } from './helpers/admin.ts';
import { freePort } from './helpers/process.ts';

/**
 * /metrics in Prometheus text format, read with a Prometheus text-format parser: counters
 * move with real requests; route labels are patterns; 401 without the token; no route at all
 * without METRICS_TOKEN.
 */

const TOKEN = 'metrics-token-0123456789abcdefghij';

describe.each(ENGINES)('metrics on %s', (engine) => {
  let t: TestService;
  beforeAll(async () => {
    // SMTP to a closed port: deliveries fail, which the failure counter must show.
    t = await startTestService(engine, { env: { METRICS_TOKEN: TOKEN, SMTP_URL: `smtp://127.0.0.1:${await freePort()}`, OUTBOX_MAX_ATTEMPTS: '1' } });
  });
  afterAll(async () => t?.close());

  const scrape = async (): Promise<{ text: string; families: Map<string, PromFamily> }> => {
    const res = await t.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = new Map(parsePrometheusTextFormat(res.body).map((f) => [f.name, f]));
    return { text: res.body, families };
  };
  const value = (families: Map<string, PromFamily>, name: string, labels: Record<string, string>): number => {
    const family = families.get(name);
    const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    return sample ? Number(sample.value ?? sample.count) : 0;
  };

  it('answers 401 with the contract body without the token or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789abcdefghij' }, { authorization: `Basic ${TOKEN}` }]) {
      const res = await t.inject({ method: 'GET', url: '/metrics', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
      expect(res.body).not.toContain('artisanconnect_');
    }
  });

  it('counts requests per route pattern with latency histograms, and booking outcomes from the answers', async () => {
    const before = await scrape();
    const day = parisDate(t.clock, 2);
    for (let i = 0; i < 3; i++) expect((await t.request('GET', '/api/services')).status).toBe(200);
    const created = await t.request('POST', '/api/bookings', bookingBody(day, '09:00'));
    expect(created.status).toBe(201);
    expect((await t.request('POST', '/api/bookings', bookingBody(day, '09:00', { customer: { name: 'Autre Client', email: 'autre@example.com' } }))).status).toBe(409);
    expect((await t.request('POST', '/api/bookings', bookingBody(day, '11:00', { paymentMethodId: 'pm_card_chargeDeclined' }))).status).toBe(402);
    expect((await t.request('POST', '/api/admin/bookings', bookingBody(day, '14:00', { customer: { name: 'Par Téléphone', email: 'tel@example.com' } }), adminHeaders())).status).toBe(201);
    const code = created.body.booking.publicCode as string;
    expect((await t.request('POST', `/api/bookings/${code}/cancel`, { email: 'nobody@example.com' })).status).toBe(404);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => value(after.families, name, labels) - value(before.families, name, labels);
    expect(delta('artisanconnect_http_requests_total', { method: 'GET', route: '/api/services', status: '200' })).toBe(3);
    expect(delta('artisanconnect_http_requests_total', { method: 'POST', route: '/api/bookings', status: '201' })).toBe(1);
    expect(delta('artisanconnect_http_requests_total', { method: 'POST', route: '/api/bookings', status: '409' })).toBe(1);
    expect(delta('artisanconnect_http_requests_total', { method: 'POST', route: '/api/bookings/:publicCode/cancel', status: '404' })).toBe(1);
    // The parser folds labelled histograms into one sample, so the histogram's count series is read from the text.
    const histogramCount = (text: string): number =>
      Number(/^artisanconnect_http_request_duration_seconds_count\{method="GET",route="\/api\/services"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    expect(histogramCount(after.text) - histogramCount(before.text)).toBe(3);
    expect(after.families.get('artisanconnect_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    // Route patterns only: no booking code, no e-mail in any label.
    expect(after.text).not.toContain(code);
    expect(after.text).not.toContain('example.com');

    expect(delta('artisanconnect_booking_outcomes_total', { outcome: 'created', channel: 'online' })).toBe(1);
    expect(delta('artisanconnect_booking_outcomes_total', { outcome: 'conflict', channel: 'online' })).toBe(1);
    expect(delta('artisanconnect_booking_outcomes_total', { outcome: 'declined', channel: 'online' })).toBe(1);
    expect(delta('artisanconnect_booking_outcomes_total', { outcome: 'created', channel: 'phone' })).toBe(1);

    // The starter plan's cap: 50 online bookings this month already (cancelled ones count too).
    await t.service.db.query(`UPDATE artisans SET plan = 'starter'`);
    await t.service.db.query(
      `INSERT INTO bookings SELECT (jsonb_populate_record(b, jsonb_build_object(
         'id', gen_random_uuid(), 'public_code', 'AC-' || lpad(i::text, 6, '0'), 'status', 'cancelled'))).*
         FROM bookings b, generate_series(1, 50) i WHERE b.public_code = $1`,
      [code],
    );
    const capped = await t.request('POST', '/api/bookings', bookingBody(day, '16:00'));
    await t.service.db.query(`UPDATE artisans SET plan = 'pro'`);
    expect(capped.body.error?.code).toBe('PLAN_LIMIT_REACHED');
    const last = await scrape();
    expect(value(last.families, 'artisanconnect_booking_outcomes_total', { outcome: 'plan_limit', channel: 'online' }) - value(after.families, 'artisanconnect_booking_outcomes_total', { outcome: 'plan_limit', channel: 'online' })).toBe(1);
  });

  it('shows the outbox backlog and its age per topic, dead jobs, delivery failures and event-loop lag', async () => {
    await t.service.db.exec('TRUNCATE outbox');
    const day = parisDate(t.clock, 3);
    expect((await t.request('POST', '/api/bookings', bookingBody(day, '09:00'))).status).toBe(201);
    const first = await scrape();
    t.clock.advance(10); // the confirmation has now waited ten minutes more
    const queued = await scrape();
    expect(value(queued.families, 'artisanconnect_outbox_due_jobs', { topic: 'notify.booking_confirmed' })).toBe(1);
    const age = (f: Map<string, PromFamily>) => value(f, 'artisanconnect_outbox_oldest_due_age_seconds', { topic: 'notify.booking_confirmed' });
    expect(age(queued.families) - age(first.families)).toBeCloseTo(600, -1);
    expect(value(queued.families, 'artisanconnect_outbox_dead_jobs', { topic: 'notify.booking_confirmed' })).toBe(0);

    // The SMTP server is unreachable and each job has one try: the confirmation fails for good.
    await t.service.worker.runOnce();
    const failed = await scrape();
    expect(value(failed.families, 'artisanconnect_outbox_job_failures_total', { topic: 'notify.booking_confirmed', dead: 'true' })).toBe(1);
    expect(value(failed.families, 'artisanconnect_outbox_dead_jobs', { topic: 'notify.booking_confirmed' })).toBe(1);
    expect(value(failed.families, 'artisanconnect_outbox_due_jobs', { topic: 'notify.booking_confirmed' })).toBe(0);
    expect(value(failed.families, 'artisanconnect_outbox_stats_up', {})).toBe(1);

    expect(failed.families.get('artisanconnect_nodejs_eventloop_lag_seconds')?.type).toBe('GAUGE');
    expect(failed.families.has('artisanconnect_nodejs_eventloop_lag_p99_seconds')).toBe(true);
  });
});

describe('metrics without METRICS_TOKEN', () => {
  it('has no /metrics route', async () => {
    const t = await startTestService('pglite');
    try {
      const res = await t.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    } finally {
      await t.close();
    }
  });
});
