import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose, type Service } from '../src/main.ts';
import { ENGINES, createTestDatabase, insertCalendarBlock, type TestDatabase } from './helpers/db.ts';
import { TestClock, bookingBody, parisDate } from './helpers/service.ts';

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

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_READ_PER_MINUTE: '100000', RATE_LIMIT_CREATE_PER_MINUTE: '100000' });
    const random = { uuid: () => randomUUID(), bytes: (n: number) => randomBytes(n) };
    a = await compose(config, { db: database.db, clock, random });
    b = await compose(config, { db: database.db, clock, random });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.destroy();
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
  });
});
