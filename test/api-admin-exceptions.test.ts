import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { serviceForSuite } from './helpers/service.ts';

/**
 * Dated exceptions (GET/POST /api/admin/exceptions, DELETE /api/admin/exceptions/{id}):
 * a closed day or special hours, one per date, shown at once in the public availability.
 * Clock: Monday 2027-03-01 08:00 Paris; the bookings side (exceptions included) is emptied
 * before each test.
 */
const START = Date.parse('2027-03-01T07:00:00Z');

describe.each(ENGINES)('admin exceptions on %s', (engine) => {
  const t = serviceForSuite(engine, START);

  const post = (body: unknown) => t.request('POST', '/api/admin/exceptions', body, adminHeaders());
  const day = async (date: string) => {
    const res = await t.request('GET', `/api/availability?serviceId=diag&date=${date}`);
    expect(res.status).toBe(200);
    return { opening: res.body.opening, times: (res.body.slots as { time: string }[]).map((s) => s.time) };
  };

  it('a closed day closes the public availability; deleting it reopens the day', async () => {
    expect((await day('2027-03-03')).times).toHaveLength(17);
    const res = await post({ date: '2027-03-03', closed: true });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.exception).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), date: '2027-03-03', closed: true, ranges: [] });
    expect(await day('2027-03-03')).toEqual({ opening: null, times: [] });

    const list = await t.request('GET', '/api/admin/exceptions', undefined, adminHeaders());
    expect(list.status).toBe(200);
    expect(list.body.exceptions).toEqual([res.body.exception]);

    const del = await t.request('DELETE', `/api/admin/exceptions/${res.body.exception.id}`, undefined, adminHeaders());
    expect(del.status).toBe(204);
    expect((await day('2027-03-03')).times).toHaveLength(17);
    const again = await t.request('DELETE', `/api/admin/exceptions/${res.body.exception.id}`, undefined, adminHeaders());
    expect(again.status).toBe(404);
    expect(again.body.error).toMatchObject({ code: 'EXCEPTION_NOT_FOUND', message: expect.stringMatching(/introuvable/) });
  });

  it('special hours replace the weekly ranges and breaks, sorted, several ranges allowed', async () => {
    const res = await post({ date: '2027-03-04', ranges: [{ startMinutes: 840, endMinutes: 960 }, { startMinutes: 600, endMinutes: 720 }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.exception.ranges).toEqual([{ startMinutes: 600, endMinutes: 720 }, { startMinutes: 840, endMinutes: 960 }]);
    expect(await day('2027-03-04')).toEqual({
      opening: {
        startMinutes: 600,
        endMinutes: 960,
        breakStartMinutes: null,
        breakEndMinutes: null,
        ranges: [{ startMinutes: 600, endMinutes: 720 }, { startMinutes: 840, endMinutes: 960 }],
        breaks: [],
      },
      times: ['10:00', '10:30', '11:00', '11:30', '14:00', '14:30', '15:00', '15:30'],
    });
  });

  it('an exception opens a public holiday or a Saturday', async () => {
    expect(await day('2027-03-29')).toEqual({ opening: null, times: [] }); // Easter Monday
    await post({ date: '2027-03-29', ranges: [{ startMinutes: 540, endMinutes: 660 }] });
    expect((await day('2027-03-29')).times).toEqual(['09:00', '09:30', '10:00', '10:30']);
    await post({ date: '2027-03-06', ranges: [{ startMinutes: 480, endMinutes: 540 }] });
    expect((await day('2027-03-06')).times).toEqual(['08:00', '08:30']);
    const settings = await t.request('GET', '/api/admin/artisan', undefined, adminHeaders());
    expect(settings.body.artisan.upcomingPublicHolidays[0]).toEqual({ date: '2027-03-29', name: 'Lundi de Pâques', closed: false });
  });

  it('one exception per date: a second one is 409 with a French message, and the first stays', async () => {
    expect((await post({ date: '2027-03-05', closed: true })).status).toBe(201);
    const res = await post({ date: '2027-03-05', ranges: [{ startMinutes: 600, endMinutes: 700 }] });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'EXCEPTION_EXISTS', message: expect.stringContaining('2027-03-05') });
    expect(await day('2027-03-05')).toEqual({ opening: null, times: [] });
  });

  it.each([
    ['a date already past', { date: '2027-02-28', closed: true }, ['date']],
    ['an impossible date', { date: '2027-02-30', closed: true }, ['date']],
    ['a malformed date', { date: '3/3/2027', closed: true }, ['date']],
    ['neither closed nor ranges', { date: '2027-03-10' }, ['ranges']],
    ['closed with ranges', { date: '2027-03-10', closed: true, ranges: [{ startMinutes: 600, endMinutes: 700 }] }, ['ranges']],
    ['inverted range', { date: '2027-03-10', ranges: [{ startMinutes: 700, endMinutes: 600 }] }, ['ranges.0.endMinutes']],
    ['overlapping ranges', { date: '2027-03-10', ranges: [{ startMinutes: 600, endMinutes: 700 }, { startMinutes: 650, endMinutes: 800 }] }, ['ranges.1']],
    ['a range past 24:00', { date: '2027-03-10', ranges: [{ startMinutes: 600, endMinutes: 1441 }] }, ['ranges.0.endMinutes']],
  ])('refuses %s with 400 and per-field details', async (_name, body, fields) => {
    const res = await post(body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(fields);
    const list = await t.request('GET', '/api/admin/exceptions?from=2027-01-01', undefined, adminHeaders());
    expect(list.body.exceptions).toEqual([]);
  });

  it('today is accepted; GET filters by from/to and starts today by default', async () => {
    for (const date of ['2027-03-01', '2027-03-15', '2027-04-15']) expect((await post({ date, closed: true })).status).toBe(201);
    const dates = async (query: string) =>
      (await t.request('GET', `/api/admin/exceptions${query}`, undefined, adminHeaders())).body.exceptions.map((e: { date: string }) => e.date);
    expect(await dates('')).toEqual(['2027-03-01', '2027-03-15', '2027-04-15']);
    expect(await dates('?from=2027-03-02&to=2027-03-31')).toEqual(['2027-03-15']);
    t.clock.set('2027-03-02T07:00:00Z');
    expect(await dates('')).toEqual(['2027-03-15', '2027-04-15']);
    expect((await t.request('GET', '/api/admin/exceptions?from=2027-13-01', undefined, adminHeaders())).status).toBe(400);
  });

  it('DELETE with an id that is not a UUID is 400; an unknown one is 404', async () => {
    expect((await t.request('DELETE', '/api/admin/exceptions/abc', undefined, adminHeaders())).status).toBe(400);
    const res = await t.request('DELETE', '/api/admin/exceptions/00000000-0000-4000-8000-000000000000', undefined, adminHeaders());
    expect(res.status).toBe(404);
  });
});
