/**
 * Part of BENCH_SCENARIOS=calendars: a Google calendar of 5,000 events (4,800 single events
 * over 90 days, 200 weekly series) served by the tests' fake Google (its wire format, 250
 * events a page like Google's default), synced by the real server (PGlite, worker thread):
 * the first (full) read, an incremental sync with nothing changed, one with 10 events changed,
 * and a full read again after the sync token expired (410), all measured in one run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { startFakeGoogle, type FakeGoogleEvent } from '../test/helpers/fake-google.ts';
import { fmt, table } from './report.ts';
import { startServer } from './server.ts';

const SINGLES = 4_800;
const SERIES = 200;
const ZONE = 'Europe/Paris';

const paris = (d: Temporal.PlainDateTime) => ({ dateTime: d.toZonedDateTime(ZONE).toString({ timeZoneName: 'never' }), timeZone: ZONE });

export async function runGoogleSyncBench(log: (text?: string) => void): Promise<void> {
  log(`\n## Calendars: Google incremental sync vs full read, ${SINGLES + SERIES} events (${SERIES} weekly series), PGlite worker thread`);
  const google = await startFakeGoogle({ pageSize: 250 });
  const today = Temporal.Now.plainDateISO(ZONE);
  let n = 0;
  const add = (start: Temporal.PlainDateTime, extra: Partial<FakeGoogleEvent> = {}) => {
    const id = `bench${(n++).toString(32)}`;
    google.events.set(id, { id, summary: `Événement ${id}`, start: paris(start), end: paris(start.add({ hours: 1 })), ...extra });
    return id;
  };
  const singles: string[] = [];
  for (let i = 0; i < SINGLES; i++) singles.push(add(today.add({ days: i % 90 }).toPlainDateTime({ hour: 7 + (i % 12), minute: (i % 2) * 30 })));
  for (let i = 0; i < SERIES; i++) add(today.subtract({ days: i }).toPlainDateTime({ hour: 8 + (i % 10) }), { recurrence: ['RRULE:FREQ=WEEKLY'] });

  const dir = mkdtempSync(join(os.tmpdir(), 'artisanconnect-bench-gcal-'));
  const token = randomBytes(24).toString('hex');
  const server = await startServer({
    dataDir: join(dir, 'data'),
    label: 'calendars-google',
    env: {
      PGLITE_THREAD: 'worker',
      ADMIN_API_TOKEN: token,
      CALENDAR_SYNC_INTERVAL_MINUTES: '1440',
      GOOGLE_CLIENT_ID: 'bench.apps.googleusercontent.com',
      GOOGLE_CLIENT_SECRET: 'bench-secret',
      GOOGLE_OAUTH_BASE_URL: google.url,
      GOOGLE_API_BASE_URL: google.url,
    },
  });
  const auth = { authorization: `Bearer ${token}` };
  const timed = async (what: () => Promise<Response>) => {
    const t = performance.now();
    const res = await what();
    const body = (await res.json()) as { sync: { ok: boolean; error: string | null; counts: { blocks: number } } };
    if (res.status !== 200 || !body.sync.ok) throw new Error(`google sync failed: ${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t, blocks: body.sync.counts.blocks };
  };
  const listed = () => google.requests.filter((r) => r.method === 'GET').length;
  try {
    const created = await fetch(`${server.url}/api/admin/calendars`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ providerId: 'google', name: 'Bench' }),
    });
    const pending = (await created.json()) as { calendar: { id: string }; authorizationUrl: string };
    const consent = new URL(pending.authorizationUrl);
    const code = google.authorize(consent.searchParams.get('code_challenge')!);
    const sync = () => fetch(`${server.url}/api/admin/calendars/${pending.calendar.id}/sync`, { method: 'POST', headers: auth });

    let before = listed();
    const full = await timed(() =>
      fetch(`${server.url}/api/admin/calendars/oauth/google/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(consent.searchParams.get('state')!)}`, { headers: auth }),
    );
    const fullPages = listed() - before;
    const unchanged: number[] = [];
    for (let i = 0; i < 3; i++) unchanged.push((await timed(sync)).ms);
    unchanged.sort((a, b) => a - b);
    for (const id of singles.slice(0, 10)) google.events.set(id, { ...google.events.get(id)!, summary: 'Déplacé' });
    before = listed();
    const changed = await timed(sync);
    const changedPages = listed() - before;
    google.expireSyncTokens();
    const again = await timed(sync);
    log(
      table(
        ['sync', 'time', 'list requests', 'blocks'],
        [
          ['first read (OAuth callback: full list, expand, store)', `${fmt(full.ms, 0)} ms`, String(fullPages), String(full.blocks)],
          ['incremental, nothing changed (median of 3)', `${fmt(unchanged[1], 0)} ms`, '1', '—'],
          ['incremental, 10 events changed', `${fmt(changed.ms, 0)} ms`, String(changedPages), String(changed.blocks)],
          ['token expired (410), full read again', `${fmt(again.ms, 0)} ms`, '—', String(again.blocks)],
        ],
      ),
    );
    log(`incremental (10 changed) / full read again: ${fmt(changed.ms / again.ms, 2)}`);
  } finally {
    await server.stop();
    await google.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
