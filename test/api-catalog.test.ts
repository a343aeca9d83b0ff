import { describe, expect, it } from 'vitest';
import { ENGINES, insertCalendarBlock } from './helpers/db.ts';
import { bookingBody, serviceForSuite, type TestService } from './helpers/service.ts';

/**
 * GET /api/services and GET /api/availability, against the demo artisan of decisions §2.
 * The clock starts on Monday 2027-03-01 08:00 in Paris (+01:00); every expected value below
 * is worked out by hand from the rules (opening 08:30–18:00, break 12:00–13:00, step 30,
 * notice 120 min, horizon 90 days => last bookable date 2027-05-30).
 */

type Res = Awaited<ReturnType<TestService['request']>>;
interface SlotOut {
  time: string;
  available: boolean;
  blockedBy: Record<string, unknown>[];
}

const START = Date.parse('2027-03-01T07:00:00Z');
const FRENCH = /[àâçéèêëîïôûùœ]|\b(le|la|les|ce|cette|de|des|du|merci|pas|invalide|obligatoire)\b/i;

function expectError(res: Res, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(Object.keys(res.body.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  expect(res.body.error.message).toMatch(FRENCH);
  const raw = JSON.stringify(res.body);
  expect(raw).not.toMatch(/\bat [\w.<>]+ \(|node_modules|SELECT|\.ts:\d+/);
}

// Wednesday (an ordinary open day): every 30 min from 08:30 while start + 30 <= 18:00,
// minus the starts overlapping [12:00, 13:00): 12:00 and 12:30. 11:30 ends at 12:00 (kept).
const DIAG_DAY = ['08:30', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30',
  '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00', '17:30'];
// 45 min: 11:30 would end 12:15 (break), 17:30 would end 18:15 (after closing).
const URGENCE_DAY = ['08:30', '09:00', '09:30', '10:00', '10:30', '11:00',
  '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00'];
// 60 min: 11:00 ends exactly at 12:00 (kept), 17:00 ends exactly at 18:00 (kept).
const ENTRETIEN_DAY = ['08:30', '09:00', '09:30', '10:00', '10:30', '11:00',
  '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00'];

const times = (slots: SlotOut[]): string[] => slots.map((s) => s.time);
const slotAt = (res: Res, time: string): SlotOut | undefined => (res.body.slots as SlotOut[]).find((s) => s.time === time);

describe.each(ENGINES)('catalogue and availability on %s', (engine) => {
  const t = serviceForSuite(engine, START);

  const availability = (serviceId: string, date: string): Promise<Res> =>
    t.request('GET', `/api/availability?serviceId=${encodeURIComponent(serviceId)}&date=${encodeURIComponent(date)}`);

  const insertBusyBlock = (start: string, end: string, summary?: string, provider?: string): Promise<void> =>
    insertCalendarBlock(t.service.db, { start, end, summary, provider });


  describe('GET /api/services', () => {
    it('lists the active services with the contract fields and a server-computed deposit', async () => {
      const res = await t.request('GET', '/api/services');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const services = res.body.services as Record<string, unknown>[];
      expect(services.map((s) => s.id)).toEqual(expect.arrayContaining(['diag', 'urgence', 'entretien-chaudiere']));
      expect(services.find((s) => s.id === 'diag')).toEqual({
        id: 'diag',
        name: 'Diagnostic et audit complet',
        description: 'Diagnostic plomberie avec rapport détaillé',
        durationMinutes: 30,
        basePriceCents: 4000,
        depositRate: 0.3,
        depositCents: 1200, // 4000 × 0.3
        isActive: true,
        // The default policy (decisions §6), written out by the booking page before paying.
        refundPolicy: { tiers: [{ minHoursBefore: 48, refundRate: 1 }, { minHoursBefore: 24, refundRate: 0.5 }] },
        atCustomer: false,
      });
      expect(services.find((s) => s.id === 'urgence')).toEqual({
        id: 'urgence',
        name: 'Intervention urgente',
        description: 'Dépannage sous 2 heures',
        durationMinutes: 45,
        basePriceCents: 12000,
        depositRate: 0.4,
        depositCents: 4800, // 12000 × 0.4
        isActive: true,
        refundPolicy: { tiers: [{ minHoursBefore: 48, refundRate: 1 }, { minHoursBefore: 24, refundRate: 0.5 }] },
        atCustomer: false,
      });
      expect(services.find((s) => s.id === 'entretien-chaudiere')).toMatchObject({
        durationMinutes: 60,
        basePriceCents: 9000,
        depositRate: 0.3,
        depositCents: 2700,
        isActive: true,
        atCustomer: true, // a visit at home: address and phone required
      });
      for (const s of services) expect(s.isActive).toBe(true);
    });

    it('hides an archived (inactive) service', async () => {
      await t.service.db.query(`UPDATE services SET is_active = false WHERE id = 'entretien-chaudiere'`);
      try {
        const res = await t.request('GET', '/api/services');
        expect(res.status).toBe(200);
        const ids = (res.body.services as { id: string }[]).map((s) => s.id);
        expect(ids).not.toContain('entretien-chaudiere');
        expect(ids).toEqual(expect.arrayContaining(['diag', 'urgence']));
      } finally {
        await t.service.db.query(`UPDATE services SET is_active = true WHERE id = 'entretien-chaudiere'`);
      }
    });
  });

  describe('GET /api/availability: slot generation', () => {
    it('answers the contract shape with the day opening and the diag grid', async () => {
      const res = await availability('diag', '2027-03-03');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ serviceId: 'diag', date: '2027-03-03' });
      expect(res.body.opening).toEqual({ startMinutes: 510, endMinutes: 1080, breakStartMinutes: 720, breakEndMinutes: 780 });
      expect(times(res.body.slots)).toEqual(DIAG_DAY);
      for (const slot of res.body.slots as SlotOut[]) expect(slot).toEqual({ time: slot.time, available: true, blockedBy: [] });
    });

    it('uses the service duration: urgence (45 min) skips 11:30 and 17:30, diag keeps both', async () => {
      const urgence = await availability('urgence', '2027-03-03');
      expect(urgence.status).toBe(200);
      expect(times(urgence.body.slots)).toEqual(URGENCE_DAY);
      expect(slotAt(urgence, '11:30')).toBeUndefined();
      expect(slotAt(urgence, '17:30')).toBeUndefined();

      const diag = await availability('diag', '2027-03-03');
      expect(slotAt(diag, '11:30')).toMatchObject({ available: true });
      expect(slotAt(diag, '17:30')).toMatchObject({ available: true });

      const entretien = await availability('entretien-chaudiere', '2027-03-03');
      expect(times(entretien.body.slots)).toEqual(ENTRETIEN_DAY);
    });

    it('omits today’s slots that start before now + 120 min (now 08:00 -> from 10:00)', async () => {
      const res = await availability('diag', '2027-03-01');
      expect(res.status).toBe(200);
      expect(times(res.body.slots)).toEqual(DIAG_DAY.filter((x) => x >= '10:00'));
      t.clock.set('2027-03-01T09:10:00Z'); // 10:10 in Paris -> notice ends 12:10 -> first slot 13:00
      const later = await availability('diag', '2027-03-01');
      expect(times(later.body.slots)).toEqual(DIAG_DAY.filter((x) => x >= '13:00'));
    });

    it('answers 200 with no slots for a past date', async () => {
      const res = await availability('diag', '2027-02-26'); // the Friday before "today"
      expect(res.status).toBe(200);
      expect(res.body.date).toBe('2027-02-26');
      expect(res.body.slots).toEqual([]);
    });

    it('offers the last day of the horizon and nothing beyond it', async () => {
      // today 2027-03-01 + 90 days = 2027-05-30 (a Sunday): Friday 05-28 is the last open day.
      const last = await availability('diag', '2027-05-28');
      expect(last.status).toBe(200);
      expect(times(last.body.slots)).toEqual(DIAG_DAY);
      const beyond = await availability('diag', '2027-05-31');
      expect(beyond.status).toBe(200);
      expect(beyond.body.slots).toEqual([]);
    });

    it('closes the weekend: opening null and no slots', async () => {
      for (const date of ['2027-03-06', '2027-03-07']) {
        const res = await availability('diag', date);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ serviceId: 'diag', date, opening: null, slots: [] });
      }
    });

    it('closes French public holidays (Easter 2027 is 03-28)', async () => {
      // Lundi de Pâques 03-29, Ascension 05-06 (Easter + 39), Victoire 1945 05-08 is a Saturday,
      // Lundi de Pentecôte 05-17 (Easter + 50).
      for (const date of ['2027-03-29', '2027-05-06', '2027-05-17']) {
        const res = await availability('diag', date);
        expect(res.status, date).toBe(200);
        expect(res.body, date).toMatchObject({ opening: null, slots: [] });
      }
      // The Thursday after Ascension is an ordinary working day.
      const ordinary = await availability('diag', '2027-05-13');
      expect(times(ordinary.body.slots)).toEqual(DIAG_DAY);
    });
  });

  describe('GET /api/availability: errors', () => {
    it.each([
      ['a missing date', '/api/availability?serviceId=diag'],
      ['a malformed date', '/api/availability?serviceId=diag&date=2027-3-1'],
      ['a French-style date', '/api/availability?serviceId=diag&date=03%2F03%2F2027'],
      ['an impossible date', '/api/availability?serviceId=diag&date=2027-02-30'],
      ['an empty serviceId', '/api/availability?serviceId=&date=2027-03-03'],
      ['a missing serviceId', '/api/availability?date=2027-03-03'],
    ])('400 VALIDATION_ERROR for %s', async (_label, url) => {
      const res = await t.request('GET', url);
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(Array.isArray(res.body.error.details)).toBe(true);
      expect(res.body.error.details.length).toBeGreaterThan(0);
    });

    it('names the faulty field in details', async () => {
      const res = await t.request('GET', '/api/availability?serviceId=diag&date=2027-02-30');
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.error.details).toEqual([{ field: 'date', message: expect.stringMatching(FRENCH) }]);
      const empty = await t.request('GET', '/api/availability?serviceId=&date=2027-03-03');
      expect(empty.body.error.details.map((d: { field: string }) => d.field)).toContain('serviceId');
    });

    it('404 SERVICE_NOT_FOUND for an unknown service', async () => {
      expectError(await availability('plomberie-inconnue', '2027-03-03'), 404, 'SERVICE_NOT_FOUND');
    });

    it('404 SERVICE_NOT_FOUND for an inactive service', async () => {
      await t.service.db.query(`UPDATE services SET is_active = false WHERE id = 'entretien-chaudiere'`);
      try {
        expectError(await availability('entretien-chaudiere', '2027-03-03'), 404, 'SERVICE_NOT_FOUND');
      } finally {
        await t.service.db.query(`UPDATE services SET is_active = true WHERE id = 'entretien-chaudiere'`);
      }
      expect((await availability('entretien-chaudiere', '2027-03-03')).status).toBe(200);
    });
  });

  describe('GET /api/availability: blockers and privacy', () => {
    it('a calendar busy block makes overlapping slots unavailable, shows the provider, hides the summary', async () => {
      await insertBusyBlock('2027-03-03T10:00:00+01:00', '2027-03-03T11:00:00+01:00');
      const res = await availability('diag', '2027-03-03');
      expect(res.status).toBe(200);
      const calendar = [{ type: 'calendar', providerId: 'google' }];
      expect(slotAt(res, '10:00')).toEqual({ time: '10:00', available: false, blockedBy: calendar });
      expect(slotAt(res, '10:30')).toEqual({ time: '10:30', available: false, blockedBy: calendar });
      // Half-open intervals: 09:30–10:00 and 11:00–11:30 only touch the block.
      expect(slotAt(res, '09:30')).toEqual({ time: '09:30', available: true, blockedBy: [] });
      expect(slotAt(res, '11:00')).toEqual({ time: '11:00', available: true, blockedBy: [] });
      expect(times(res.body.slots)).toEqual(DIAG_DAY);
      expect(JSON.stringify(res.body)).not.toContain('Chantier');

      // 45 min from 09:30 ends 10:15: it overlaps; 09:00 ends 09:45: it does not.
      const urgence = await availability('urgence', '2027-03-03');
      expect(slotAt(urgence, '09:30')).toEqual({ time: '09:30', available: false, blockedBy: calendar });
      expect(slotAt(urgence, '09:00')).toMatchObject({ available: true });
      expect(slotAt(urgence, '11:00')).toMatchObject({ available: true });
    });

    it('a busy block on another day changes nothing', async () => {
      await insertBusyBlock('2027-03-04T08:00:00+01:00', '2027-03-04T19:00:00+01:00');
      const res = await availability('diag', '2027-03-03');
      expect((res.body.slots as SlotOut[]).every((s) => s.available)).toBe(true);
      const blocked = await availability('diag', '2027-03-04');
      expect((blocked.body.slots as SlotOut[]).every((s) => !s.available)).toBe(true);
    });

    it('a booking blocks its slot and shows only {type: booking}: no code, no customer name', async () => {
      const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '14:00', { customer: { name: 'Paulette Lemoine', email: 'paulette@example.com' } }));
      expect(created.status).toBe(201);
      const code = created.body.booking.publicCode as string;

      const res = await availability('diag', '2027-03-03');
      expect(slotAt(res, '14:00')).toEqual({ time: '14:00', available: false, blockedBy: [{ type: 'booking' }] });
      expect(slotAt(res, '13:30')).toEqual({ time: '13:30', available: true, blockedBy: [] });
      expect(slotAt(res, '14:30')).toEqual({ time: '14:30', available: true, blockedBy: [] });
      const raw = JSON.stringify(res.body);
      expect(raw).not.toContain(code);
      expect(raw).not.toContain('Paulette');
      expect(raw).not.toContain('Lemoine');

      // urgence from 13:30 runs to 14:15 and overlaps the booking.
      const urgence = await availability('urgence', '2027-03-03');
      expect(slotAt(urgence, '13:30')).toEqual({ time: '13:30', available: false, blockedBy: [{ type: 'booking' }] });
      expect(slotAt(urgence, '13:00')).toMatchObject({ available: true });
    });

    it('lists every blocker of a slot (booking and calendar)', async () => {
      expect((await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '10:00'))).status).toBe(201);
      await insertBusyBlock('2027-03-03T10:15:00+01:00', '2027-03-03T10:45:00+01:00', 'RDV médecin', 'outlook');
      const res = await availability('diag', '2027-03-03');
      const slot = slotAt(res, '10:00')!;
      expect(slot.available).toBe(false);
      expect(slot.blockedBy).toHaveLength(2);
      expect(slot.blockedBy).toEqual(expect.arrayContaining([{ type: 'booking' }, { type: 'calendar', providerId: 'outlook' }]));
      expect(slotAt(res, '10:30')).toEqual({ time: '10:30', available: false, blockedBy: [{ type: 'calendar', providerId: 'outlook' }] });
      expect(JSON.stringify(res.body)).not.toContain('médecin');
    });

    it('a cancelled booking no longer blocks', async () => {
      const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '15:00'));
      expect(created.status).toBe(201);
      const code = created.body.booking.publicCode as string;
      expect(slotAt(await availability('diag', '2027-03-03'), '15:00')).toMatchObject({ available: false });
      expect((await t.request('POST', `/api/bookings/${code}/cancel`, { email: 'jean@example.com' })).status).toBe(200);
      expect(slotAt(await availability('diag', '2027-03-03'), '15:00')).toEqual({ time: '15:00', available: true, blockedBy: [] });
    });
  });

  describe('daylight saving time (Europe/Paris)', () => {
    const startsAt = async (code: string): Promise<string> =>
      (
        await t.service.db.query<{ s: string }>(
          `SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS s FROM bookings WHERE public_code = $1`,
          [code],
        )
      )[0]!.s;

    it('spring forward (Sunday 2027-03-28): +01:00 before, +02:00 after', async () => {
      const before = await t.request('POST', '/api/bookings', bookingBody('2027-03-26', '09:00'));
      expect(before.status, JSON.stringify(before.body)).toBe(201);
      expect(before.body.booking.startDateTime).toBe('2027-03-26T09:00:00+01:00');
      expect(await startsAt(before.body.booking.publicCode)).toBe('2027-03-26T08:00:00Z');

      // Monday 03-29 is Easter Monday (closed): the first working day after the change is Tuesday.
      const after = await t.request('POST', '/api/bookings', bookingBody('2027-03-30', '09:00'));
      expect(after.status, JSON.stringify(after.body)).toBe(201);
      expect(after.body.booking.startDateTime).toBe('2027-03-30T09:00:00+02:00');
      expect(after.body.booking.date).toBe('2027-03-30');
      expect(after.body.booking.time).toBe('09:00');
      expect(await startsAt(after.body.booking.publicCode)).toBe('2027-03-30T07:00:00Z');

      // The wall-clock grid is unchanged after the switch.
      const day = await availability('diag', '2027-03-30');
      expect(times(day.body.slots)).toEqual(DIAG_DAY);
      expect(slotAt(day, '09:00')).toMatchObject({ available: false });
      expect(slotAt(day, '08:30')).toMatchObject({ available: true });
    });

    it('fall back (Sunday 2027-10-31): +02:00 before, +01:00 after', async () => {
      t.clock.set('2027-10-01T06:00:00Z'); // Friday 08:00 in Paris (+02:00)
      const before = await t.request('POST', '/api/bookings', bookingBody('2027-10-29', '09:00'));
      expect(before.status, JSON.stringify(before.body)).toBe(201);
      expect(before.body.booking.startDateTime).toBe('2027-10-29T09:00:00+02:00');
      expect(await startsAt(before.body.booking.publicCode)).toBe('2027-10-29T07:00:00Z');

      // Monday 11-01 is Toussaint (closed); Tuesday 11-02 is in winter time.
      const toussaint = await availability('diag', '2027-11-01');
      expect(toussaint.body).toMatchObject({ opening: null, slots: [] });
      const after = await t.request('POST', '/api/bookings', bookingBody('2027-11-02', '09:00'));
      expect(after.status, JSON.stringify(after.body)).toBe(201);
      expect(after.body.booking.startDateTime).toBe('2027-11-02T09:00:00+01:00');
      expect(await startsAt(after.body.booking.publicCode)).toBe('2027-11-02T08:00:00Z');
      expect(times((await availability('diag', '2027-11-02')).body.slots)).toEqual(DIAG_DAY);
    });
  });
});
