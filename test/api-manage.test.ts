import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite, type TestService } from './helpers/service.ts';

/**
 * Lookup, cancel and reschedule by code + e-mail (decisions §6), and the durable side
 * effects each change writes (outbox, history, busy block). Clock: Monday 2027-03-01 08:00
 * in Paris (+01:00). The reference booking is diag on Wednesday 2027-03-10 09:00+01:00,
 * i.e. 08:00Z; its deposit is 1200 cents (4000 × 0.3).
 */

type Res = Awaited<ReturnType<TestService['request']>>;

const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'jean@example.com';
const FRENCH = /[àâçéèêëîïôûùœ]|\b(le|la|les|ce|cette|de|des|du|merci|pas|invalide|obligatoire)\b/i;
const SLOT_UNAVAILABLE_BODY = {
  error: { code: 'SLOT_UNAVAILABLE', message: "Le créneau sélectionné n'est plus disponible. Merci de choisir un autre horaire." },
};

function expectError(res: Res, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(Object.keys(res.body.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  expect(res.body.error.message).toMatch(FRENCH);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat [\w.<>]+ \(|node_modules|SELECT|UPDATE |\.ts:\d+/);
}

interface OutboxRow {
  topic: string;
  status: string;
  run_at: string;
}

describe.each(ENGINES)('managing a booking on %s', (engine) => {
  const t = serviceForSuite(engine, START);

  async function book(date = '2027-03-10', time = '09:00', overrides: Record<string, unknown> = {}): Promise<{ code: string; id: string; booking: Record<string, unknown> }> {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time, overrides));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const code = res.body.booking.publicCode as string;
    const id = (await t.service.db.query<{ id: string }>('SELECT id FROM bookings WHERE public_code = $1', [code]))[0]!.id;
    return { code, id, booking: res.body.booking };
  }
  const lookup = (code: string, email: string): Promise<Res> =>
    t.request('GET', `/api/bookings/public?code=${encodeURIComponent(code)}&email=${encodeURIComponent(email)}`);
  const cancel = (code: string, email: string = EMAIL): Promise<Res> => t.request('POST', `/api/bookings/${encodeURIComponent(code)}/cancel`, { email });
  const reschedule = (code: string, newDate: string, newTime: string, email: string = EMAIL): Promise<Res> =>
    t.request('POST', `/api/bookings/${encodeURIComponent(code)}/reschedule`, { email, newDate, newTime });
  const slot = async (date: string, time: string, serviceId = 'diag') => {
    const res = await t.request('GET', `/api/availability?serviceId=${serviceId}&date=${date}`);
    expect(res.status).toBe(200);
    return (res.body.slots as { time: string; available: boolean; blockedBy: unknown[] }[]).find((s) => s.time === time);
  };
  const outbox = (bookingId: string): Promise<OutboxRow[]> =>
    t.service.db.query<OutboxRow>(
      `SELECT topic, status, to_char(run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS run_at
         FROM outbox WHERE booking_id = $1 ORDER BY created_at, topic`,
      [bookingId],
    );
  const events = async (bookingId: string): Promise<string[]> =>
    (await t.service.db.query<{ type: string }>('SELECT type FROM booking_events WHERE booking_id = $1 ORDER BY id', [bookingId])).map((r) => r.type);
  const bookingBlocks = (bookingId: string) =>
    t.service.db.query<{ s: string; e: string }>(
      `SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS s,
              to_char(ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS e
         FROM busy_blocks WHERE source = 'booking' AND booking_id = $1`,
      [bookingId],
    );


  describe('GET /api/bookings/public', () => {
    it('finds the booking with the code in any case and surrounding spaces, and the e-mail in any case', async () => {
      const { code } = await book();
      const res = await lookup(`  ${code.toLowerCase()}  `, '  JEAN@Example.COM ');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.booking).toMatchObject({
        publicCode: code,
        status: 'confirmed',
        serviceId: 'diag',
        startDateTime: '2027-03-10T09:00:00+01:00',
        durationMinutes: 30,
        customer: { name: 'Jean Martin', email: EMAIL, phone: '+33612345678' },
        deposit: { amountCents: 1200, currency: 'EUR', rate: 0.3, paymentStatus: 'captured' },
        notifications: { email: true, sms: false },
      });
      expect((await lookup(code, EMAIL)).status).toBe(200);
    });

    it('gives the identical 404 BOOKING_NOT_FOUND for an unknown code and for a wrong e-mail', async () => {
      const { code } = await book();
      const other = code === 'AC-ZZZZZZ' ? 'AC-YYYYYY' : 'AC-ZZZZZZ';
      const unknown = await lookup(other, EMAIL);
      const wrongEmail = await lookup(code, 'pirate@example.com');
      expectError(unknown, 404, 'BOOKING_NOT_FOUND');
      expectError(wrongEmail, 404, 'BOOKING_NOT_FOUND');
      expect(wrongEmail.body).toEqual(unknown.body);
      expect(JSON.stringify(wrongEmail.body)).not.toContain('Jean');
    });

    it.each([
      ['no e-mail', (c: string) => `/api/bookings/public?code=${c}`],
      ['no code', () => `/api/bookings/public?email=${encodeURIComponent(EMAIL)}`],
      ['an empty code', () => `/api/bookings/public?code=&email=${encodeURIComponent(EMAIL)}`],
      ['a malformed e-mail', (c: string) => `/api/bookings/public?code=${c}&email=pas-un-email`],
      ['no parameters', () => '/api/bookings/public'],
    ])('400 VALIDATION_ERROR for %s', async (_label, url) => {
      const { code } = await book();
      const res = await t.request('GET', url(code));
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.error.details.length).toBeGreaterThan(0);
    });
  });

  describe('POST /api/bookings/{code}/cancel', () => {
    it('48 h or more before the start: full refund (1200), slot freed, side effects written', async () => {
      const { code, id } = await book();
      expect(await bookingBlocks(id)).toEqual([{ s: '2027-03-10T08:00:00Z', e: '2027-03-10T08:30:00Z' }]);
      expect(await slot('2027-03-10', '09:00')).toMatchObject({ available: false });

      const res = await cancel(code.toLowerCase(), '  Jean@Example.com ');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.booking).toMatchObject({ publicCode: code, status: 'cancelled' });
      expect(res.body.booking.deposit).toMatchObject({ amountCents: 1200, paymentStatus: 'refunded' });
      expect(res.body.refund).toEqual({ refundCents: 1200, retainedCents: 0, refundRate: 1, alreadyRefundedCents: 0 });

      expect(await slot('2027-03-10', '09:00')).toEqual({ time: '09:00', available: true, blockedBy: [] });
      expect(await bookingBlocks(id)).toEqual([]);
      const topics = (await outbox(id)).map((r) => r.topic);
      expect(topics).toEqual(expect.arrayContaining(['notify.booking_cancelled', 'calendar.booking_changed']));
      expect(await events(id)).toContain('cancelled');
      const stored = (await t.service.db.query<{ status: string }>('SELECT status FROM bookings WHERE id = $1', [id]))[0];
      expect(stored?.status).toBe('cancelled');
      // The customer can still read the cancelled booking.
      expect((await lookup(code, EMAIL)).body.booking.status).toBe('cancelled');
    });

    // decisions §6, for a booking on Wednesday 2027-03-10 09:00 Paris (08:00 UTC), deposit 1200.
    it.each([
      ['exactly 48 h before: still a full refund', '2027-03-08T08:00:00Z', 1200, 1, 'refunded'],
      ['47 h before: 50 % refund', '2027-03-08T09:00:00Z', 600, 0.5, 'refunded'],
      ['exactly 24 h before: 50 % refund', '2027-03-09T08:00:00Z', 600, 0.5, 'refunded'],
      ['23 h before: the deposit is kept (captured)', '2027-03-09T09:00:00Z', 0, 0, 'captured'],
    ] as const)('%s', async (_label, now, refundCents, refundRate, paymentStatus) => {
      const { code } = await book();
      t.clock.set(now);
      const res = await cancel(code);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.booking.status).toBe('cancelled');
      expect(res.body.booking.deposit).toMatchObject({ amountCents: 1200, paymentStatus });
      expect(res.body.refund).toEqual({ refundCents, retainedCents: 1200 - refundCents, refundRate, alreadyRefundedCents: 0 });
    });

    it('a second cancel: 409 ALREADY_CANCELLED', async () => {
      const { code } = await book();
      expect((await cancel(code)).status).toBe(200);
      expectError(await cancel(code), 409, 'ALREADY_CANCELLED');
    });

    it('after the start: 409 BOOKING_PAST, and the booking stays', async () => {
      const { code, id } = await book();
      t.clock.set('2027-03-10T08:00:00Z'); // the very start
      expectError(await cancel(code), 409, 'BOOKING_PAST');
      t.clock.set('2027-03-11T08:00:00Z');
      expectError(await cancel(code), 409, 'BOOKING_PAST');
      const stored = (await t.service.db.query<{ status: string }>('SELECT status FROM bookings WHERE id = $1', [id]))[0];
      expect(stored?.status).toBe('confirmed');
    });

    it('wrong e-mail or unknown code: 404 BOOKING_NOT_FOUND, nothing changes', async () => {
      const { code, id } = await book();
      expectError(await cancel(code, 'pirate@example.com'), 404, 'BOOKING_NOT_FOUND');
      expectError(await cancel(code === 'AC-ZZZZZZ' ? 'AC-YYYYYY' : 'AC-ZZZZZZ'), 404, 'BOOKING_NOT_FOUND');
      expect(await slot('2027-03-10', '09:00')).toMatchObject({ available: false });
      expect(await bookingBlocks(id)).toHaveLength(1);
    });

    it('a missing or malformed e-mail: 400 VALIDATION_ERROR', async () => {
      const { code } = await book();
      expectError(await t.request('POST', `/api/bookings/${code}/cancel`, {}), 400, 'VALIDATION_ERROR');
      expectError(await cancel(code, 'jean@'), 400, 'VALIDATION_ERROR');
    });
  });

  describe('POST /api/bookings/{code}/reschedule', () => {
    it('moves the booking: same code, new start, old slot freed, new slot taken', async () => {
      const { code, id, booking } = await book();
      const res = await reschedule(code, '2027-03-11', '14:00');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.booking).toMatchObject({
        publicCode: code,
        status: 'rescheduled',
        startDateTime: '2027-03-11T14:00:00+01:00',
        date: '2027-03-11',
        time: '14:00',
        durationMinutes: 30,
        deposit: booking.deposit as Record<string, unknown>,
      });
      expect(await slot('2027-03-10', '09:00')).toEqual({ time: '09:00', available: true, blockedBy: [] });
      expect(await slot('2027-03-11', '14:00')).toEqual({ time: '14:00', available: false, blockedBy: [{ type: 'booking' }] });
      expect(await bookingBlocks(id)).toEqual([{ s: '2027-03-11T13:00:00Z', e: '2027-03-11T13:30:00Z' }]);
      // The code and e-mail keep working.
      const found = await lookup(code, EMAIL);
      expect(found.body.booking).toMatchObject({ status: 'rescheduled', startDateTime: '2027-03-11T14:00:00+01:00' });
    });

    it('onto its own slot: 200', async () => {
      const { code } = await book();
      const res = await reschedule(code, '2027-03-10', '09:00');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.booking).toMatchObject({ publicCode: code, startDateTime: '2027-03-10T09:00:00+01:00' });
    });

    it('onto a slot that overlaps only itself: 200 (urgence 09:00–09:45 -> 09:30–10:15)', async () => {
      const { code } = await book('2027-03-10', '09:00', { serviceId: 'urgence' });
      const res = await reschedule(code, '2027-03-10', '09:30');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.booking).toMatchObject({ status: 'rescheduled', startDateTime: '2027-03-10T09:30:00+01:00', durationMinutes: 45 });
      expect(await slot('2027-03-10', '09:00')).toMatchObject({ available: true });
      expect(await slot('2027-03-10', '10:00')).toMatchObject({ available: false });
    });

    it('onto a slot taken by another booking: 409 SLOT_UNAVAILABLE (contract body)', async () => {
      const { code, id } = await book();
      await book('2027-03-11', '10:00', { customer: { name: 'Autre Client', email: 'autre@example.com' } });
      const res = await reschedule(code, '2027-03-11', '10:00');
      expect(res.status).toBe(409);
      expect(res.body).toEqual(SLOT_UNAVAILABLE_BODY);
      expect(await bookingBlocks(id)).toEqual([{ s: '2027-03-10T08:00:00Z', e: '2027-03-10T08:30:00Z' }]);
    });

    it.each([
      ['off the grid', '2027-03-11', '09:10'],
      ['in the break', '2027-03-11', '12:00'],
      ['on a Saturday', '2027-03-13', '09:00'],
      ['inside the minimum notice', '2027-03-01', '09:30'],
    ])('%s: 400 SLOT_NOT_OFFERED', async (_label, date, time) => {
      const { code } = await book();
      expectError(await reschedule(code, date, time), 400, 'SLOT_NOT_OFFERED');
    });

    it.each([
      ['a bad date format', '11/03/2027', '09:00'],
      ['an impossible date', '2027-02-30', '09:00'],
      ['a bad time', '2027-03-11', '9:00'],
      ['a past date', '2027-02-26', '09:00'],
      ['a date beyond the horizon', '2027-05-31', '09:00'],
    ])('%s: 400 VALIDATION_ERROR', async (_label, date, time) => {
      const { code } = await book();
      const res = await reschedule(code, date, time);
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.error.details.length).toBeGreaterThan(0);
    });

    it('a cancelled booking: 409 BOOKING_CANCELLED', async () => {
      const { code } = await book();
      expect((await cancel(code)).status).toBe(200);
      expectError(await reschedule(code, '2027-03-11', '10:00'), 409, 'BOOKING_CANCELLED');
      expect(await slot('2027-03-11', '10:00')).toMatchObject({ available: true });
    });

    it('a started booking: 409 BOOKING_PAST', async () => {
      const { code } = await book('2027-03-02', '10:00');
      t.clock.set('2027-03-02T09:10:00Z'); // 10:10 in Paris
      expectError(await reschedule(code, '2027-03-11', '10:00'), 409, 'BOOKING_PAST');
    });

    it('a wrong e-mail: 404 BOOKING_NOT_FOUND', async () => {
      const { code } = await book();
      expectError(await reschedule(code, '2027-03-11', '10:00', 'pirate@example.com'), 404, 'BOOKING_NOT_FOUND');
      expect(await slot('2027-03-10', '09:00')).toMatchObject({ available: false });
    });
  });

  describe('outbox, reminders and history', () => {
    it('create writes the confirmation, the calendar export and a reminder 24 h before', async () => {
      const { id } = await book(); // starts 2027-03-10T08:00Z
      const rows = await outbox(id);
      const topics = rows.map((r) => r.topic);
      expect(topics).toEqual(expect.arrayContaining(['notify.booking_confirmed', 'calendar.booking_changed', 'notify.reminder']));
      const reminders = rows.filter((r) => r.topic === 'notify.reminder');
      expect(reminders).toEqual([{ topic: 'notify.reminder', status: 'pending', run_at: '2027-03-09T08:00:00Z' }]);
      expect(await events(id)).toContain('confirmed');
    });

    it('reschedule cancels the old reminder and schedules a new one', async () => {
      const { code, id } = await book();
      expect((await reschedule(code, '2027-03-12', '15:30')).status).toBe(200); // 14:30Z
      const reminders = (await outbox(id)).filter((r) => r.topic === 'notify.reminder');
      expect(reminders).toHaveLength(2);
      expect(reminders).toEqual(
        expect.arrayContaining([
          { topic: 'notify.reminder', status: 'cancelled', run_at: '2027-03-09T08:00:00Z' },
          { topic: 'notify.reminder', status: 'pending', run_at: '2027-03-11T14:30:00Z' },
        ]),
      );
      const topics = (await outbox(id)).map((r) => r.topic);
      expect(topics.filter((x) => x === 'calendar.booking_changed')).toHaveLength(2);
      expect(topics).toContain('notify.booking_rescheduled');
    });

    it('cancel leaves no pending reminder', async () => {
      const { code, id } = await book();
      expect((await reschedule(code, '2027-03-12', '15:30')).status).toBe(200);
      expect((await cancel(code)).status).toBe(200);
      const reminders = (await outbox(id)).filter((r) => r.topic === 'notify.reminder');
      expect(reminders.length).toBeGreaterThan(0);
      expect(reminders.filter((r) => r.status === 'pending')).toEqual([]);
    });

    it('keeps a history row for each change, in order', async () => {
      const { code, id } = await book();
      expect((await reschedule(code, '2027-03-11', '10:00')).status).toBe(200);
      expect((await reschedule(code, '2027-03-12', '10:00')).status).toBe(200);
      expect((await cancel(code)).status).toBe(200);
      const history = await events(id);
      const changes = history.filter((x) => ['confirmed', 'rescheduled', 'cancelled'].includes(x));
      expect(changes).toEqual(['confirmed', 'rescheduled', 'rescheduled', 'cancelled']);
      const actors = await t.service.db.query<{ type: string; actor: string }>(
        `SELECT type, actor FROM booking_events WHERE booking_id = $1 AND type IN ('rescheduled', 'cancelled') ORDER BY id`,
        [id],
      );
      expect(actors.every((r) => r.actor === 'customer')).toBe(true);
    });
  });
});
