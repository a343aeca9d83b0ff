import { describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import { ENGINES, resetBookings } from './helpers/db.ts';
import { restoreDemoSettings } from './helpers/demo-settings.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * Issue 23 item 5: a service "intervention chez le client" (the demo's boiler service) needs the
 * intervention address and a phone, and every problem of the form is said in one answer; the
 * customer's "Décrivez le problème" reaches the artisan and stays with the booking when it moves.
 * Clock: Monday 2027-03-01 08:00 Paris; Wednesday 2027-03-03 is an ordinary open day.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const DAY = '2027-03-03';
const HOME = 'entretien-chaudiere';
const ADDRESS = { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' };

const fieldsOf = (body: { error: { details?: { field: string }[] } }) => (body.error.details ?? []).map((d) => d.field).sort();

describe.each(ENGINES)('a visit at home and the problem described, on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const post = (body: unknown) => t.request('POST', '/api/bookings', body);
  const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  const bookings = async () => (await t.service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings'))[0]!.n;

  it('says which services are visits at home: the page marks their address and phone required', async () => {
    const services = (await t.request('GET', '/api/services')).body.services as { id: string; atCustomer: boolean }[];
    expect(services.map((s) => [s.id, s.atCustomer])).toEqual([['diag', false], ['urgence', false], [HOME, true]]);
    expect((await admin('GET', `/services/${HOME}`)).body.service.atCustomer).toBe(true);
  });

  it('refuses a visit at home without address or phone, each missing field in one answer, and books nothing', async () => {
    const res = await post(bookingBody(DAY, '09:00', { serviceId: HOME, customer: { name: 'Jean Martin', email: 'jean@example.com' } }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(fieldsOf(res.body)).toEqual(['customer.address.city', 'customer.address.postalCode', 'customer.address.street', 'customer.phone']);
    for (const d of res.body.error.details) expect(d.message).toMatch(/obligatoire/);
    expect(await bookings()).toBe(0);
    // A blank phone and a half-filled address are the same refusal, field by field.
    const half = await post(
      bookingBody(DAY, '09:00', { serviceId: HOME, customer: { name: 'Jean Martin', email: 'jean@example.com', phone: '  ', address: { ...ADDRESS, street: '' } } }),
    );
    expect(fieldsOf(half.body)).toEqual(['customer.address.street', 'customer.phone']);
  });

  it("says the schema's refusals and the booking's own in one answer, not in rounds (e-mail, then phone and postcode)", async () => {
    const res = await post({
      serviceId: HOME,
      date: DAY,
      time: '09:00',
      customer: { name: 'Jean Martin', email: 'jean@exemple', phone: '12', address: { street: '12 rue des Lilas', postalCode: '7501', city: '' } },
      problemDescription: 'x'.repeat(1001),
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/Merci de vérifier/) });
    expect(fieldsOf(res.body)).toEqual(['customer.address.city', 'customer.address.postalCode', 'customer.email', 'customer.phone', 'problemDescription']);
    // Without any address at all: the e-mail and what a visit at home lacks, together.
    const bare = await post({ serviceId: HOME, date: DAY, time: '09:00', customer: { name: 'Jean Martin', email: 'pas-une-adresse' } });
    expect(fieldsOf(bare.body)).toEqual(['customer.address.city', 'customer.address.postalCode', 'customer.address.street', 'customer.email', 'customer.phone']);
    // A body refused whole is not said field by field twice.
    expect(fieldsOf((await post({ serviceId: HOME, date: DAY, time: '09:00' })).body)).toEqual(['customer']);
    expect(await bookings()).toBe(0);
  });

  it("keeps the contract's services as they were: a diagnostic books with a name and an e-mail only, until the artisan says it is at home", async () => {
    try {
      const plain = await post(bookingBody(DAY, '09:00', { customer: { name: 'Jean Martin', email: 'jean@example.com' } }));
      expect(plain.status).toBe(201);
      const set = await admin('PATCH', '/services/diag', { atCustomer: true });
      expect(set.status).toBe(200);
      expect(set.body.service.atCustomer).toBe(true);
      expect((await t.request('GET', '/api/services')).body.services.find((s: { id: string }) => s.id === 'diag').atCustomer).toBe(true);
      const refused = await post(bookingBody(DAY, '10:00', { customer: { name: 'Jean Martin', email: 'jean@example.com' } }));
      expect(fieldsOf(refused.body)).toEqual(['customer.address.city', 'customer.address.postalCode', 'customer.address.street', 'customer.phone']);
      expect((await admin('PATCH', '/services/diag', { atCustomer: 'oui' })).status).toBe(400);
    } finally {
      await resetBookings(t.service.db);
      await restoreDemoSettings(t.service.db);
    }
  });

  it("carries the problem described to the artisan's booking, the day sheet and through a move; the artisan's own booking takes one too", async () => {
    const problemDescription = "  Fuite sous l'évier de la cuisine.\nLe robinet goutte aussi.  ";
    const res = await post(
      bookingBody(DAY, '09:00', { serviceId: HOME, customer: { name: 'Jean Martin', email: 'jean@example.com', phone: '06 12 34 56 78', address: ADDRESS }, problemDescription }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const code = res.body.booking.publicCode as string;
    const stored = (await admin('GET', `/bookings/${code}`)).body.booking;
    expect(stored.problemDescription).toBe("Fuite sous l'évier de la cuisine.\nLe robinet goutte aussi.");
    expect(stored.customer.address).toEqual(ADDRESS);

    const moved = await admin('POST', `/bookings/${code}/reschedule`, { newDate: DAY, newTime: '14:00' });
    expect(moved.status).toBe(200);
    expect(moved.body.booking.problemDescription).toBe(stored.problemDescription);
    const byCustomer = await t.request('POST', `/api/bookings/${code}/reschedule`, { email: 'jean@example.com', newDate: DAY, newTime: '15:00' });
    expect(byCustomer.status).toBe(200);
    expect((await admin('GET', `/bookings/${code}`)).body.booking.problemDescription).toBe(stored.problemDescription);

    t.clock.set('2027-03-03T06:00:00Z');
    const today = (await admin('GET', '/today')).body.bookings as { publicCode: string; problemDescription: string | null }[];
    expect(today.find((b) => b.publicCode === code)?.problemDescription).toBe(stored.problemDescription);

    // Taken on the phone by the artisan: the description is accepted, an empty one is none.
    const phone = await admin('POST', '/bookings', bookingBody('2027-03-04', '09:00', { serviceId: 'diag', problemDescription: 'Chauffe-eau en panne' }));
    expect(phone.status, JSON.stringify(phone.body)).toBe(201);
    expect(phone.body.booking.problemDescription).toBe('Chauffe-eau en panne');
    const none = await post(bookingBody('2027-03-04', '10:00', { problemDescription: '   ' }));
    expect(none.status, JSON.stringify(none.body)).toBe(201);
    expect((await admin('GET', `/bookings/${none.body.booking.publicCode}`)).body.booking.problemDescription).toBeNull();
  });
});
