import { beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { restoreDemoSettings } from './helpers/demo-settings.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * Minimum notice per service (issue 23 item 7): an urgent call-out can be booked an hour
 * ahead while the business keeps 2 h for the rest; a service without its own notice follows
 * the business's. Clock: Monday 2027-03-01 08:00 Paris; the demo opens 08:30–12:00, 13:00–18:00,
 * with 120 min notice; its 'urgence' ("Dépannage sous 2 heures") takes 60.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const MONDAY = '2027-03-01';
const TUESDAY = '2027-03-02';

describe.each(ENGINES)('minimum notice per service on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  beforeEach(async () => {
    t.clock.ms = START;
    await restoreDemoSettings(t.service.db);
  });

  const admin = (method: 'GET' | 'PATCH' | 'POST', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  /** The first time offered as available on a day, or undefined. */
  const firstFree = async (serviceId: string, date: string): Promise<string | undefined> => {
    const res = await t.request('GET', `/api/availability?serviceId=${serviceId}&date=${date}`);
    expect(res.status).toBe(200);
    return (res.body.slots as { time: string; available: boolean }[]).find((s) => s.available)?.time;
  };
  const book = (serviceId: string, date: string, time: string, email = 'jean@example.com') =>
    t.request('POST', '/api/bookings', bookingBody(date, time, { serviceId, customer: { name: 'Jean Martin', email, phone: '+33612345678', address: { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' } } }));

  it("the demo's urgent call-out keeps its promise: at 08:00 its first offer is 09:00, within two hours; the diagnostic keeps the business's 2 h", async () => {
    expect(await firstFree('urgence', MONDAY)).toBe('09:00');
    expect(await firstFree('diag', MONDAY)).toBe('10:00');
    const services = await admin('GET', '/services');
    expect(services.body.services.map((s: { id: string; minNoticeMinutes: number | null }) => [s.id, s.minNoticeMinutes])).toEqual([
      ['diag', null],
      ['urgence', 60],
      ['entretien-chaudiere', null],
    ]);
  });

  it('a booking obeys its service’s notice, on the first booking of the day and on the ones that follow it', async () => {
    expect((await book('urgence', MONDAY, '09:00')).status).toBe(201);
    // The day was read and kept by that booking: the diagnostic at 09:30 is still refused (2 h).
    const refused = await book('diag', MONDAY, '09:30', 'marie@example.com');
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('SLOT_NOT_OFFERED');
    expect((await book('diag', MONDAY, '10:00', 'marie@example.com')).status).toBe(201);
    // An hour and a half later the urgent call-out takes 10:30, which the diagnostic could not.
    t.clock.advance(90);
    expect((await book('urgence', MONDAY, '10:30', 'paul@example.com')).status).toBe(201);
  });

  it('the artisan sets a service’s own notice (48 h for an installation), or gives it back to the business’s with null', async () => {
    const set = await admin('PATCH', '/services/entretien-chaudiere', { minNoticeMinutes: 48 * 60 });
    expect(set.status).toBe(200);
    expect(set.body.service.minNoticeMinutes).toBe(2880);
    expect(await firstFree('entretien-chaudiere', TUESDAY)).toBeUndefined();
    expect((await book('entretien-chaudiere', TUESDAY, '14:00')).body.error.code).toBe('SLOT_NOT_OFFERED');
    expect(await firstFree('entretien-chaudiere', '2027-03-03')).toBe('08:30');
    // The business's notice does not move a service that has its own…
    expect((await admin('PATCH', '/artisan', { minNoticeMinutes: 30 })).status).toBe(200);
    expect(await firstFree('entretien-chaudiere', TUESDAY)).toBeUndefined();
    expect(await firstFree('diag', MONDAY)).toBe('08:30');
    // …and moves it again once it follows the business's.
    const back = await admin('PATCH', '/services/entretien-chaudiere', { minNoticeMinutes: null });
    expect(back.body.service.minNoticeMinutes).toBeNull();
    expect(await firstFree('entretien-chaudiere', MONDAY)).toBe('08:30');
  });

  it('refuses a negative, fractional or too long notice with a French 400 on the field, and changes nothing', async () => {
    for (const minNoticeMinutes of [-5, 1.5, 43_201, 'deux heures']) {
      const res = await admin('PATCH', '/services/diag', { minNoticeMinutes });
      expect(res.status, String(minNoticeMinutes)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain('minNoticeMinutes');
    }
    expect((await admin('GET', '/services/diag')).body.service.minNoticeMinutes).toBeNull();
  });
});
