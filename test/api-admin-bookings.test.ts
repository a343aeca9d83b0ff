import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite, type TestService } from './helpers/service.ts';
import { adminHeaders, loginAsArtisan, setDemoPassword } from './helpers/admin.ts';

/**
 * The artisan's bookings (issue 3 §4): list, detail with history, cancel, move, phone
 * bookings, the intervention address. Clock: Monday 2027-03-01 08:00 in Paris (+01:00).
 */

type Res = Awaited<ReturnType<TestService['request']>>;
const START = Date.parse('2027-03-01T07:00:00Z');
const ADDRESS = { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' };

function expectError(res: Res, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toMatch(/[àâçéèêëîïôûùœ]|\b(le|la|les|de|des|du|pas)\b/i);
}

describe.each(ENGINES)('admin bookings on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const admin = adminHeaders();
  beforeAll(async () => setDemoPassword(t.service.db));

  const book = async (date: string, time: string, overrides: Record<string, unknown> = {}) => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time, overrides));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking as { publicCode: string } & Record<string, any>;
  };
  const phoneBooking = (body: Record<string, unknown>, headers = admin) => t.request('POST', '/api/admin/bookings', body, headers);

  it('every bookings route answers 401 without credentials', async () => {
    const routes: [Parameters<TestService['request']>[0], string][] = [
      ['GET', '/api/admin/bookings'],
      ['GET', '/api/admin/bookings/AC-AAAAAA'],
      ['POST', '/api/admin/bookings/AC-AAAAAA/cancel'],
      ['POST', '/api/admin/bookings/AC-AAAAAA/reschedule'],
      ['POST', '/api/admin/bookings'],
      ['GET', '/api/admin/customers/export?email=jean@example.com'],
      ['POST', '/api/admin/customers/erase'],
    ];
    for (const [method, url] of routes) {
      const res = await t.request(method, url, method === 'POST' ? {} : undefined);
      expectError(res, 401, 'UNAUTHENTICATED');
    }
  });

  it('a phone booking follows the slot rules, needs no deposit unless asked, and is marked as taken by the artisan', async () => {
    const res = await phoneBooking({ ...bookingBody('2027-03-10', '09:00'), customer: { name: 'Mme Leroy', email: 'leroy@example.com', phone: '06 12 34 56 78', address: ADDRESS } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.booking).toMatchObject({
      status: 'confirmed',
      channel: 'phone',
      startDateTime: '2027-03-10T09:00:00+01:00',
      priceCents: 4000,
      deposit: { amountCents: 0, paymentStatus: 'captured', paymentProvider: null },
      customer: { name: 'Mme Leroy', phone: '+33612345678', address: ADDRESS },
    });
    const slot = (await t.request('GET', '/api/availability?serviceId=diag&date=2027-03-10')).body.slots.find((s: { time: string }) => s.time === '09:00');
    expect(slot.available).toBe(false);

    const withDeposit = await phoneBooking({ ...bookingBody('2027-03-10', '10:00'), collectDeposit: true, paymentMethodId: 'pm_card_visa' });
    expect(withDeposit.status).toBe(201);
    expect(withDeposit.body.booking.deposit).toMatchObject({ amountCents: 1200, paymentStatus: 'captured' });

    expectError(await phoneBooking(bookingBody('2027-03-10', '09:00')), 409, 'SLOT_UNAVAILABLE');
    expectError(await phoneBooking(bookingBody('2027-03-10', '12:00')), 400, 'SLOT_NOT_OFFERED');
    expectError(await phoneBooking(bookingBody('2027-03-13', '09:00')), 400, 'SLOT_NOT_OFFERED');
    expectError(await phoneBooking(bookingBody('2027-03-10', '14:00', { serviceId: 'inconnu' })), 400, 'SERVICE_NOT_FOUND');
    const bad = await phoneBooking(bookingBody('2027-03-10', '14:00', { customer: { name: '', email: 'x', phone: '123' } }));
    expect(bad.status).toBe(400);

    const detail = await t.request('GET', `/api/admin/bookings/${res.body.booking.publicCode}`, undefined, admin);
    expect(detail.body.history.map((h: { type: string; actor: string }) => [h.type, h.actor])).toEqual([
      ['hold_taken', 'token:ADMIN_API_TOKEN'],
      ['confirmed', 'token:ADMIN_API_TOKEN'],
    ]);
  });

  it('the intervention address is validated, shown to the artisan and the customer lookup, hidden elsewhere', async () => {
    const bad = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '11:00', { customer: { name: 'Jean Martin', email: 'jean@example.com', address: { street: '12 rue des Lilas', postalCode: '7501', city: '' } } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['customer.address.city', 'customer.address.postalCode']);
    expect((await t.service.db.query('SELECT 1 FROM bookings')).length).toBe(0);

    const created = await book('2027-03-10', '11:00', { customer: { name: 'Jean Martin', email: 'jean@example.com', address: { ...ADDRESS, postalCode: '75 011' } } });
    expect(created.customer.address).toBeUndefined();
    const code = created.publicCode;
    const lookup = await t.request('GET', `/api/bookings/public?code=${code}&email=jean@example.com`);
    expect(lookup.body.booking.customer.address).toEqual(ADDRESS);
    const admin1 = await t.request('GET', `/api/admin/bookings/${code}`, undefined, admin);
    expect(admin1.body.booking.customer.address).toEqual(ADDRESS);
    const moved = await t.request('POST', `/api/bookings/${code}/reschedule`, { email: 'jean@example.com', newDate: '2027-03-11', newTime: '11:00' });
    expect(moved.status).toBe(200);
    expect(moved.body.booking.customer.address).toBeUndefined();
    const availability = await t.request('GET', '/api/availability?serviceId=diag&date=2027-03-11');
    expect(JSON.stringify(availability.body)).not.toMatch(/Lilas|75011|Jean/);
  });

  it('lists bookings by local date, status and page', async () => {
    const a = await book('2027-03-08', '09:00');
    const b = await book('2027-03-09', '09:00');
    const c = await book('2027-03-09', '10:00');
    await book('2027-03-12', '09:00');
    await t.request('POST', `/api/bookings/${c.publicCode}/cancel`, { email: 'jean@example.com' });

    const all = await t.request('GET', '/api/admin/bookings?from=2027-03-08&to=2027-03-09', undefined, admin);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(all.body.bookings.map((x: { publicCode: string }) => x.publicCode)).toEqual([a.publicCode, b.publicCode, c.publicCode]);
    expect(all.body.bookings[0]).toMatchObject({ channel: 'online', customer: { email: 'jean@example.com' } });

    const cancelled = await t.request('GET', '/api/admin/bookings?status=cancelled', undefined, admin);
    expect(cancelled.body.bookings.map((x: { publicCode: string }) => x.publicCode)).toEqual([c.publicCode]);
    expect(cancelled.body.bookings[0]).toMatchObject({ status: 'cancelled', cancelledBy: 'customer' });
    const two = await t.request('GET', '/api/admin/bookings?status=confirmed&status=cancelled&from=2027-03-09', undefined, admin);
    expect(two.body.total).toBe(3);

    const page2 = await t.request('GET', '/api/admin/bookings?pageSize=2&page=2', undefined, admin);
    expect(page2.body).toMatchObject({ page: 2, pageSize: 2, total: 4 });
    expect(page2.body.bookings.map((x: { publicCode: string }) => x.publicCode)).toEqual([c.publicCode, expect.any(String)]);
    // A page past the end still says how many bookings match.
    const past = await t.request('GET', '/api/admin/bookings?pageSize=2&page=5', undefined, admin);
    expect(past.body).toMatchObject({ page: 5, pageSize: 2, total: 4, bookings: [] });

    expectError(await t.request('GET', '/api/admin/bookings?from=2027-03-10&to=2027-03-01', undefined, admin), 400, 'VALIDATION_ERROR');
    expectError(await t.request('GET', '/api/admin/bookings?from=2027-02-30', undefined, admin), 400, 'VALIDATION_ERROR');
    expectError(await t.request('GET', '/api/admin/bookings?status=pending_payment', undefined, admin), 400, 'VALIDATION_ERROR');
    expectError(await t.request('GET', '/api/admin/bookings?pageSize=0', undefined, admin), 400, 'VALIDATION_ERROR');
  });

  it('finds bookings by part of the customer name, e-mail, phone or code', async () => {
    const leroy = await book('2027-03-08', '09:00', { customer: { name: 'Mme Hélène Leroy', email: 'h.leroy@example.fr', phone: '06 98 76 54 32' } });
    const martin = await book('2027-03-08', '10:00');
    const find = async (q: string) =>
      (await t.request('GET', `/api/admin/bookings?q=${encodeURIComponent(q)}`, undefined, admin)).body.bookings.map((b: { publicCode: string }) => b.publicCode);
    expect(await find('leroy')).toEqual([leroy.publicCode]);
    expect(await find('HÉLÈNE')).toEqual([leroy.publicCode]);
    expect(await find('EXAMPLE.FR')).toEqual([leroy.publicCode]);
    expect(await find('98765')).toEqual([leroy.publicCode]);
    expect(await find(martin.publicCode.slice(3).toLowerCase())).toEqual([martin.publicCode]);
    expect(await find('%')).toEqual([]);
    expect(await find('_')).toEqual([]);
    expect(await find('dupuis')).toEqual([]);
  });

  it('reads the local date in the artisan zone: 00:30 in Paris is the previous day in UTC', async () => {
    await t.service.db.query(`UPDATE schedule_rules SET start_minutes = 0 WHERE kind = 'opening' AND day_of_week = 3`);
    try {
      t.clock.set('2027-03-08T07:00:00Z');
      const early = await book('2027-03-10', '00:30');
      expect(early.startDateTime).toBe('2027-03-10T00:30:00+01:00');
      const list = await t.request('GET', '/api/admin/bookings?from=2027-03-10&to=2027-03-10', undefined, admin);
      expect(list.body.bookings.map((x: { publicCode: string }) => x.publicCode)).toEqual([early.publicCode]);
      expect((await t.request('GET', '/api/admin/bookings?from=2027-03-09&to=2027-03-09', undefined, admin)).body.total).toBe(0);
    } finally {
      await t.service.db.query(`UPDATE schedule_rules SET start_minutes = 510 WHERE kind = 'opening' AND day_of_week = 3`);
    }
  });

  it('the artisan cancels with a full refund even at short notice, with a reason in the history', async () => {
    const b = await book('2027-03-02', '10:00');
    t.clock.set('2027-03-02T06:00:00Z'); // 07:00 in Paris, three hours before: a customer would keep nothing back.
    const res = await t.request('POST', `/api/admin/bookings/${b.publicCode.toLowerCase()}/cancel`, { reason: 'Fuite chez un autre client' }, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.refund).toEqual({ refundCents: 1200, retainedCents: 0, refundRate: 1, alreadyRefundedCents: 0 });
    expect(res.body.booking).toMatchObject({ status: 'cancelled', cancelledBy: 'artisan', refundCents: 1200 });
    expectError(await t.request('POST', `/api/admin/bookings/${b.publicCode}/cancel`, {}, admin), 409, 'ALREADY_CANCELLED');
    expectError(await t.request('POST', '/api/admin/bookings/AC-ZZZZZZ/cancel', {}, admin), 404, 'BOOKING_NOT_FOUND');

    const detail = await t.request('GET', `/api/admin/bookings/${b.publicCode}`, undefined, admin);
    const cancelled = detail.body.history.find((h: { type: string }) => h.type === 'cancelled');
    expect(cancelled).toMatchObject({ actor: 'token:ADMIN_API_TOKEN', data: { refundCents: 1200, reason: 'Fuite chez un autre client' } });
    expect(Date.parse(cancelled.at)).not.toBeNaN();
    expect(detail.body.history.map((h: { type: string }) => h.type)).toEqual(['hold_taken', 'confirmed', 'cancelled', 'deposit_settled']);
  });

  it('the artisan moves a booking under the same rules; the history says who and from where to where', async () => {
    const b = await book('2027-03-10', '09:00');
    await book('2027-03-10', '14:00');
    expectError(await t.request('POST', `/api/admin/bookings/${b.publicCode}/reschedule`, { newDate: '2027-03-10', newTime: '14:00' }, admin), 409, 'SLOT_UNAVAILABLE');
    expectError(await t.request('POST', `/api/admin/bookings/${b.publicCode}/reschedule`, { newDate: '2027-03-10', newTime: '12:30' }, admin), 400, 'SLOT_NOT_OFFERED');
    expectError(await t.request('POST', `/api/admin/bookings/${b.publicCode}/reschedule`, { newDate: '2027-02-30', newTime: '10:00' }, admin), 400, 'VALIDATION_ERROR');
    const res = await t.request('POST', `/api/admin/bookings/${b.publicCode}/reschedule`, { newDate: '2027-03-11', newTime: '15:30' }, admin);
    expect(res.status).toBe(200);
    expect(res.body.booking).toMatchObject({ status: 'rescheduled', startDateTime: '2027-03-11T15:30:00+01:00' });
    const history = (await t.request('GET', `/api/admin/bookings/${b.publicCode}`, undefined, admin)).body.history;
    expect(history.at(-1)).toMatchObject({
      type: 'rescheduled',
      actor: 'token:ADMIN_API_TOKEN',
      data: { fromMs: Date.parse('2027-03-10T08:00:00Z'), toMs: Date.parse('2027-03-11T14:30:00Z') },
    });
  });

  it('cookie-authenticated booking writes need the CSRF token', async () => {
    const b = await book('2027-03-10', '09:00');
    const { cookie, csrf } = await loginAsArtisan(t);
    expectError(await t.request('POST', `/api/admin/bookings/${b.publicCode}/cancel`, {}, { cookie }), 403, 'CSRF_REJECTED');
    expect((await t.request('GET', `/api/bookings/public?code=${b.publicCode}&email=jean@example.com`)).body.booking.status).toBe('confirmed');
    const ok = await t.request('POST', `/api/admin/bookings/${b.publicCode}/cancel`, {}, { cookie, 'x-csrf-token': csrf });
    expect(ok.status).toBe(200);
    const history = (await t.request('GET', `/api/admin/bookings/${b.publicCode}`, undefined, { cookie })).body.history;
    expect(history.find((h: { type: string }) => h.type === 'cancelled').actor).toBe('artisan');
  });

  it('concurrent admin and public writes never produce overlapping active bookings', async () => {
    const other = await book('2027-03-10', '16:00');
    const attempts = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => t.request('POST', '/api/bookings', bookingBody('2027-03-10', i % 2 ? '09:00' : '09:30', { customer: { name: `Client ${i}`, email: `c${i}@example.com` } }))),
      ...Array.from({ length: 6 }, (_, i) => phoneBooking(bookingBody('2027-03-10', i % 2 ? '09:00' : '09:30', { serviceId: i % 3 ? 'diag' : 'urgence' }))),
      t.request('POST', `/api/admin/bookings/${other.publicCode}/reschedule`, { newDate: '2027-03-10', newTime: '09:00' }, admin),
      t.request('POST', `/api/bookings/${other.publicCode}/reschedule`, { email: 'jean@example.com', newDate: '2027-03-10', newTime: '09:30' }),
    ]);
    for (const res of attempts) expect([200, 201, 409], JSON.stringify(res.body)).toContain(res.status);
    const overlaps = await t.service.db.query(
      `SELECT a.public_code FROM bookings a JOIN bookings b ON a.id < b.id AND a.blocked_range && b.blocked_range
        WHERE a.status IN ('pending_payment','confirmed','rescheduled') AND b.status IN ('pending_payment','confirmed','rescheduled')`,
    );
    expect(overlaps).toEqual([]);
    const active = await t.service.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM bookings WHERE status IN ('confirmed','rescheduled') AND starts_at >= '2027-03-10T08:00:00Z' AND starts_at < '2027-03-10T09:00:00Z'`,
    );
    expect(active[0]!.n).toBeGreaterThanOrEqual(1);
    expect(active[0]!.n).toBeLessThanOrEqual(2);
  });
});
