import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { bookingBody, serviceForSuite, type TestService } from './helpers/service.ts';
import { addBusiness, type TestBusiness } from './helpers/tenants.ts';

/**
 * The outcome of an appointment (issue 22 item 1): after its start the artisan marks a booking
 * done or the customer absent; an outcome is final for the customer; bookings left unmarked
 * 48 h after their end are listed. Clock: Monday 2027-03-01 08:00 in Paris (+01:00); the
 * reference booking is diag (30 min, deposit 1200 captured) on Wednesday 2027-03-03 09:00+01:00.
 */

type Res = Awaited<ReturnType<TestService['request']>>;
const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'jean@example.com';
const FRENCH = /[àâçéèêëîïôûùœ]|\b(le|la|les|ce|cette|de|des|du|pas)\b/i;

function expectError(res: Res, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toMatch(FRENCH);
}

describe.each(ENGINES)('outcome of an appointment on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const admin = adminHeaders();
  let other: TestBusiness;
  beforeAll(async () => {
    const demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demo]);
    other = await addBusiness(t.service.db, demo, 'chauffage-martin', 'Chauffage Martin');
  });

  // Two businesses on the instance: the customer's requests name theirs in the address.
  const PUBLIC = '/plomberie-dupont/api';
  const book = async (date = '2027-03-03', time = '09:00', overrides: Record<string, unknown> = {}): Promise<string> => {
    const res = await t.request('POST', `${PUBLIC}/bookings`, bookingBody(date, time, overrides));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };
  const mark = (code: string, outcome: string, headers = admin) => t.request('POST', `/api/admin/bookings/${code}/outcome`, { outcome }, headers);
  const detail = (code: string) => t.request('GET', `/api/admin/bookings/${code}`, undefined, admin);
  const lookup = (code: string) => t.request('GET', `${PUBLIC}/bookings/public?code=${code}&email=${encodeURIComponent(EMAIL)}`);
  const cancel = (code: string) => t.request('POST', `${PUBLIC}/bookings/${code}/cancel`, { email: EMAIL });
  const reschedule = (code: string) => t.request('POST', `${PUBLIC}/bookings/${code}/reschedule`, { email: EMAIL, newDate: '2027-03-10', newTime: '10:00' });
  const outbox = async (code: string) =>
    (await t.service.db.query<{ topic: string; status: string }>(`SELECT o.topic, o.status FROM outbox o JOIN bookings b ON b.id = o.booking_id WHERE b.public_code = $1`, [code])).map(
      (r) => `${r.topic}:${r.status}`,
    );

  it('is recorded from the start on, shows in the admin API, the history and the customer lookup, and then the customer can neither cancel nor move', async () => {
    const code = await book();
    const before = (await detail(code)).body.booking;
    expect(before).not.toHaveProperty('outcome');

    expectError(await mark(code, 'completed'), 409, 'BOOKING_NOT_STARTED');
    t.clock.set('2027-03-03T08:10:00Z'); // 09:10 in Paris: under way
    const res = await mark(code, 'completed');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.booking).toMatchObject({ publicCode: code, status: 'confirmed', outcome: 'completed' });

    const after = await detail(code);
    expect(after.body.booking.outcome).toBe('completed');
    expect(after.body.history.at(-1)).toMatchObject({ type: 'completed', actor: 'token:ADMIN_API_TOKEN' });
    expect((await lookup(code)).body.booking).toMatchObject({ outcome: 'completed' });
    const listed = await t.request('GET', '/api/admin/bookings?from=2027-03-03&to=2027-03-03', undefined, admin);
    expect(listed.body.bookings.map((b: { publicCode: string; outcome?: string }) => [b.publicCode, b.outcome])).toEqual([[code, 'completed']]);

    // Final: the customer (and the artisan) can neither cancel nor move it; marking it again the same way changes nothing.
    const refused = await cancel(code);
    expectError(refused, 409, 'BOOKING_CLOSED');
    expect(refused.body.error.message).toMatch(/réalisée.*ne peut plus être annulé ni déplacé/);
    expectError(await reschedule(code), 409, 'BOOKING_CLOSED');
    expectError(await t.request('POST', `/api/admin/bookings/${code}/cancel`, {}, admin), 409, 'BOOKING_CLOSED');
    expect((await mark(code, 'completed')).status).toBe(200);
    expectError(await mark(code, 'no_show'), 409, 'BOOKING_CLOSED');
    expect((await detail(code)).body.history.filter((h: { type: string }) => h.type === 'completed')).toHaveLength(1);
  });

  it('a no-show keeps the deposit: nothing refunded, nothing to settle, and the customer cannot cancel it', async () => {
    const code = await book();
    const deposit = (await detail(code)).body.booking.deposit;
    expect(deposit).toMatchObject({ amountCents: 1200, paymentStatus: 'captured', refundedCents: 0 });
    t.clock.set('2027-03-03T08:20:00Z');
    const res = await mark(code, 'no_show');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.booking).toMatchObject({ outcome: 'no_show', refundCents: 0, deposit: { amountCents: 1200, paymentStatus: 'captured', refundedCents: 0 } });
    expect((await outbox(code)).filter((r) => r.startsWith('payment.settle'))).toEqual([]);
    const refused = await cancel(code);
    expectError(refused, 409, 'BOOKING_CLOSED');
    expect(refused.body.error.message).toMatch(/acompte reste acquis/);
    expect((await detail(code)).body.booking.deposit).toMatchObject({ paymentStatus: 'captured', refundedCents: 0 });
  });

  it('a cancelled booking takes no outcome; an unknown code answers as missing', async () => {
    const code = await book();
    expect((await cancel(code)).status).toBe(200);
    t.clock.set('2027-03-03T08:10:00Z');
    expectError(await mark(code, 'completed'), 409, 'BOOKING_CANCELLED');
    expectError(await mark('AC-ZZZZZZ', 'completed'), 404, 'BOOKING_NOT_FOUND');
    expect((await mark(code, 'done')).status).toBe(400);
  });

  it('the "to close" list holds the bookings still unmarked 48 h after their end, oldest first', async () => {
    const old = await book('2027-03-02', '10:00'); // ends 09:30Z on the 2nd
    const marked = await book('2027-03-02', '11:00');
    const recent = await book('2027-03-03', '09:00'); // ends 08:30Z on the 3rd
    const cancelled = await book('2027-03-02', '14:00');
    expect((await cancel(cancelled)).status).toBe(200);
    const toClose = async () => ((await t.request('GET', '/api/admin/to-close', undefined, admin)).body.bookings as { publicCode: string }[]).map((b) => b.publicCode);

    t.clock.set('2027-03-04T09:29:00Z'); // 47 h 59 after the first one's end
    expect(await toClose()).toEqual([]);
    t.clock.set('2027-03-04T10:31:00Z');
    expect(await toClose()).toEqual([old, marked]);
    expect((await mark(marked, 'completed')).status).toBe(200);
    expect(await toClose()).toEqual([old]);
    t.clock.set('2027-03-05T08:31:00Z');
    expect(await toClose()).toEqual([old, recent]);
    expect((await mark(old, 'no_show')).status).toBe(200);
    expect(await toClose()).toEqual([recent]);
  });

  it("another business's booking answers exactly as a missing one, and is never in its lists", async () => {
    const code = await book();
    t.clock.set('2027-03-06T08:10:00Z');
    const theirs = { authorization: `Bearer ${other.token}` };
    const missing = await mark('AC-ZZZZZZ', 'completed', theirs);
    const foreign = await mark(code, 'completed', theirs);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expect((await t.request('GET', '/api/admin/to-close', undefined, theirs)).body).toEqual({ bookings: [] });
    expect((await t.request('GET', '/api/admin/to-close', undefined, admin)).body.bookings).toHaveLength(1);
    expect((await detail(code)).body.booking).not.toHaveProperty('outcome');
  });

  describe('services with an interval and the next visit due', () => {
    const ADDRESS = { street: '3 rue des Chaudières', postalCode: '69003', city: 'Lyon' };
    const dueVisits = async (headers = admin) => (await t.request('GET', '/api/admin/due-visits', undefined, headers)).body.dueVisits as Record<string, any>[];
    const bookWithConsent = async (nextVisit: boolean | undefined, time = '09:00') => {
      const { version } = (await t.request('GET', `${PUBLIC}/artisan`)).body.artisan.terms;
      const consent = { termsVersion: version, ...(nextVisit === undefined ? {} : { nextVisit }) };
      return book('2027-03-03', time, { consent, customer: { name: 'Mme Girard', email: EMAIL, phone: '+33612345678', address: ADDRESS } });
    };
    beforeAll(async () => {
      const set = await t.request('PATCH', '/api/admin/services/diag', { maintenanceIntervalMonths: 12 }, admin);
      expect(set.status, JSON.stringify(set.body)).toBe(200);
      expect(set.body.service.maintenanceIntervalMonths).toBe(12);
    });

    it('the interval is set on the service (1 to 120 months; null or 0 clears it) and shown to customers only where set', async () => {
      const services = (await t.request('GET', `${PUBLIC}/services`)).body.services as { id: string; maintenanceIntervalMonths?: number }[];
      expect(services.find((s) => s.id === 'diag')?.maintenanceIntervalMonths).toBe(12);
      expect(services.find((s) => s.id === 'urgence')).not.toHaveProperty('maintenanceIntervalMonths');
      expect((await t.request('PATCH', '/api/admin/services/urgence', { maintenanceIntervalMonths: 121 }, admin)).status).toBe(400);
      expect((await t.request('PATCH', '/api/admin/services/urgence', { maintenanceIntervalMonths: -1 }, admin)).status).toBe(400);
      expect((await t.request('PATCH', '/api/admin/services/urgence', { maintenanceIntervalMonths: 'douze' }, admin)).status).toBe(400);
      expect((await t.request('PATCH', '/api/admin/services/urgence', { maintenanceIntervalMonths: 24 }, admin)).body.service.maintenanceIntervalMonths).toBe(24);
      expect((await t.request('PATCH', '/api/admin/services/urgence', { maintenanceIntervalMonths: null }, admin)).body.service).not.toHaveProperty('maintenanceIntervalMonths');
      // The body's coercion reads 0 as null (as for minNoticeMinutes): no interval.
      await t.request('PATCH', '/api/admin/services/urgence', { maintenanceIntervalMonths: 6 }, admin);
      expect((await t.request('PATCH', '/api/admin/services/urgence', { maintenanceIntervalMonths: 0 }, admin)).body.service).not.toHaveProperty('maintenanceIntervalMonths');
    });

    it('completed with the customer\'s consent: the next visit falls due 12 months after the visit, for the customer and the service, nothing booked', async () => {
      const code = await bookWithConsent(true);
      expect((await detail(code)).body.consent).toMatchObject({ nextVisit: true });
      expect(await dueVisits()).toEqual([]);
      const bookingsBefore = (await t.service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings'))[0]!.n;

      t.clock.set('2027-03-03T08:40:00Z');
      expect((await mark(code, 'completed')).status).toBe(200);
      expect(await dueVisits()).toEqual([
        {
          id: expect.any(String),
          serviceId: 'diag',
          serviceName: 'Diagnostic et audit complet',
          previousBookingCode: code,
          dueOn: '2028-03-03',
          intervalMonths: 12,
          status: 'due',
          customer: { name: 'Mme Girard', email: EMAIL, phone: '+33612345678', address: ADDRESS },
        },
      ]);
      // Nothing is booked ahead: no booking row was added, no slot taken.
      expect((await t.service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings'))[0]!.n).toBe(bookingsBefore);
      // Another business sees none of it.
      expect(await dueVisits({ authorization: `Bearer ${other.token}` })).toEqual([]);
    });

    it('a month is a calendar month: a visit on 31 March with one month falls due on 30 April', async () => {
      expect((await t.request('PATCH', '/api/admin/services/diag', { maintenanceIntervalMonths: 1 }, admin)).status).toBe(200);
      try {
        const { version } = (await t.request('GET', `${PUBLIC}/artisan`)).body.artisan.terms;
        const code = await book('2027-03-31', '09:00', { consent: { termsVersion: version, nextVisit: true } });
        t.clock.set('2027-03-31T07:30:00Z'); // 09:30 in Paris (summer time since the 28th)
        expect((await mark(code, 'completed')).status).toBe(200);
        expect((await dueVisits()).map((v) => [v.previousBookingCode, v.dueOn, v.intervalMonths])).toEqual([[code, '2027-04-30', 1]]);
      } finally {
        await t.request('PATCH', '/api/admin/services/diag', { maintenanceIntervalMonths: 12 }, admin);
      }
    });

    it('no visit falls due without the tick, nor after a no-show', async () => {
      const unticked = await bookWithConsent(undefined, '09:00');
      const refused = await bookWithConsent(false, '10:00');
      const absent = await bookWithConsent(true, '11:00');
      expect((await detail(unticked)).body.consent).not.toHaveProperty('nextVisit');
      t.clock.set('2027-03-03T10:40:00Z');
      expect((await mark(unticked, 'completed')).status).toBe(200);
      expect((await mark(refused, 'completed')).status).toBe(200);
      expect((await mark(absent, 'no_show')).status).toBe(200);
      expect(await dueVisits()).toEqual([]);
    });
  });
});
