import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Service } from '../src/main.ts';
import { ENGINES, insertCalendarBlock, type TestDatabase } from './helpers/db.ts';
import { TestClock, bookingBody, parisDate, twoInstances } from './helpers/service.ts';
import { Temporal } from 'temporal-polyfill';
import type { Database } from '../src/adapters/db/database.ts';
import { makeBookingStore } from '../src/adapters/db/booking-store.ts';
import { loadWindow } from '../src/app/day-plan.ts';

// Two instances of the service on one database, each with its own in-process cache of the
// day's data: a change made through one instance, or straight in the database, must show at
// once on the other (the cache is checked against the artisan's data_version every time).
describe.each(ENGINES)('availability stays fresh across instances on %s', (engine) => {
  let database: TestDatabase;
  let a: Service;
  let b: Service;
  const clock = new TestClock();
  const date = parisDate(clock, 2);
  const slot = async (s: Service, time: string) => {
    const res = await s.app.inject({ method: 'GET', url: `/api/availability?serviceId=diag&date=${date}` });
    expect(res.statusCode).toBe(200);
    return (res.json().slots as { time: string; available: boolean }[]).find((x) => x.time === time);
  };

  const soleArtisan = async () => (await database.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
  twoInstances(engine, clock, (d, x, y) => {
    database = d;
    a = x;
    b = y;
  });

  it('shows a booking made on the other instance', async () => {
    expect(await slot(a, '10:00')).toMatchObject({ available: true });
    expect(await slot(a, '10:00')).toMatchObject({ available: true }); // now served from a's cache
    const created = await b.app.inject({ method: 'POST', url: '/api/bookings', payload: bookingBody(date, '10:00') });
    expect(created.statusCode).toBe(201);
    expect(await slot(a, '10:00')).toMatchObject({ available: false });
  });

  it('shows a busy block written straight into the database', async () => {
    expect(await slot(a, '15:00')).toMatchObject({ available: true });
    // 15:00–15:30 in Paris (UTC+1)
    await insertCalendarBlock(database.db, { start: `${date}T14:00:00Z`, end: `${date}T14:30:00Z` });
    expect(await slot(a, '15:00')).toMatchObject({ available: false });
    expect(await slot(b, '15:00')).toMatchObject({ available: false });
  });

  it('shows a change of opening hours and an archived service', async () => {
    expect(await slot(b, '17:30')).toBeDefined();
    await database.db.query(`UPDATE schedule_rules SET end_minutes = 1020 WHERE kind = 'opening'`); // close at 17:00
    expect(await slot(b, '17:30')).toBeUndefined();
    await database.db.query(`UPDATE services SET is_active = false WHERE id = 'diag'`);
    const res = await a.app.inject({ method: 'GET', url: `/api/availability?serviceId=diag&date=${date}` });
    expect(res.statusCode).toBe(404);
    await database.db.query(`UPDATE services SET is_active = true WHERE id = 'diag'`);
  });

  // An "unchanged" answer refers to the copy whose version the request sent. A concurrent
  // request may meanwhile read a newer day and replace the cache entry: the first one still
  // gets its day (once answered "service not found" under contention on PostgreSQL). Two day
  // reads of one day never overlap (a second waits for a read of its own, see the next
  // describe); a day read and a booking's read step do, and share the cached day.
  for (const [held, concurrent] of [
    ['readDayContext', 'readBookingContext'],
    ['readBookingContext', 'readDayContext'],
  ] as const) {
    it(`${held}: an "unchanged" answer after a concurrent ${concurrent} replaced the cached day still gives the day`, async () => {
      let hold: Promise<void> | undefined;
      const gated: Database = {
        ...database.db,
        kind: database.db.kind,
        query: async <R>(text: string, params?: readonly unknown[]) => {
          const gate = hold;
          const rows = await database.db.query<R>(text, params);
          if (gate) await gate;
          return rows;
        },
        transaction: (fn) => database.db.transaction(fn),
        close: async () => {},
      };
      const store = makeBookingStore(gated, randomUUID);
      const { fromMs, toMs } = loadWindow(Temporal.PlainDate.from(date));
      const readDay = async (read: typeof held) =>
        read === 'readDayContext'
          ? store.readDayContext(await soleArtisan(), 'diag', fromMs, toMs)
          : (await store.readBookingContext(await soleArtisan(), 'diag', fromMs, toMs, { nowMs: clock.now(), staleMs: 60_000 })).ctx;
      expect((await readDay(held))?.service.id).toBe('diag'); // cached at version v
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      const first = readDay(held); // answered "unchanged at v", the answer held back
      hold = undefined;
      await insertCalendarBlock(database.db, { start: `${date}T16:00:00Z`, end: `${date}T16:30:00Z` }); // v + 1
      const second = await readDay(concurrent); // reads v + 1 and replaces the cache entry
      expect(second?.occupations.some((o) => o.startMs === Date.parse(`${date}T16:00:00Z`))).toBe(true);
      release();
      expect((await first)?.service.id).toBe('diag');
      await database.db.query(`DELETE FROM busy_blocks WHERE starts_at = $1`, [`${date}T16:00:00Z`]);
    });
  }

  // Day reads asked while one is running wait for one read that starts after they asked: a
  // write committed before a request arrives is in its answer, even if an earlier read of the
  // same day was still on its way; the requests that waited together share that one read.
  it('a day read asked during another sees what committed before it was asked; the waiting ones share one read', async () => {
    let hold: Promise<void> | undefined;
    let answered!: () => void;
    const earlyAnswered = new Promise<void>((resolve) => (answered = resolve));
    let dayReads = 0;
    const gated: Database = {
      ...database.db,
      kind: database.db.kind,
      query: async <R>(text: string, params?: readonly unknown[]) => {
        if (text.includes('day_context_since')) dayReads++;
        const gate = hold;
        const rows = await database.db.query<R>(text, params);
        if (gate) {
          answered();
          await gate;
        }
        return rows;
      },
      transaction: (fn) => database.db.transaction(fn),
      close: async () => {},
    };
    const store = makeBookingStore(gated, randomUUID);
    const { fromMs, toMs } = loadWindow(Temporal.PlainDate.from(date));
    const at = Date.parse(`${date}T16:30:00Z`);
    const blocked = (ctx: Awaited<ReturnType<typeof store.readDayContext>>) => ctx?.occupations.some((o) => o.startMs === at) ?? false;
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    const early = store.readDayContext(await soleArtisan(), 'diag', fromMs, toMs); // read before the block: its answer held back
    await earlyAnswered; // the database has answered it
    hold = undefined;
    await insertCalendarBlock(database.db, { start: `${date}T16:30:00Z`, end: `${date}T17:00:00Z` });
    const late = [store.readDayContext(await soleArtisan(), 'diag', fromMs, toMs), store.readDayContext(await soleArtisan(), 'diag', fromMs, toMs), store.readDayContext(await soleArtisan(), 'diag', fromMs, toMs)];
    expect(dayReads).toBe(1); // the three wait: none of them may take the early read's answer
    release();
    expect(blocked(await early)).toBe(false);
    const answers = await Promise.all(late);
    expect(answers.map(blocked)).toEqual([true, true, true]);
    expect(dayReads).toBe(2); // one read, started after they asked, for the three
    await database.db.query(`DELETE FROM busy_blocks WHERE starts_at = $1`, [`${date}T16:30:00Z`]);
  });
});

// What is kept between requests (the day's slots and their JSON, the services list) must
// follow the clock and every write: the same answers as if each request computed afresh.
describe.each(ENGINES)('kept answers follow time and writes on %s', (engine) => {
  let database: TestDatabase;
  let a: Service;
  let b: Service;
  // Monday 2027-03-01 in Paris; minimum notice 120 min; slots every 30 min from 08:30.
  const clock = new TestClock();
  const get = async (s: Service, url: string) => {
    const res = await s.app.inject({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const times = async (date: string) => ((await get(a, `/api/availability?serviceId=diag&date=${date}`)).slots as { time: string }[]).map((s) => s.time);

  twoInstances(engine, clock, (d, x, y) => {
    database = d;
    a = x;
    b = y;
  });

  it("today's slots leave the answer as the clock passes their notice limit, with nothing written", async () => {
    clock.set('2027-03-01T06:50:00Z'); // 07:50 in Paris
    const today = parisDate(clock, 0);
    expect((await times(today))[0]).toBe('10:00'); // 07:50 + 120 min = 09:50
    expect((await times(today))[0]).toBe('10:00');
    clock.advance(9);
    expect((await times(today))[0]).toBe('10:00');
    clock.advance(2); // 08:01: 10:00 is now less than 120 min away
    expect((await times(today))[0]).toBe('10:30');
    // The next morning, yesterday is past: no slot at all.
    clock.set('2027-03-02T07:00:00Z');
    expect(await times(today)).toEqual([]);
  });

  it('GET /api/services follows a change made through the other instance or straight in the database', async () => {
    const names = async () => ((await get(a, '/api/services')).services as { id: string; name: string }[]).map((s) => `${s.id}:${s.name}`);
    const before = await names();
    expect(before).toContain('diag:Diagnostic et audit complet');
    expect(await names()).toEqual(before);
    await database.db.query(`UPDATE services SET name = 'Diagnostic complet' WHERE id = 'diag'`);
    expect(await names()).toContain('diag:Diagnostic complet');
    const archived = await b.app.inject({
      method: 'PATCH',
      url: '/api/admin/services/urgence',
      payload: { isActive: false },
      headers: { authorization: 'Bearer none' },
    });
    expect(archived.statusCode).toBe(401); // no token configured on b: archive it in the database
    await database.db.query(`UPDATE services SET is_active = false WHERE id = 'urgence'`);
    expect((await names()).some((n) => n.startsWith('urgence:'))).toBe(false);
    await database.db.query(`INSERT INTO services (id, artisan_id, name, duration_minutes, base_price_cents, deposit_rate)
      SELECT 'ramonage', id, 'Ramonage', 60, 8000, 0.3 FROM artisans LIMIT 1`);
    expect(await names()).toContain('ramonage:Ramonage');
  });
});
