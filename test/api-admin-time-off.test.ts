import { describe, expect, it } from 'vitest';
import { ENGINES, insertCalendarBlock } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * Time off by hand (GET/POST /api/admin/busy-blocks, DELETE …/{id}) and the explained
 * availability (GET /api/admin/availability). Clock: Monday 2027-03-01 08:00 Paris; busy
 * blocks and bookings are emptied before each test.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const WEDNESDAY = '2027-03-03';

describe.each(ENGINES)('admin time off and explained availability on %s', (engine) => {
  const t = serviceForSuite(engine, START);

  const post = (body: unknown) => t.request('POST', '/api/admin/busy-blocks', body, adminHeaders());
  const list = async (query = '') => {
    const res = await t.request('GET', `/api/admin/busy-blocks${query}`, undefined, adminHeaders());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.busyBlocks as any[];
  };
  const publicDay = async (date = WEDNESDAY) => (await t.request('GET', `/api/availability?serviceId=diag&date=${date}`)).body;
  const explainedDay = async (date = WEDNESDAY, serviceId = 'diag') =>
    t.request('GET', `/api/admin/availability?serviceId=${serviceId}&date=${date}`, undefined, adminHeaders());
  const slot = (day: any, time: string) => day.slots.find((s: any) => s.time === time);

  it('a manual block is stored as provider "manual" and blocks slots like a calendar event; deleting it frees them', async () => {
    const res = await post({ startDateTime: '2027-03-03T09:00:00+01:00', endDateTime: '2027-03-03T10:00:00+01:00', summary: '  Rendez-vous   médecin ' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      busyBlock: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        providerId: 'manual',
        source: 'external',
        summary: 'Rendez-vous médecin',
        startDateTime: '2027-03-03T09:00:00+01:00',
        endDateTime: '2027-03-03T10:00:00+01:00',
        deletable: true,
      },
      overlappingBookings: [],
    });
    const day = await publicDay();
    expect(slot(day, '08:30')).toEqual({ time: '08:30', available: true, blockedBy: [] });
    expect(slot(day, '09:00')).toEqual({ time: '09:00', available: false, blockedBy: [{ type: 'calendar', providerId: 'manual' }] });
    expect(slot(day, '09:30').available).toBe(false);
    expect(slot(day, '10:00').available).toBe(true);
    const refused = await t.request('POST', '/api/bookings', bookingBody(WEDNESDAY, '09:30'));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('SLOT_UNAVAILABLE');

    const del = await t.request('DELETE', `/api/admin/busy-blocks/${res.body.busyBlock.id}`, undefined, adminHeaders());
    expect(del.status).toBe(204);
    expect(slot(await publicDay(), '09:00').available).toBe(true);
    expect(await list()).toEqual([]);
  });

  it('accepts UTC or any offset and answers in the artisan zone; a summer block shows +02:00', async () => {
    const res = await post({ startDateTime: '2027-07-14T06:00:00Z', endDateTime: '2027-07-15T00:00:00+02:00', summary: 'Fête nationale' });
    expect(res.body.busyBlock).toMatchObject({ startDateTime: '2027-07-14T08:00:00+02:00', endDateTime: '2027-07-15T00:00:00+02:00' });
  });

  it('a block laid over bookings is kept, and the answer lists those bookings so they can be moved', async () => {
    const first = (await t.request('POST', '/api/bookings', bookingBody(WEDNESDAY, '14:00'))).body.booking;
    const second = (await t.request('POST', '/api/bookings', bookingBody(WEDNESDAY, '16:00', { customer: { name: 'Anne Petit', email: 'anne@example.com' } }))).body.booking;
    await t.request('POST', '/api/bookings', bookingBody(WEDNESDAY, '09:00'));
    const res = await post({ startDateTime: '2027-03-03T13:00:00+01:00', endDateTime: '2027-03-03T18:00:00+01:00', summary: 'Chantier urgent' });
    expect(res.status).toBe(201);
    expect(res.body.overlappingBookings).toEqual([
      { publicCode: first.publicCode, serviceName: 'Diagnostic et audit complet', customerName: 'Jean Martin', status: 'confirmed', startDateTime: '2027-03-03T14:00:00+01:00', endDateTime: '2027-03-03T14:30:00+01:00' },
      { publicCode: second.publicCode, serviceName: 'Diagnostic et audit complet', customerName: 'Anne Petit', status: 'confirmed', startDateTime: '2027-03-03T16:00:00+01:00', endDateTime: '2027-03-03T16:30:00+01:00' },
    ]);
    const kept = await t.request('GET', `/api/bookings/public?code=${first.publicCode}&email=jean@example.com`);
    expect(kept.body.booking.status).toBe('confirmed');
  });

  it.each([
    ['a blank summary', { summary: '   ' }, ['summary']],
    ['no summary', { summary: undefined }, ['summary']],
    ['a summary too long', { summary: 'x'.repeat(201) }, ['summary']],
    ['a start without offset', { startDateTime: '2027-03-03T09:00:00' }, ['startDateTime']],
    ['a date only', { endDateTime: '2027-03-03' }, ['endDateTime']],
    ['an impossible instant', { startDateTime: '2027-02-30T09:00:00+01:00' }, ['startDateTime']],
    ['an end before the start', { endDateTime: '2027-03-03T08:00:00+01:00' }, ['endDateTime']],
    ['an empty block', { endDateTime: '2027-03-03T09:00:00+01:00' }, ['endDateTime']],
    ['more than a year', { endDateTime: '2028-03-04T09:00:00+01:00' }, ['endDateTime']],
  ] as [string, Record<string, unknown>, string[]][])('refuses %s with 400 and French per-field details', async (_name, change, fields) => {
    const body = { startDateTime: '2027-03-03T09:00:00+01:00', endDateTime: '2027-03-03T10:00:00+01:00', summary: 'Congé', ...change };
    const res = await post(body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: any) => d.field)).toEqual(fields);
    expect(await list()).toEqual([]);
  });

  it('GET lists manual and calendar blocks by start, filtered by local days; calendar ones are not deletable here', async () => {
    await insertCalendarBlock(t.service.db, { start: '2027-03-04T09:00:00+01:00', end: '2027-03-04T11:00:00+01:00', summary: 'Chantier Google', provider: 'google' });
    await post({ startDateTime: '2027-03-02T23:30:00+01:00', endDateTime: '2027-03-03T00:30:00+01:00', summary: 'Nuit' });
    await post({ startDateTime: '2027-03-10T08:00:00+01:00', endDateTime: '2027-03-10T12:00:00+01:00', summary: 'Congé' });
    await post({ startDateTime: '2027-02-20T08:00:00+01:00', endDateTime: '2027-02-20T12:00:00+01:00', summary: 'Passé' });
    const all = await list();
    expect(all.map((b) => [b.summary, b.providerId, b.deletable])).toEqual([
      ['Nuit', 'manual', true],
      ['Chantier Google', 'google', false],
      ['Congé', 'manual', true],
    ]);
    expect((await list('?from=2027-03-03&to=2027-03-03')).map((b) => b.summary)).toEqual(['Nuit']);
    expect((await list('?from=2027-03-04&to=2027-03-09')).map((b) => b.summary)).toEqual(['Chantier Google']);
    expect((await list('?from=2027-02-01&to=2027-02-28')).map((b) => b.summary)).toEqual(['Passé']);
    expect((await t.request('GET', '/api/admin/busy-blocks?from=2027-03-05&to=2027-03-04', undefined, adminHeaders())).status).toBe(400);
    expect((await t.request('GET', '/api/admin/busy-blocks?from=hier', undefined, adminHeaders())).status).toBe(400);

    const google = all.find((b) => b.providerId === 'google');
    const res = await t.request('DELETE', `/api/admin/busy-blocks/${google.id}`, undefined, adminHeaders());
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('BUSY_BLOCK_NOT_FOUND');
    expect(await list()).toHaveLength(3);
    expect((await t.request('DELETE', '/api/admin/busy-blocks/not-a-uuid', undefined, adminHeaders())).status).toBe(400);
  });

  it('explained availability names each blocker in full; the public one keeps hiding who and what', async () => {
    const booking = (await t.request('POST', '/api/bookings', bookingBody(WEDNESDAY, '14:00'))).body.booking;
    await insertCalendarBlock(t.service.db, { start: '2027-03-03T09:00:00+01:00', end: '2027-03-03T09:30:00+01:00', summary: 'Chantier Google', provider: 'google' });
    await post({ startDateTime: '2027-03-03T16:00:00+01:00', endDateTime: '2027-03-03T17:00:00+01:00', summary: 'Dentiste' });

    const res = await explainedDay();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ serviceId: 'diag', date: WEDNESDAY, timezone: 'Europe/Paris', opening: { startMinutes: 510, endMinutes: 1080 } });
    expect(slot(res.body, '08:30')).toEqual({ time: '08:30', startDateTime: '2027-03-03T08:30:00+01:00', available: true, blockedBy: [] });
    expect(slot(res.body, '09:00').blockedBy).toEqual([{ type: 'calendar', providerId: 'google', summary: 'Chantier Google' }]);
    expect(slot(res.body, '14:00').blockedBy).toEqual([{ type: 'booking', bookingPublicCode: booking.publicCode, summary: 'Diagnostic et audit complet - Jean Martin' }]);
    expect(slot(res.body, '16:30').blockedBy).toEqual([{ type: 'calendar', providerId: 'manual', summary: 'Dentiste' }]);

    const pub = await publicDay();
    expect(pub.slots.map((s: any) => s.time)).toEqual(res.body.slots.map((s: any) => s.time));
    expect(slot(pub, '09:00').blockedBy).toEqual([{ type: 'calendar', providerId: 'google' }]);
    expect(slot(pub, '14:00').blockedBy).toEqual([{ type: 'booking' }]);
    expect(JSON.stringify(pub)).not.toMatch(/Jean|Dentiste|Chantier|AC-/);
  });

  it('explained availability answers for an archived service; unknown service 404, impossible date 400', async () => {
    await t.service.db.query(`UPDATE services SET is_active = false WHERE id = 'entretien-chaudiere'`);
    try {
      expect((await explainedDay(WEDNESDAY, 'entretien-chaudiere')).status).toBe(200);
      expect((await t.request('GET', `/api/availability?serviceId=entretien-chaudiere&date=${WEDNESDAY}`)).status).toBe(404);
    } finally {
      await t.service.db.query(`UPDATE services SET is_active = true WHERE id = 'entretien-chaudiere'`);
    }
    // Another artisan's service is as unknown as a missing one.
    await t.service.db.query(
      `INSERT INTO artisans (id, display_name, email, timezone, plan) VALUES ('00000000-0000-4000-8000-000000000001', 'Autre', 'autre@example.com', 'Europe/Paris', 'pro')`,
    );
    await t.service.db.query(
      `INSERT INTO services (id, artisan_id, name, duration_minutes, base_price_cents) VALUES ('autre-diag', '00000000-0000-4000-8000-000000000001', 'Autre', 30, 1000)`,
    );
    try {
      expect((await explainedDay(WEDNESDAY, 'autre-diag')).status).toBe(404);
    } finally {
      await t.service.db.query(`DELETE FROM services WHERE id = 'autre-diag'`);
      await t.service.db.query(`DELETE FROM artisans WHERE id = '00000000-0000-4000-8000-000000000001'`);
    }
    const unknown = await explainedDay(WEDNESDAY, 'inconnu');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('SERVICE_NOT_FOUND');
    expect((await explainedDay('2027-02-30')).status).toBe(400);
  });
});
