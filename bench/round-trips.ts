/**
 * `npx tsx bench/round-trips.ts`: the database round trips of one booking creation
 * (`POST /api/bookings`), counted and listed. The real service (src/main.ts's compose) on a
 * fresh PGlite directory (worker thread, as the service runs it) or, with
 * BENCH_DATABASE_URL set and BENCH_ONLY=postgres, on a scratch PostgreSQL database; its
 * Database port is wrapped in a counter: every query, and a transaction's BEGIN and COMMIT
 * (one message to the PGlite thread, one statement to a server), is one round trip.
 * Three requests on free slots: online with consent and an Idempotency-Key (the booking
 * page), online without either (the bench's contention scenario), and one racing for a slot
 * just taken (409 SLOT_TAKEN).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/main.ts';
import type { Database, Queryable } from '../src/adapters/db/database.ts';
import { openPgliteThread } from '../src/adapters/db/pglite-thread.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';

interface Trip {
  sql: string;
  tx: boolean;
}

function counting(db: Database, trips: Trip[]): Database {
  const short = (text: string): string => text.replace(/\s+/g, ' ').trim().slice(0, 110);
  const wrap = (q: Queryable, tx: boolean): Queryable => ({
    query: (text, params) => {
      trips.push({ sql: short(text), tx });
      return q.query(text, params);
    },
    exec: (script) => {
      trips.push({ sql: short(script), tx });
      return q.exec(script);
    },
  });
  const base = wrap(db, false);
  return {
    ...db,
    kind: db.kind,
    query: base.query,
    exec: base.exec,
    transaction: (fn) => {
      trips.push({ sql: 'BEGIN', tx: true });
      return db.transaction(async (tx) => {
        const result = await fn(wrap(tx, true));
        trips.push({ sql: 'COMMIT', tx: true });
        return result;
      });
    },
    close: () => db.close(),
    ...(db.backup ? { backup: db.backup.bind(db) } : {}),
  };
}

async function main(): Promise<void> {
  const onPostgres = process.env.BENCH_ONLY === 'postgres';
  const adminUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const scratchName = `artisanconnect_trips_${process.pid}`;
  let dir: string | undefined;
  let inner: Database;
  if (onPostgres) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${scratchName}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${scratchName}`;
    inner = await openPostgres(url.toString());
  } else {
    dir = mkdtempSync(join(os.tmpdir(), 'ac-trips-'));
    inner = await openPgliteThread(dir);
  }
  const trips: Trip[] = [];
  const db = counting(inner, trips);
  const config = loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'true', WORKER_POLL_MS: '60000', REDIS_URL: '', DATABASE_URL: '', DATA_DIR: dir ?? '' });
  const service = await compose(config, { db, random: { uuid: () => randomUUID(), bytes: (n) => randomBytes(n) } });
  await service.app.ready();
  try {
    const artisan = (await service.app.inject({ method: 'GET', url: '/api/artisan' })).json() as { artisan: { terms: { version: string } | null } };
    // A weekday two weeks ahead with free slots.
    let date = '';
    let times: string[] = [];
    for (let ahead = 14; ahead < 40 && times.length < 3; ahead++) {
      date = new Date(Date.now() + ahead * 86_400_000).toISOString().slice(0, 10);
      const day = (await service.app.inject({ method: 'GET', url: `/api/availability?serviceId=diag&date=${date}` })).json() as {
        slots?: { time: string; available: boolean }[];
      };
      times = (day.slots ?? []).filter((s) => s.available).map((s) => s.time);
    }
    if (times.length < 3) throw new Error('no day with three free slots');
    const body = (time: string, extra: Record<string, unknown> = {}) => ({
      serviceId: 'diag',
      date,
      time,
      customer: { name: 'Client Bench', email: 'trips@exemple.fr', phone: '06 12 34 56 78' },
      paymentMethodId: 'pm_card_visa',
      ...extra,
    });
    const cases = [
      {
        label: 'booking page: consent + Idempotency-Key',
        payload: body(times[0]!, { consent: { termsVersion: artisan.artisan.terms?.version ?? null } }),
        headers: { 'idempotency-key': randomUUID() },
      },
      { label: 'bare API call (the contention scenario)', payload: body(times[1]!), headers: {} },
      { label: 'the same slot again (409 SLOT_TAKEN)', payload: body(times[1]!, { customer: { name: 'Autre', email: 'autre@exemple.fr' } }), headers: {} },
    ];
    process.stdout.write(`engine: ${onPostgres ? 'PostgreSQL' : 'PGlite (worker thread)'}\n`);
    for (const c of cases) {
      trips.length = 0;
      const res = await service.app.inject({ method: 'POST', url: '/api/bookings', payload: c.payload, headers: c.headers });
      const list = [...trips];
      process.stdout.write(`\n### ${c.label}: HTTP ${res.statusCode}, ${list.length} round trips\n\n`);
      list.forEach((t, i) => process.stdout.write(`${String(i + 1).padStart(2)}. ${t.tx ? '[tx] ' : ''}${t.sql}\n`));
    }
  } finally {
    await service.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (onPostgres) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`);
      await admin.end();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
