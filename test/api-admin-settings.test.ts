import { beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { restoreDemoSettings } from './helpers/demo-settings.ts';
import { serviceForSuite } from './helpers/service.ts';

/**
 * GET/PATCH /api/admin/artisan: the artisan's profile and schedule settings, and how a change
 * shows at once in the public availability. Clock: Monday 2027-03-01 08:00 Paris; demo week
 * Monday–Friday 08:30–18:00, break 12:00–13:00, step 30, notice 120 min, horizon 90 days.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const WEDNESDAY = '2027-03-03';
const demoWeek = (start: number, end: number) => [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startMinutes: start, endMinutes: end }));

describe.each(ENGINES)('admin schedule settings on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  beforeEach(async () => restoreDemoSettings(t.service.db));

  const admin = (method: 'GET' | 'PATCH', body?: unknown) => t.request(method, '/api/admin/artisan', body, adminHeaders());
  const times = async (date: string, serviceId = 'diag'): Promise<string[]> => {
    const res = await t.request('GET', `/api/availability?serviceId=${serviceId}&date=${date}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.slots as { time: string }[]).map((s) => s.time);
  };
  const expectValidation = (res: { status: number; body: any }, fields: string[]) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect((res.body.error.details as { field: string }[]).map((d) => d.field)).toEqual(fields);
    for (const d of res.body.error.details) expect(d.message).toMatch(/[àâçéèêëîïôûùœ]|\b(le|la|les|ce|cette|de|des|du|pas|doit)\b/i);
  };

  it('GET shows the profile, the weekly rules with ids and the public holidays up to the horizon', async () => {
    const res = await admin('GET');
    expect(res.status).toBe(200);
    const a = res.body.artisan;
    expect(a).toMatchObject({
      displayName: 'Marc Dupont - Plomberie',
      email: 'marc.dupont@artisanconnect.test',
      phone: '+33612345678',
      timezone: 'Europe/Paris',
      plan: 'pro',
      slotStepMinutes: 30,
      minNoticeMinutes: 120,
      bookingHorizonDays: 90,
      closedOnPublicHolidays: true,
    });
    expect(a.openingRules).toHaveLength(5);
    expect(a.openingRules[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), dayOfWeek: 1, startMinutes: 510, endMinutes: 1080 });
    expect(a.breakRules.map((r: any) => [r.dayOfWeek, r.startMinutes, r.endMinutes])).toEqual([1, 2, 3, 4, 5].map((d) => [d, 720, 780]));
    // 2027: Easter is 28 March; horizon 2027-03-01 + 90 days = 2027-05-30.
    expect(a.upcomingPublicHolidays).toEqual([
      { date: '2027-03-29', name: 'Lundi de Pâques', closed: true },
      { date: '2027-05-01', name: 'Fête du Travail', closed: true },
      { date: '2027-05-06', name: 'Ascension', closed: true },
      { date: '2027-05-08', name: 'Victoire 1945', closed: true },
      { date: '2027-05-17', name: 'Lundi de Pentecôte', closed: true },
    ]);
  });

  it('PATCH changes only what it is given, normalises e-mail and phone, and can clear the phone', async () => {
    const res = await admin('PATCH', { displayName: '  Marc   Dupont ', email: '  Marc.Dupont@Example.FR ', phone: '06 12 34 56 79', plan: 'business' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.artisan).toMatchObject({ displayName: 'Marc Dupont', email: 'marc.dupont@example.fr', phone: '+33612345679', plan: 'business', slotStepMinutes: 30 });
    expect(res.body.artisan.openingRules).toHaveLength(5);
    expect((await admin('GET')).body.artisan).toMatchObject({ email: 'marc.dupont@example.fr', phone: '+33612345679' });
    const cleared = await admin('PATCH', { phone: null });
    expect(cleared.body.artisan.phone).toBeNull();
    expect((await admin('PATCH', {})).status).toBe(200);
  });

  it.each([
    ['unknown time zone', { timezone: 'Mars/Olympus_Mons' }, ['timezone']],
    ['a fixed offset is not an IANA zone', { timezone: '+01:00' }, ['timezone']],
    ['invalid phone', { phone: '12' }, ['phone']],
    ['invalid e-mail', { email: 'marc@' }, ['email']],
    ['unknown plan', { plan: 'gold' }, ['plan']],
    ['slot step under 5', { slotStepMinutes: 3 }, ['slotStepMinutes']],
    ['slot step not whole', { slotStepMinutes: 7.5 }, ['slotStepMinutes']],
    ['horizon beyond 730 days', { bookingHorizonDays: 731 }, ['bookingHorizonDays']],
    ['horizon 0', { bookingHorizonDays: 0 }, ['bookingHorizonDays']],
    ['negative notice', { minNoticeMinutes: -5 }, ['minNoticeMinutes']],
    ['empty display name', { displayName: '   ' }, ['displayName']],
    ['day 7', { openingRules: [{ dayOfWeek: 7, startMinutes: 510, endMinutes: 1080 }] }, ['openingRules.0.dayOfWeek']],
    ['end past 24:00', { openingRules: [{ dayOfWeek: 1, startMinutes: 510, endMinutes: 1500 }] }, ['openingRules.0.endMinutes']],
    ['inverted range', { openingRules: [...demoWeek(510, 1080), { dayOfWeek: 6, startMinutes: 720, endMinutes: 600 }] }, ['openingRules.5.endMinutes']],
    ['overlapping ranges on one day', { openingRules: [...demoWeek(510, 1080), { dayOfWeek: 3, startMinutes: 1000, endMinutes: 1200 }] }, ['openingRules.5']],
    ['overlapping breaks', { breakRules: [...demoWeek(720, 780), { dayOfWeek: 2, startMinutes: 750, endMinutes: 800 }] }, ['breakRules.5']],
    ['a break outside opening hours', { breakRules: [{ dayOfWeek: 6, startMinutes: 720, endMinutes: 780 }] }, ['breakRules.0']],
    ['closing a day that still has a break', { openingRules: demoWeek(510, 1080).filter((r) => r.dayOfWeek !== 3) }, ['breakRules.2']],
  ] as [string, Record<string, unknown>, string[]][])('PATCH refuses %s with 400 and French per-field details, writing nothing', async (_name, body, fields) => {
    const res = await admin('PATCH', { minNoticeMinutes: 60, ...body });
    expectValidation(res, fields);
    expect((await admin('GET')).body.artisan.minNoticeMinutes).toBe(120);
  });

  it('replacing the weekly rules changes the public availability at once: several ranges a day, step, closed day', async () => {
    expect(await times(WEDNESDAY)).toContain('08:30');
    const split = await admin('PATCH', {
      openingRules: [...demoWeek(510, 1080).filter((r) => r.dayOfWeek !== 3), { dayOfWeek: 3, startMinutes: 540, endMinutes: 720 }, { dayOfWeek: 3, startMinutes: 840, endMinutes: 990 }],
      breakRules: [...demoWeek(720, 780).filter((r) => r.dayOfWeek !== 3), { dayOfWeek: 3, startMinutes: 600, endMinutes: 630 }],
      slotStepMinutes: 60,
    });
    expect(split.status, JSON.stringify(split.body)).toBe(200);
    expect(split.body.artisan.openingRules.filter((r: any) => r.dayOfWeek === 3)).toHaveLength(2);
    const res = await t.request('GET', `/api/availability?serviceId=diag&date=${WEDNESDAY}`);
    expect(res.body.opening).toEqual({
      startMinutes: 540,
      endMinutes: 990,
      breakStartMinutes: 600,
      breakEndMinutes: 630,
      ranges: [{ startMinutes: 540, endMinutes: 720 }, { startMinutes: 840, endMinutes: 990 }],
      breaks: [{ startMinutes: 600, endMinutes: 630 }],
    });
    // 09:00–12:00 every hour minus the 10:00–10:30 break, then 14:00–16:30.
    expect(res.body.slots.map((s: any) => s.time)).toEqual(['09:00', '11:00', '14:00', '15:00', '16:00']);
    expect(await times('2027-03-04')).toEqual(['08:30', '09:30', '10:30', '11:30', '13:30', '14:30', '15:30', '16:30', '17:30']);

    const closed = await admin('PATCH', { openingRules: demoWeek(510, 1080).filter((r) => r.dayOfWeek !== 3), breakRules: demoWeek(720, 780).filter((r) => r.dayOfWeek !== 3) });
    expect(closed.status).toBe(200);
    const day = await t.request('GET', `/api/availability?serviceId=diag&date=${WEDNESDAY}`);
    expect(day.body).toMatchObject({ opening: null, slots: [] });
  });

  it('opens a Saturday, and minimum notice and horizon apply as changed', async () => {
    expect(await times('2027-03-06')).toEqual([]);
    await admin('PATCH', { openingRules: [...demoWeek(510, 1080), { dayOfWeek: 6, startMinutes: 540, endMinutes: 660 }] });
    expect(await times('2027-03-06')).toEqual(['09:00', '09:30', '10:00', '10:30']);
    // Today 08:00: with 120 min notice the first slot is 10:00; with 0, 08:30.
    expect((await times('2027-03-01'))[0]).toBe('10:00');
    await admin('PATCH', { minNoticeMinutes: 0 });
    expect((await times('2027-03-01'))[0]).toBe('08:30');
    expect(await times('2027-05-31')).toEqual([]);
    await admin('PATCH', { bookingHorizonDays: 91 });
    expect((await times('2027-05-31'))[0]).toBe('08:30');
  });

  it('public holidays: closed by default, open once the artisan says so (computed for any year)', async () => {
    const easterMonday = '2027-03-29';
    expect((await t.request('GET', `/api/availability?serviceId=diag&date=${easterMonday}`)).body).toMatchObject({ opening: null, slots: [] });
    const res = await admin('PATCH', { closedOnPublicHolidays: false, bookingHorizonDays: 730 });
    expect(res.status).toBe(200);
    expect(res.body.artisan.upcomingPublicHolidays.every((h: any) => h.closed === false)).toBe(true);
    // 2028: Easter is 16 April, so Ascension is 25 May and Whit Monday 5 June.
    expect(res.body.artisan.upcomingPublicHolidays.map((h: any) => h.date)).toEqual(expect.arrayContaining(['2028-04-17', '2028-05-25', '2028-06-05', '2028-12-25']));
    expect((await times(easterMonday))[0]).toBe('08:30');
    await admin('PATCH', { closedOnPublicHolidays: true });
    expect(await times('2028-06-05')).toEqual([]);
  });

  it('DST: once the horizon reaches them, the Paris change-over Sundays offer the right local times and offsets', async () => {
    const sunday = { dayOfWeek: 0, startMinutes: 60, endMinutes: 300 }; // 01:00–05:00 local
    expect(await times('2027-10-31')).toEqual([]); // beyond the 90-day horizon
    const res = await admin('PATCH', { openingRules: [...demoWeek(510, 1080), sunday], bookingHorizonDays: 300 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);

    const explained = async (date: string) => {
      const r = await t.request('GET', `/api/admin/availability?serviceId=diag&date=${date}`, undefined, adminHeaders());
      expect(r.status).toBe(200);
      return (r.body.slots as { time: string; startDateTime: string }[]).map((s) => `${s.time} ${s.startDateTime}`);
    };
    // 28 March: 02:00 jumps to 03:00, so 02:00 and 02:30 do not exist.
    expect(await times('2027-03-28')).toEqual(['01:00', '01:30', '03:00', '03:30', '04:00', '04:30']);
    expect(await explained('2027-03-28')).toEqual([
      '01:00 2027-03-28T01:00:00+01:00',
      '01:30 2027-03-28T01:30:00+01:00',
      '03:00 2027-03-28T03:00:00+02:00',
      '03:30 2027-03-28T03:30:00+02:00',
      '04:00 2027-03-28T04:00:00+02:00',
      '04:30 2027-03-28T04:30:00+02:00',
    ]);
    // 31 October: 03:00 goes back to 02:00; the repeated 02:00 and 02:30 are offered once (first, +02:00).
    expect(await explained('2027-10-31')).toEqual([
      '01:00 2027-10-31T01:00:00+02:00',
      '01:30 2027-10-31T01:30:00+02:00',
      '02:00 2027-10-31T02:00:00+02:00',
      '02:30 2027-10-31T02:30:00+02:00',
      '03:00 2027-10-31T03:00:00+01:00',
      '03:30 2027-10-31T03:30:00+01:00',
      '04:00 2027-10-31T04:00:00+01:00',
      '04:30 2027-10-31T04:30:00+01:00',
    ]);
    const book = async (date: string, time: string) => {
      const r = await t.request('POST', '/api/bookings', { serviceId: 'diag', date, time, customer: { name: 'Jean Martin', email: 'jean@example.com' } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.booking;
    };
    expect((await book('2027-03-28', '01:30')).startDateTime).toBe('2027-03-28T01:30:00+01:00');
    expect(await book('2027-03-28', '03:00')).toMatchObject({ startDateTime: '2027-03-28T03:00:00+02:00', endDateTime: '2027-03-28T03:30:00+02:00' });
    // 02:30 (+02:00) lasts 30 real minutes: it ends at the second 02:00 (+01:00).
    expect(await book('2027-10-31', '02:30')).toMatchObject({ startDateTime: '2027-10-31T02:30:00+02:00', endDateTime: '2027-10-31T02:00:00+01:00' });
    expect((await book('2027-10-31', '03:00')).startDateTime).toBe('2027-10-31T03:00:00+01:00');
    const march = await t.request('POST', '/api/bookings', { serviceId: 'diag', date: '2027-03-28', time: '02:30', customer: { name: 'Jean Martin', email: 'jean@example.com' } });
    expect(march.body.error.code).toBe('SLOT_NOT_OFFERED');
  });
});
