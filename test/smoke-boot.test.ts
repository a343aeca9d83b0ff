import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';

describe.each(ENGINES)('booking round trip on %s', (engine) => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(engine);
  });
  afterAll(async () => t?.close());

  it('books a free slot and shows it as taken afterwards', async () => {
    const date = parisDate(t.clock, 2); // Wednesday 2027-03-03
    const created = await t.request('POST', '/api/bookings', bookingBody(date, '09:00'));
    expect(created.status).toBe(201);
    expect(created.body.booking.startDateTime).toBe(`${date}T09:00:00+01:00`);
    const day = await t.request('GET', `/api/availability?serviceId=diag&date=${date}`);
    expect(day.body.slots.find((s: { time: string }) => s.time === '09:00')).toEqual({ time: '09:00', available: false, blockedBy: [{ type: 'booking' }] });
  });
});
