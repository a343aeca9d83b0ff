import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { startTestService, type TestService } from './helpers/service.ts';

/**
 * Issue 18, defect 7: a secret carried by a request's URL never reaches the request logs,
 * whether it is a path segment (the private calendar feed) or a parameter (manage links,
 * OAuth's code and state). Each route that carries one is called and its log lines read.
 */
describe.each(ENGINES)('secrets in request URLs stay out of the logs on %s', (engine) => {
  const lines: string[] = [];
  let t: TestService;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    t = await startTestService(engine, { log: pino({ level: 'info' }, sink) });
  });
  afterAll(async () => t?.close());

  /** The request log lines of one call (matched by its request id). */
  async function logged(url: string, headers: Record<string, string> = {}): Promise<{ status: number; lines: string[] }> {
    const id = `secret-${lines.length}-${Math.random().toString(36).slice(2, 10)}`;
    const res = await t.inject({ method: 'GET', url, headers: { ...headers, 'x-request-id': id } });
    const mine = lines.filter((l) => l.includes(id));
    expect(mine.some((l) => l.includes('"url"')), `a request line for ${url}`).toBe(true);
    return { status: res.statusCode, lines: mine };
  }

  it("the private calendar feed's token (a path segment) is masked, for a live feed and an unknown one", async () => {
    const feed = await t.request('GET', '/api/admin/calendar-feed', undefined, adminHeaders());
    const path = new URL(feed.body.url as string).pathname;
    const token = /\/api\/calendar\/([A-Za-z0-9_-]{43})\.ics$/.exec(path)![1]!;
    const live = await logged(path);
    expect(live.status).toBe(200);
    expect(live.lines.join('')).not.toContain(token);
    expect(live.lines.join('')).toContain('"url":"/api/calendar/[masqué]"');

    const unknown = 'Zq'.repeat(21) + 'x';
    for (const url of [`/api/calendar/${unknown}.ics`, `/api//calendar/${unknown}.ics`, `/api/%63alendar/${unknown}.ics`, `/api/calendar/${unknown}.ics?x=1`, `/plomberie-dupont/api/calendar/${unknown}.ics`]) {
      const res = await logged(url);
      expect(res.status, url).toBe(404);
      expect(res.lines.join(''), url).not.toContain(unknown);
    }
  });

  it('manage-link tokens (API and pages) are masked', async () => {
    const token = 'eyJib29raW5nIjoiQUMtQUIxMkNEIn0.c2lnbmF0dXJlLXNlY3JldA';
    for (const url of [`/api/bookings/manage?token=${token}`, `/gerer?token=${token}`, `/reservation?token=${token}`]) {
      const res = await logged(url);
      expect(res.lines.join(''), url).not.toContain(token);
      expect(res.lines.join(''), url).not.toContain('c2lnbmF0dXJlLXNlY3JldA');
    }
  });

  it("the OAuth callback's authorisation code and state are masked", async () => {
    const code = '4/0AVG7fiQ-authorisation-code-secret';
    const state = 'state-bound-to-the-session-9f8e7d';
    const res = await logged(`/api/admin/calendars/oauth/google/callback?code=${encodeURIComponent(code)}&state=${state}`, adminHeaders());
    const text = res.lines.join('');
    expect(text).not.toContain('authorisation-code-secret');
    expect(text).not.toContain(state);
    expect(text).toContain('/api/admin/calendars/oauth/google/callback?code=[masqué]&state=[masqué]');
  });
});
