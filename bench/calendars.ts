/**
 * BENCH_SCENARIOS=calendars: a calendar of 5,000 events, 200 of them weekly series, imported
 * by the real server (PGlite, worker thread) from a local HTTP server: time of the first
 * import and of re-syncs, the server's memory, the expansion alone in this process, and the
 * public availability against health with those blocks loaded.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { expandCalendar } from '../src/adapters/calendars/ics-expand.ts';
import { mulberry32 } from './dataset.ts';
import { runLoad } from './load.ts';
import { memoryOf } from './proc.ts';
import { fmt, statusList, table } from './report.ts';
import { startServer } from './server.ts';

export interface CalendarsConfig {
  duration: number;
  warmup: number;
  connections: number;
  log(text?: string): void;
}

const EVENTS = 5_000;
const SERIES = 200;
const ZONE = 'Europe/Paris';

const stamp = (d: Temporal.PlainDateTime): string => d.toString().replace(/[-:]/g, '').slice(0, 15);

/** Google-shaped export: 4,800 single events over the next 90 days and 200 weekly series. */
export function buildCalendar(today: Temporal.PlainDate): string {
  const random = mulberry32(42);
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//bench//calendars//EN', 'X-WR-TIMEZONE:Europe/Paris'];
  const event = (uid: string, start: Temporal.PlainDateTime, minutes: number, extra: string[] = []) =>
    lines.push(
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20261120T000000Z',
      `DTSTART;TZID=${ZONE}:${stamp(start)}`,
      `DTEND;TZID=${ZONE}:${stamp(start.add({ minutes }))}`,
      `SUMMARY:Événement ${uid}`,
      ...extra,
      'END:VEVENT',
    );
  for (let i = 0; i < EVENTS - SERIES; i++) {
    const day = today.add({ days: Math.floor(random() * 90) });
    const start = day.toPlainDateTime({ hour: 7 + Math.floor(random() * 13), minute: random() < 0.5 ? 0 : 30 });
    event(`single-${i}@bench`, start, 30 + 30 * Math.floor(random() * 3));
  }
  for (let i = 0; i < SERIES; i++) {
    const first = today.subtract({ days: Math.floor(random() * 365) }).toPlainDateTime({ hour: 7 + Math.floor(random() * 12), minute: 0 });
    const skipped = first.add({ days: 7 * (1 + Math.floor(random() * 60)) });
    event(`series-${i}@bench`, first, 60, ['RRULE:FREQ=WEEKLY', `EXDATE;TZID=${ZONE}:${stamp(skipped)}`]);
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}

export async function runCalendarsBench(config: CalendarsConfig): Promise<void> {
  const { log } = config;
  const today = Temporal.Now.plainDateISO(ZONE);
  const ics = buildCalendar(today);
  log(`\n## Calendars: ICS import of ${EVENTS} events (${SERIES} weekly series), PGlite worker thread`);
  log(`calendar: ${fmt(ics.length / 1_048_576, 2)} MiB`);

  // The expansion alone, in this process.
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const expanded = expandCalendar(ics, { fromMs: Date.now() - 86_400_000, toMs: Date.now() + 91 * 86_400_000, timezone: ZONE, maxEvents: 100_000 });
  const expandMs = performance.now() - t0;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1_048_576;
  log(`expansion in process: ${expanded.length} occurrences in ${fmt(expandMs, 0)} ms (heap +${fmt(heapMb, 1)} MiB, before GC)`);

  const feed = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/calendar' }).end(ics));
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  const feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/calendar.ics`;
  const dir = mkdtempSync(join(os.tmpdir(), 'artisanconnect-bench-cal-'));
  const token = randomBytes(24).toString('hex');
  const server = await startServer({
    dataDir: join(dir, 'data'),
    label: 'calendars',
    env: { PGLITE_THREAD: 'worker', ADMIN_API_TOKEN: token, CALENDAR_ALLOW_PRIVATE_URLS: 'true', CALENDAR_SYNC_INTERVAL_MINUTES: '1440' },
  });
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  try {
    const memBefore = memoryOf(server.pid);
    const t1 = performance.now();
    const created = await fetch(`${server.url}/api/admin/calendars`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ providerId: 'ics', name: 'Bench', url: feedUrl }),
    });
    const firstMs = performance.now() - t1;
    const body = (await created.json()) as { calendar: { id: string }; sync: { ok: boolean; error: string | null; counts: { blocks: number } } };
    if (created.status !== 201 || !body.sync.ok) throw new Error(`calendar import failed: ${created.status} ${JSON.stringify(body)}`);
    const resyncs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const res = await fetch(`${server.url}/api/admin/calendars/${body.calendar.id}/sync`, { method: 'POST', headers: { authorization: auth.authorization } });
      if (res.status !== 200) throw new Error(`sync: HTTP ${res.status}`);
      await res.arrayBuffer();
      resyncs.push(performance.now() - t);
    }
    const memAfter = memoryOf(server.pid);
    resyncs.sort((a, b) => a - b);
    log(
      table(
        ['what', 'value'],
        [
          ['blocks stored (busy occurrences in the horizon)', String(body.sync.counts.blocks)],
          ['first import (POST /api/admin/calendars: fetch, parse, expand, store)', `${fmt(firstMs, 0)} ms`],
          ['re-sync (POST …/sync, median of 3: replaces every block)', `${fmt(resyncs[1], 0)} ms`],
          ['server RSS before → after', `${fmt(memBefore?.rssMb, 0)} → ${fmt(memAfter?.rssMb, 0)} MiB (peak ${fmt(memAfter?.hwmMb, 0)} MiB)`],
        ],
      ),
    );

    // A weekday two weeks ahead, in the middle of the imported events.
    let date = today.add({ days: 14 });
    while (date.dayOfWeek > 5) date = date.add({ days: 1 });
    const routes = [
      { route: 'health', path: '/api/health' },
      { route: 'public availability (with the calendar blocks)', path: `/api/availability?serviceId=diag&date=${date}` },
    ];
    for (const r of routes) await runLoad({ url: server.url, path: r.path, connections: config.connections, duration: config.warmup });
    const results = [];
    for (const r of routes) {
      const m = await runLoad({ url: server.url, path: r.path, connections: config.connections, duration: config.duration });
      results.push(m);
      log(`${r.route.padEnd(48)} ${fmt(m.rps, 0).padStart(6)} req/s  p50 ${fmt(m.p50, 2)} ms  p99 ${fmt(m.p99, 2)} ms  [${statusList(m.statuses)}]`);
    }
    log(`availability / health: ${fmt(results[1]!.rps / results[0]!.rps, 2)} (${date}, ${config.connections} connections, ${config.duration} s each)`);
  } finally {
    await server.stop();
    feed.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
