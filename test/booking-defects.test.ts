import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * Defects of the landed booking flow, tried as a new user would (issue 8). Clock: Monday
 * 2027-03-01 08:00 Paris. Default policy: ≥ 48 h full, 24–48 h half, under 24 h kept; diag
 * deposit 1200.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'jean@example.com';

describe.each(ENGINES)('defects of the landed booking flow on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const book = async (date: string, time: string, email = EMAIL) => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time, { customer: { name: 'Jean Martin', email } }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };
  const move = (code: string, newDate: string, newTime: string, email = EMAIL) =>
    t.request('POST', `/api/bookings/${code}/reschedule`, { email, newDate, newTime });
  const cancel = (code: string) => t.request('POST', `/api/bookings/${code}/cancel`, { email: EMAIL });

  describe('moving, then cancelling, keeps the late-cancellation terms', () => {
    it('today 17:30 (deposit kept) moved three weeks ahead, then cancelled: still kept', async () => {
      const code = await book('2027-03-01', '17:30');
      expect((await move(code, '2027-03-22', '09:00')).status).toBe(200);
      const res = await cancel(code);
      expect(res.status).toBe(200);
      expect(res.body.refund).toMatchObject({ refundCents: 0, retainedCents: 1200 });
    });

    it('a move inside the half band caps a later refund at half', async () => {
      const code = await book('2027-03-02', '16:00'); // 31 h ahead
      expect((await move(code, '2027-03-22', '09:00')).status).toBe(200);
      expect((await cancel(code)).body.refund).toMatchObject({ refundCents: 600, retainedCents: 600 });
    });

    it('a move made early keeps the full refund; a second, late move lowers the cap', async () => {
      const code = await book('2027-03-10', '09:00');
      expect((await move(code, '2027-03-02', '16:00')).status).toBe(200); // early: no cap
      t.clock.set('2027-03-02T08:00:00Z'); // Tuesday 09:00: 7 h before
      expect((await move(code, '2027-03-22', '09:00')).status).toBe(200);
      expect((await cancel(code)).body.refund.refundCents).toBe(0);
    });

    it('the artisan cancelling refunds in full whatever the moves', async () => {
      const code = await book('2027-03-01', '17:30');
      expect((await move(code, '2027-03-22', '09:00')).status).toBe(200);
      const res = await t.request('POST', `/api/admin/bookings/${code}/cancel`, {}, adminHeaders());
      expect(res.status).toBe(200);
      expect(res.body.refund.refundCents).toBe(1200);
    });
  });

  it("a booking's buffers are the same in availability and in the database", async () => {
    const setBuffer = (bufferAfterMinutes: number) =>
      t.request('PATCH', '/api/admin/services/diag', { bufferAfterMinutes }, adminHeaders());
    expect((await setBuffer(60)).status).toBe(200);
    try {
      const moved = await book('2027-03-03', '15:00'); // blocks 15:00–16:30
      expect((await setBuffer(0)).status).toBe(200);
      await book('2027-03-03', '10:00', 'paul@example.com'); // 10:00–10:30
      const slots = (await t.request('GET', '/api/availability?serviceId=diag&date=2027-03-03')).body.slots as { time: string; available: boolean }[];
      expect(slots.find((s) => s.time === '09:30')?.available).toBe(true);
      // Offered, so the move succeeds (the moved booking takes the buffers it was offered with).
      const res = await move(moved, '2027-03-03', '09:30');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const after = (await t.request('GET', '/api/availability?serviceId=diag&date=2027-03-03')).body.slots as { time: string; available: boolean }[];
      expect(after.find((s) => s.time === '15:30')?.available).toBe(true);
      expect(after.find((s) => s.time === '09:30')?.available).toBe(false);
    } finally {
      await setBuffer(0);
    }
  });
});
