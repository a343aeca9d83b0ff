import { randomUUID } from 'node:crypto';
import { Temporal } from 'temporal-polyfill';
import type { Queryable } from '../src/adapters/db/database.ts';
import { depositCents } from '../src/domain/money.ts';
import { publicHolidayName } from '../src/domain/public-holidays.ts';
import { DEFAULT_REFUND_POLICY } from '../src/domain/refund-policy.ts';
import { todayIn, wallClockToInstant } from '../src/domain/time.ts';
import { makeSecretBox } from '../src/adapters/security/secret-box.ts';

/**
 * The secrets key of every bench server (bench/server.ts sets SECRETS_KEY to it): the inert
 * connection's secret is sealed with it, so the start-up check that the key opens the stored
 * credentials (instance-key.ts) passes.
 */
export const BENCH_SECRETS_KEY = 'bench-secrets-key-not-a-secret-0123456789';

/**
 * A year of history for the demo artisan (Europe/Paris, open Mon–Fri 08:30–12:00 and
 * 13:00–18:00): per open weekday ~9 active bookings on the 30-minute grid (never
 * overlapping: the exclusion constraint is on), ~2–3 cancelled ones anywhere, ~2 imported
 * calendar events in working hours, and evening/weekend events. Each active booking also
 * gets its 'booking' busy block, as the service itself writes one. Deterministic (seeded).
 */

export const ZONE = 'Europe/Paris';
const DAYS_BACK = 275;
const DAYS_AHEAD = 90;
const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;

/** The 30-minute starts of the weekly opening hours, with the end of their range. */
const GRID: { start: number; rangeEnd: number }[] = [
  ...Array.from({ length: 7 }, (_, i) => ({ start: 510 + 30 * i, rangeEnd: 720 })),
  ...Array.from({ length: 10 }, (_, i) => ({ start: 780 + 30 * i, rangeEnd: 1080 })),
];

const FIRST = ['Camille', 'Louis', 'Léa', 'Hugo', 'Chloé', 'Jules', 'Manon', 'Lucas', 'Inès', 'Gabriel', 'Sarah', 'Arthur', 'Emma', 'Nathan', 'Alice'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefebvre', 'Michel'];
const WORK_EVENTS = ['Chantier Lefèvre', 'Rendez-vous fournisseur', 'Devis sur place', 'Comptable', 'Livraison matériel'];
const PRIVATE_EVENTS = ['Dentiste', 'Foot des enfants', 'Dîner', 'Réunion parents', 'Sport', 'Anniversaire', 'Courses'];

/** A deterministic generator (mulberry32), so that two runs draw the same data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

interface ServiceRow {
  id: string;
  name: string;
  duration_minutes: number;
  base_price_cents: number;
  deposit_rate: number;
}

type Value = string | number | boolean | null;

interface Column {
  name: string;
  cast?: string;
}

const BOOKING_COLUMNS: Column[] = [
  { name: 'id' }, { name: 'public_code' }, { name: 'artisan_id' }, { name: 'service_id' }, { name: 'service_name' },
  { name: 'status' }, { name: 'customer_name' }, { name: 'customer_email' }, { name: 'customer_phone' },
  { name: 'starts_at', cast: 'timestamptz' }, { name: 'ends_at', cast: 'timestamptz' }, { name: 'duration_minutes', cast: 'int' },
  { name: 'blocked_range', cast: 'tstzrange' }, { name: 'price_cents', cast: 'int' }, { name: 'deposit_rate', cast: 'float8' },
  { name: 'deposit_cents', cast: 'int' }, { name: 'payment_status' }, { name: 'payment_provider' }, { name: 'payment_intent_id' },
  { name: 'payment_method_id' }, { name: 'refund_cents', cast: 'int' }, { name: 'refund_policy', cast: 'jsonb' },
  { name: 'notify_email', cast: 'boolean' }, { name: 'notify_sms', cast: 'boolean' }, { name: 'cancelled_at', cast: 'timestamptz' },
  { name: 'cancelled_by' }, { name: 'cancellation_reason' }, { name: 'created_at', cast: 'timestamptz' },
  { name: 'updated_at', cast: 'timestamptz' },
];

const BLOCK_COLUMNS: Column[] = [
  { name: 'id' }, { name: 'artisan_id' }, { name: 'provider_id' }, { name: 'source' }, { name: 'summary' },
  { name: 'starts_at', cast: 'timestamptz' }, { name: 'ends_at', cast: 'timestamptz' }, { name: 'booking_id', cast: 'uuid' },
  { name: 'calendar_connection_id', cast: 'uuid' }, { name: 'external_uid' }, { name: 'created_at', cast: 'timestamptz' },
  { name: 'updated_at', cast: 'timestamptz' },
];

async function insertRows(db: Queryable, table: string, columns: Column[], rows: Value[][]): Promise<void> {
  const batch = 400;
  for (let offset = 0; offset < rows.length; offset += batch) {
    const chunk = rows.slice(offset, offset + batch);
    const params: Value[] = [];
    const tuples = chunk.map((row) => {
      const cells = columns.map((c, i) => {
        params.push(row[i] ?? null);
        return `$${params.length}${c.cast ? `::${c.cast}` : ''}`;
      });
      return `(${cells.join(', ')})`;
    });
    await db.query(`INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) VALUES ${tuples.join(',\n')}`, params);
  }
}

export interface DatasetSummary {
  bookings: number;
  confirmed: number;
  cancelled: number;
  externalBlocks: number;
  bookingBlocks: number;
  from: string;
  to: string;
  seconds: number;
}

/** Inserts the history. `analyze` runs ANALYZE afterwards (what autovacuum does on a server; PGlite has no autovacuum). */
export async function loadDataset(db: Queryable, options: { analyze: boolean; nowMs?: number }): Promise<DatasetSummary> {
  const started = performance.now();
  const nowMs = options.nowMs ?? Date.now();
  const rand = mulberry32(20_240_917);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const iso = (epochMs: number): string => new Date(epochMs).toISOString();

  const artisan = (await db.query<{ id: string }>(`SELECT id FROM artisans ORDER BY created_at LIMIT 1`))[0];
  if (!artisan) throw new Error('no artisan: the demo seed has not run');
  const services = await db.query<ServiceRow>(
    `SELECT id, name, duration_minutes, base_price_cents, deposit_rate FROM services WHERE id IN ('diag', 'urgence')`,
  );
  const diag = services.find((s) => s.id === 'diag');
  const urgence = services.find((s) => s.id === 'urgence');
  if (!diag || !urgence) throw new Error("services 'diag' and 'urgence' are missing");
  const refundPolicy = JSON.stringify(DEFAULT_REFUND_POLICY);
  const calendarConnection = randomUUID();

  const bookings: Value[][] = [];
  const blocks: Value[][] = [];
  let confirmed = 0;
  let cancelled = 0;
  let externalBlocks = 0;
  let bookingBlocks = 0;

  const addBooking = (date: Temporal.PlainDate, startMinutes: number, service: ServiceRow, active: boolean): void => {
    const startMs = wallClockToInstant(date, startMinutes, ZONE);
    if (startMs === undefined) return;
    const endMs = startMs + service.duration_minutes * MINUTE;
    const n = bookings.length;
    const id = randomUUID();
    const customerName = `${pick(FIRST)} ${pick(LAST)}`;
    const createdMs = Math.min(nowMs - MINUTE, startMs - Math.floor(1 + rand() * 20) * DAY);
    const deposit = depositCents(service.base_price_cents, Number(service.deposit_rate));
    const cancelledMs = active ? null : Math.min(nowMs - MINUTE, createdMs + Math.floor(rand() * Math.max(1, startMs - createdMs)));
    const past = endMs <= nowMs;
    bookings.push([
      id, `AC-Z${n.toString(36).toUpperCase().padStart(5, '0')}`, artisan.id, service.id, service.name,
      active ? 'confirmed' : 'cancelled', customerName, `client${n}@exemple.fr`, `+3361${String(1_000_000 + n).slice(-7)}`,
      iso(startMs), iso(endMs), service.duration_minutes, `[${iso(startMs)},${iso(endMs)})`, service.base_price_cents,
      Number(service.deposit_rate), deposit, active ? (past ? 'captured' : 'authorized') : 'refunded', 'other',
      `pi_sim_bench${String(n).padStart(12, '0')}`, 'pm_card_visa', active ? 0 : deposit, refundPolicy, true, rand() < 0.3,
      cancelledMs === null ? null : iso(cancelledMs), active ? null : 'customer', active ? null : 'Empêchement',
      iso(createdMs), iso(cancelledMs ?? createdMs),
    ]);
    if (active) {
      confirmed++;
      bookingBlocks++;
      blocks.push([
        randomUUID(), artisan.id, 'artisanconnect', 'booking', `${service.name} - ${customerName}`, iso(startMs), iso(endMs), id,
        null, null, iso(createdMs), iso(createdMs),
      ]);
    } else {
      cancelled++;
    }
  };
  const addExternal = (date: Temporal.PlainDate, startMinutes: number, minutes: number, summary: string): void => {
    const startMs = wallClockToInstant(date, startMinutes, ZONE);
    if (startMs === undefined) return;
    externalBlocks++;
    const createdMs = Math.min(nowMs - MINUTE, startMs - 3 * DAY);
    blocks.push([
      randomUUID(), artisan.id, 'google', 'external', summary, iso(startMs), iso(startMs + minutes * MINUTE), null,
      calendarConnection, `evt${blocks.length}@google.com`, iso(createdMs), iso(createdMs),
    ]);
  };

  const today = todayIn(ZONE, nowMs);
  const first = today.subtract({ days: DAYS_BACK });
  const last = today.add({ days: DAYS_AHEAD - 1 });
  for (let date = first; Temporal.PlainDate.compare(date, last) <= 0; date = date.add({ days: 1 })) {
    const weekday = date.dayOfWeek <= 5;
    if (weekday && !publicHolidayName(date)) {
      const free = new Set(GRID.map((g) => g.start));
      const order = shuffle(GRID, rand);
      const target = 8 + Math.floor(rand() * 3);
      let placed = 0;
      for (const slot of order) {
        if (placed >= target) break;
        if (!free.has(slot.start)) continue;
        const long = rand() < 0.3 && free.has(slot.start + 30) && slot.start + urgence.duration_minutes <= slot.rangeEnd;
        addBooking(date, slot.start, long ? urgence : diag, true);
        free.delete(slot.start);
        if (long) free.delete(slot.start + 30);
        placed++;
      }
      let events = 0;
      for (const slot of order) {
        if (events >= 2) break;
        if (!free.has(slot.start)) continue;
        const hour = rand() < 0.5 && free.has(slot.start + 30) && slot.start + 60 <= slot.rangeEnd;
        addExternal(date, slot.start, hour ? 60 : 30, pick(WORK_EVENTS));
        free.delete(slot.start);
        if (hour) free.delete(slot.start + 30);
        events++;
      }
      // Cancelled bookings do not hold their slot: anywhere on the grid, overlaps allowed.
      const cancellations = 2 + (rand() < 0.7 ? 1 : 0);
      for (let i = 0; i < cancellations; i++) addBooking(date, pick(GRID).start, rand() < 0.3 ? diag : urgence, false);
    }
    if (weekday) {
      if (rand() < 0.7) addExternal(date, pick([1_140, 1_170, 1_200]), 90, pick(PRIVATE_EVENTS));
      if (rand() < 0.3) addExternal(date, 420, 60, pick(PRIVATE_EVENTS));
    } else {
      addExternal(date, 540 + 60 * Math.floor(rand() * 4), 60 * (1 + Math.floor(rand() * 3)), pick(PRIVATE_EVENTS));
      addExternal(date, 840 + 60 * Math.floor(rand() * 5), 60 * (1 + Math.floor(rand() * 2)), pick(PRIVATE_EVENTS));
    }
  }

  await insertRows(db, 'bookings', BOOKING_COLUMNS, bookings);
  // The imported blocks belong to a connection (migration 0008's foreign key). It is inert: it
  // has no credentials (its secret seals an empty object with BENCH_SECRETS_KEY: it opens, so the
  // server starts, but it holds nothing to connect with) and it is leased
  // until the year 9999, so neither the worker's due syncs nor the pre-booking sync of
  // POST /api/bookings (which takes any connection not attempted for an interval and not
  // leased) ever picks it. It used to be picked by the pre-booking sync, which logged
  // "unknown secret format" and left the booking waiting on a failed sync.
  await db.query(
    `INSERT INTO calendar_connections (id, artisan_id, provider_id, name, secret_ciphertext, next_sync_at, lease_owner, lease_until, created_at, updated_at)
     VALUES ($1, $2, 'google', 'Agenda Google (bench, inert)', $4, '9999-01-01T00:00:00Z', 'bench-dataset (inert)', '9999-01-01T00:00:00Z', $3, $3)`,
    [calendarConnection, artisan.id, iso(nowMs), makeSecretBox(BENCH_SECRETS_KEY).seal('{}', calendarConnection)],
  );
  await insertRows(db, 'busy_blocks', BLOCK_COLUMNS, blocks);
  if (options.analyze) await db.query('ANALYZE');
  return {
    bookings: bookings.length,
    confirmed,
    cancelled,
    externalBlocks,
    bookingBlocks,
    from: first.toString(),
    to: last.toString(),
    seconds: (performance.now() - started) / 1000,
  };
}

/** A weekday (not a public holiday) `days` ahead of today in the artisan's zone, or the next one after it. */
export function openWeekdayAhead(days: number, nowMs = Date.now()): Temporal.PlainDate {
  let date = todayIn(ZONE, nowMs).add({ days });
  while (date.dayOfWeek > 5 || publicHolidayName(date)) date = date.add({ days: 1 });
  return date;
}

/** What occupies one local day: active bookings and imported calendar events. */
export async function dayOccupancy(db: Queryable, date: Temporal.PlainDate): Promise<{ bookings: number; blocks: number }> {
  const start = wallClockToInstant(date, 0, ZONE) ?? 0;
  const end = wallClockToInstant(date.add({ days: 1 }), 0, ZONE) ?? 0;
  const range = [new Date(start).toISOString(), new Date(end).toISOString()];
  const b = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM bookings WHERE booking_holds_slot(status) AND blocked_range && tstzrange($1, $2)`,
    range,
  );
  const k = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM busy_blocks WHERE source = 'external' AND during && tstzrange($1, $2)`, range);
  return { bookings: b[0]?.n ?? 0, blocks: k[0]?.n ?? 0 };
}

/** Pairs of active bookings of one artisan whose blocked ranges overlap (must be 0). */
export async function overlappingPairs(db: Queryable): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM bookings a JOIN bookings b
       ON a.artisan_id = b.artisan_id AND a.id < b.id AND a.blocked_range && b.blocked_range
     WHERE booking_holds_slot(a.status) AND booking_holds_slot(b.status)`,
  );
  return rows[0]?.n ?? -1;
}
