import { describe, expect, it } from 'vitest';
import { ENGINES, insertCalendarBlock } from './helpers/db.ts';
import { bookingBody, serviceForSuite, type TestService } from './helpers/service.ts';

/**
 * POST /api/bookings (decisions §5, §7). Clock: Monday 2027-03-01 08:00 Paris (+01:00),
 * so today's first bookable start is 10:00 and the last bookable date is 2027-05-30.
 * Wednesday 2027-03-03 is an ordinary open day.
 */

type Res = Awaited<ReturnType<TestService['request']>>;

const START = Date.parse('2027-03-01T07:00:00Z');
const DAY = '2027-03-03';
const FRENCH = /[àâçéèêëîïôûùœ]|\b(le|la|les|ce|cette|de|des|du|merci|pas|invalide|obligatoire)\b/i;
const SLOT_UNAVAILABLE_BODY = {
  error: {
    code: 'SLOT_UNAVAILABLE',
    message: "Le créneau sélectionné n'est plus disponible. Merci de choisir un autre horaire.",
  },
};

function expectError(res: Res, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(Object.keys(res.body.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  expect(res.body.error.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  expect(res.body.error.message).toMatch(FRENCH);
  const raw = JSON.stringify(res.body);
  expect(raw).not.toMatch(/\bat [\w.<>]+ \(|node_modules|SELECT|INSERT|\.ts:\d+|stack/);
}

/** 400 VALIDATION_ERROR whose details name `field` (and are all {field, message}). */
function expectFieldError(res: Res, field: string): void {
  expectError(res, 400, 'VALIDATION_ERROR');
  const details = res.body.error.details as { field: string; message: string }[];
  expect(Array.isArray(details)).toBe(true);
  for (const d of details) {
    expect(Object.keys(d).sort()).toEqual(['field', 'message']);
    expect(d.message).toMatch(FRENCH);
  }
  expect(details.map((d) => d.field)).toContain(field);
}

describe.each(ENGINES)('POST /api/bookings on %s', (engine) => {
  const t = serviceForSuite(engine, START);

  const post = (body: unknown, headers?: Record<string, string>): Promise<Res> => t.request('POST', '/api/bookings', body, headers);
  const slot = async (serviceId: string, date: string, time: string) => {
    const res = await t.request('GET', `/api/availability?serviceId=${serviceId}&date=${date}`);
    expect(res.status).toBe(200);
    return (res.body.slots as { time: string; available: boolean }[]).find((s) => s.time === time);
  };
  const count = async (where: string): Promise<number> =>
    (await t.service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE ${where}`))[0]!.n;
  const activeCount = (): Promise<number> => count(`status IN ('pending_payment', 'confirmed', 'rescheduled')`);


  describe('201 Created', () => {
    it('returns the contract fields plus the front’s names', async () => {
      const res = await post(bookingBody(DAY, '09:00', { notifications: { email: true, sms: true } }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const b = res.body.booking;
      expect(b).toMatchObject({
        publicCode: expect.stringMatching(/^AC-[A-Z0-9]{6}$/),
        status: 'confirmed',
        startDateTime: '2027-03-03T09:00:00+01:00',
        durationMinutes: 30,
        serviceId: 'diag',
        serviceName: 'Diagnostic et audit complet',
        date: DAY,
        time: '09:00',
        priceCents: 4000,
        customer: { name: 'Jean Martin', email: 'jean@example.com', phone: '+33612345678' },
        deposit: {
          amountCents: 1200,
          currency: 'EUR',
          rate: 0.3,
          paymentStatus: 'captured',
          paymentIntentId: expect.stringMatching(/^pi_sim_/),
        },
        notifications: { email: true, sms: true },
      });
      for (const field of ['createdAt', 'updatedAt']) {
        expect(b[field]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
        expect(Date.parse(b[field])).toBe(START);
      }
      // The stored booking is confirmed and owns a busy block for calendar export.
      expect(await count(`status = 'confirmed' AND public_code = '${b.publicCode}'`)).toBe(1);
      const blocks = await t.service.db.query(`SELECT 1 FROM busy_blocks WHERE source = 'booking'`);
      expect(blocks).toHaveLength(1);
    });

    it('recomputes the deposit on the server and ignores amounts sent by the client', async () => {
      const res = await post(
        bookingBody(DAY, '10:00', { serviceId: 'urgence', amountCents: 1, depositCents: 1, deposit: { amountCents: 1, rate: 0.01 }, priceCents: 5 }),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.booking.priceCents).toBe(12000);
      expect(res.body.booking.durationMinutes).toBe(45);
      expect(res.body.booking.deposit).toMatchObject({ amountCents: 4800, rate: 0.4, currency: 'EUR' }); // 12000 × 0.4
      const stored = await t.service.db.query<{ d: number; p: number }>(`SELECT deposit_cents AS d, price_cents AS p FROM bookings`);
      expect(stored).toEqual([{ d: 4800, p: 12000 }]);
    });

    it('normalises the e-mail (trim + lower case) and the phone (E.164)', async () => {
      const res = await post(bookingBody(DAY, '11:00', { customer: { name: '  Jeanne   Dupuis ', email: '  Jeanne.Dupuis@Example.FR ', phone: '06 12 34 56 78' } }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.booking.customer).toEqual({ name: 'Jeanne Dupuis', email: 'jeanne.dupuis@example.fr', phone: '+33612345678' });
      const row = (await t.service.db.query<{ e: string; p: string }>(`SELECT customer_email AS e, customer_phone AS p FROM bookings`))[0];
      expect(row).toEqual({ e: 'jeanne.dupuis@example.fr', p: '+33612345678' });
    });

    it('accepts a booking without a phone when SMS is not requested, and pm_card_visa', async () => {
      const res = await post(
        bookingBody(DAY, '13:00', { customer: { name: 'Jean Martin', email: 'jean@example.com' }, notifications: { email: true, sms: false }, paymentMethodId: 'pm_card_visa' }),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.booking.customer.phone).toBeUndefined();
      expect(res.body.booking.deposit.paymentStatus).toBe('captured');
    });

    it('accepts the first slot after the minimum notice today and the last open day of the horizon', async () => {
      const today = await post(bookingBody('2027-03-01', '10:00'));
      expect(today.status, JSON.stringify(today.body)).toBe(201);
      expect(today.body.booking.startDateTime).toBe('2027-03-01T10:00:00+01:00');
      const last = await post(bookingBody('2027-05-28', '17:30'));
      expect(last.status, JSON.stringify(last.body)).toBe(201);
      expect(last.body.booking.startDateTime).toBe('2027-05-28T17:30:00+02:00');
    });
  });

  describe('400 VALIDATION_ERROR with per-field details', () => {
    it('bad JSON body', async () => {
      const res = await t.inject({ method: 'POST', url: '/api/bookings', payload: '{"serviceId": "diag", ', headers: { 'content-type': 'application/json' } });
      const parsed = { status: res.statusCode, body: res.json(), headers: res.headers };
      expectFieldError(parsed, 'body');
    });

    it('missing fields', async () => {
      const res = await post({});
      expectError(res, 400, 'VALIDATION_ERROR');
      const fields = (res.body.error.details as { field: string }[]).map((d) => d.field);
      expect(fields).toEqual(expect.arrayContaining(['serviceId', 'date', 'time', 'customer']));
      const noEmail = await post(bookingBody(DAY, '09:00', { customer: { name: 'Jean Martin' } }));
      expectFieldError(noEmail, 'customer.email');
    });

    it('impossible date', async () => {
      expectFieldError(await post(bookingBody('2027-02-30', '09:00')), 'date');
      expectFieldError(await post(bookingBody('2027-13-01', '09:00')), 'date');
      expectFieldError(await post(bookingBody('03/03/2027', '09:00')), 'date');
    });

    it.each(['9:00', '24:00', '09:60', '09h00', '09:00:00'])('time %s', async (time) => {
      expectFieldError(await post(bookingBody(DAY, time)), 'time');
    });

    it.each(['jean', 'jean@', 'jean@example', '@example.com', 'jean martin@example.com'])('invalid email %s', async (email) => {
      expectFieldError(await post(bookingBody(DAY, '09:00', { customer: { name: 'Jean Martin', email } })), 'customer.email');
    });

    it('empty or blank name', async () => {
      expectFieldError(await post(bookingBody(DAY, '09:00', { customer: { name: '', email: 'jean@example.com' } })), 'customer.name');
      expectFieldError(await post(bookingBody(DAY, '09:00', { customer: { name: '   ', email: 'jean@example.com' } })), 'customer.name');
    });

    it.each(['12', '06 12 34', 'abcdefghij', '+33 1 23'])('invalid phone %s', async (phone) => {
      expectFieldError(await post(bookingBody(DAY, '09:00', { customer: { name: 'Jean Martin', email: 'jean@example.com', phone } })), 'customer.phone');
    });

    it('date in the past', async () => {
      expectFieldError(await post(bookingBody('2027-02-26', '09:00')), 'date');
    });

    it('date beyond the horizon', async () => {
      expectFieldError(await post(bookingBody('2027-05-31', '09:00')), 'date');
      expectFieldError(await post(bookingBody('2028-03-01', '09:00')), 'date');
    });

    it('sms: true without a phone', async () => {
      const res = await post(bookingBody(DAY, '09:00', { customer: { name: 'Jean Martin', email: 'jean@example.com' }, notifications: { email: true, sms: true } }));
      expectFieldError(res, 'customer.phone');
    });

    it('reports several faulty fields at once and creates nothing', async () => {
      const res = await post(bookingBody('2027-02-30', '9:00', { customer: { name: 'Jean Martin', email: 'jean@' } }));
      expectError(res, 400, 'VALIDATION_ERROR');
      const fields = (res.body.error.details as { field: string }[]).map((d) => d.field);
      expect(fields).toEqual(expect.arrayContaining(['time', 'customer.email']));
      expect(await count('true')).toBe(0);
    });
  });

  describe('400 SERVICE_NOT_FOUND', () => {
    it('unknown service', async () => {
      expectError(await post(bookingBody(DAY, '09:00', { serviceId: 'plomberie-inconnue' })), 400, 'SERVICE_NOT_FOUND');
    });

    it('inactive service', async () => {
      await t.service.db.query(`UPDATE services SET is_active = false WHERE id = 'entretien-chaudiere'`);
      try {
        expectError(await post(bookingBody(DAY, '09:00', { serviceId: 'entretien-chaudiere' })), 400, 'SERVICE_NOT_FOUND');
      } finally {
        await t.service.db.query(`UPDATE services SET is_active = true WHERE id = 'entretien-chaudiere'`);
      }
      expect(await count('true')).toBe(0);
    });
  });

  describe('400 SLOT_NOT_OFFERED', () => {
    it.each([
      ['a Saturday', '2027-03-06', '09:00', 'diag'],
      ['a Sunday', '2027-03-07', '10:00', 'diag'],
      ['a public holiday (Ascension 2027-05-06)', '2027-05-06', '09:00', 'diag'],
      ['before opening', DAY, '08:00', 'diag'],
      ['at closing time', DAY, '18:00', 'diag'],
      ['after closing', DAY, '19:30', 'diag'],
      ['a 45-min slot ending after closing', DAY, '17:30', 'urgence'],
      ['the start of the break', DAY, '12:00', 'diag'],
      ['inside the break', DAY, '12:30', 'diag'],
      ['a 45-min slot running into the break', DAY, '11:30', 'urgence'],
      ['off the grid', DAY, '09:10', 'diag'],
      ['off the grid (quarter past)', DAY, '14:15', 'diag'],
      ['inside the minimum notice', '2027-03-01', '09:00', 'diag'],
      ['inside the minimum notice (just before now + 120 min)', '2027-03-01', '09:30', 'diag'],
    ])('%s', async (_label, date, time, serviceId) => {
      expectError(await post(bookingBody(date, time, { serviceId })), 400, 'SLOT_NOT_OFFERED');
      expect(await count('true')).toBe(0);
    });
  });

  describe('409 SLOT_UNAVAILABLE', () => {
    it('when the slot is taken by a booking: exactly the contract body', async () => {
      expect((await post(bookingBody(DAY, '09:00'))).status).toBe(201);
      const res = await post(bookingBody(DAY, '09:00', { customer: { name: 'Autre Client', email: 'autre@example.com' } }));
      expect(res.status).toBe(409);
      expect(res.body).toEqual(SLOT_UNAVAILABLE_BODY);
      expect(await activeCount()).toBe(1);
    });

    it('when an overlapping but different slot is taken (urgence 09:00–09:45 vs diag 09:30)', async () => {
      expect((await post(bookingBody(DAY, '09:00', { serviceId: 'urgence' }))).status).toBe(201);
      const res = await post(bookingBody(DAY, '09:30', { customer: { name: 'Autre Client', email: 'autre@example.com' } }));
      expect(res.status).toBe(409);
      expect(res.body).toEqual(SLOT_UNAVAILABLE_BODY);
      // 10:00 starts after 09:45: free.
      expect((await post(bookingBody(DAY, '10:00'))).status).toBe(201);
      expect(await activeCount()).toBe(2);
    });

    it('when a calendar busy block covers the slot, and not when it only touches it', async () => {
      await insertCalendarBlock(t.service.db, { start: '2027-03-03T14:00:00+01:00', end: '2027-03-03T15:00:00+01:00' });
      const res = await post(bookingBody(DAY, '14:30'));
      expect(res.status).toBe(409);
      expect(res.body).toEqual(SLOT_UNAVAILABLE_BODY);
      expect(JSON.stringify(res.body)).not.toContain('Chantier');
      expect((await post(bookingBody(DAY, '13:30'))).status).toBe(201); // ends 14:00
      expect((await post(bookingBody(DAY, '15:00'))).status).toBe(201); // starts 15:00
    });
  });

  describe('402 PAYMENT_DECLINED', () => {
    it('creates no active booking and leaves the slot free', async () => {
      const res = await post(bookingBody(DAY, '09:00', { paymentMethodId: 'pm_card_chargeDeclined' }));
      expectError(res, 402, 'PAYMENT_DECLINED');
      expect(res.body.booking).toBeUndefined();
      expect(await activeCount()).toBe(0);
      expect(await slot('diag', DAY, '09:00')).toEqual({ time: '09:00', available: true, blockedBy: [] });
      const retry = await post(bookingBody(DAY, '09:00', { paymentMethodId: 'pm_card_visa' }));
      expect(retry.status, JSON.stringify(retry.body)).toBe(201);
      expect(await activeCount()).toBe(1);
    });
  });

  describe('Idempotency-Key', () => {
    it('the same key and body replay the first 201 with one booking only', async () => {
      const body = bookingBody(DAY, '09:00');
      const first = await post(body, { 'idempotency-key': 'cle-essai-1' });
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      const second = await post(body, { 'idempotency-key': 'cle-essai-1' });
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(await count(`status = 'confirmed'`)).toBe(1);
      // Without the key the same request is a new attempt on a taken slot.
      const third = await post(body);
      expect(third.status).toBe(409);
    });

    it('the same key with another body: 422 IDEMPOTENCY_KEY_REUSED', async () => {
      expect((await post(bookingBody(DAY, '09:00'), { 'idempotency-key': 'cle-essai-2' })).status).toBe(201);
      const res = await post(bookingBody(DAY, '10:00'), { 'idempotency-key': 'cle-essai-2' });
      expectError(res, 422, 'IDEMPOTENCY_KEY_REUSED');
      expect(await count(`status = 'confirmed'`)).toBe(1);
      expect(await slot('diag', DAY, '10:00')).toMatchObject({ available: true });
    });

    it('different keys are independent', async () => {
      expect((await post(bookingBody(DAY, '09:00'), { 'idempotency-key': 'cle-a' })).status).toBe(201);
      expect((await post(bookingBody(DAY, '10:00'), { 'idempotency-key': 'cle-b' })).status).toBe(201);
      expect(await count(`status = 'confirmed'`)).toBe(2);
    });
  });

  describe('transport errors', () => {
    it('413 PAYLOAD_TOO_LARGE for a body over 64 KB', async () => {
      const payload = JSON.stringify(bookingBody(DAY, '09:00', { customer: { name: 'x'.repeat(70_000), email: 'jean@example.com' } }));
      expect(Buffer.byteLength(payload)).toBeGreaterThan(65_536);
      const res = await t.inject({ method: 'POST', url: '/api/bookings', payload, headers: { 'content-type': 'application/json' } });
      expectError({ status: res.statusCode, body: res.json(), headers: res.headers }, 413, 'PAYLOAD_TOO_LARGE');
      expect(await count('true')).toBe(0);
    });

    it.each(['text/plain', 'application/xml'])('415 for a %s body', async (type) => {
      const res = await t.inject({ method: 'POST', url: '/api/bookings', payload: JSON.stringify(bookingBody(DAY, '09:00')), headers: { 'content-type': type } });
      expectError({ status: res.statusCode, body: res.json(), headers: res.headers }, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(await count('true')).toBe(0);
    });

    it('404 NOT_FOUND for an unknown route', async () => {
      expectError(await t.request('GET', '/api/nope'), 404, 'NOT_FOUND');
      expectError(await t.request('POST', '/api/bookings/AC-ABC123/delete', {}), 404, 'NOT_FOUND');
      expectError(await t.request('POST', '/api/services', {}), 404, 'NOT_FOUND');
    });
  });
});
