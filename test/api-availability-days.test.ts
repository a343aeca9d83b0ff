import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import { ENGINES, insertCalendarBlock, isDirectoryRead } from './helpers/db.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * GET /api/availability/days (the booking page's month calendar) against the one-day
 * availability as its oracle: for every day, the count of free slots and the first free time
 * must be what GET /api/availability says for that day. Plus the booking page's public
 * profile, the terms-of-sale consent, and the manage page's own-service availability.
 */
const START = Date.parse('2027-03-01T07:00:00Z'); // Monday 08:00 in Paris

describe.each(ENGINES)('month calendar, public profile and consent on %s', (engine) => {
  const t = serviceForSuite(engine, START);

  const oracle = async (serviceId: string, date: string) => {
    const res = await t.request('GET', `/api/availability?serviceId=${serviceId}&date=${date}`);
    expect(res.status).toBe(200);
    const free = (res.body.slots as { time: string; available: boolean }[]).filter((s) => s.available);
    return { date, freeSlots: free.length, firstFreeTime: free[0]?.time ?? null };
  };
  const days = async (serviceId: string, from: string, to: string) => t.request('GET', `/api/availability/days?serviceId=${serviceId}&from=${from}&to=${to}`);
  const dates = (from: string, n: number) => Array.from({ length: n }, (_, i) => new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10));

  it('says per day what the one-day availability says, across bookings, calendar blocks, an exception, a holiday and the DST change', async () => {
    expect((await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '08:30'))).status).toBe(201);
    expect((await t.request('POST', '/api/bookings', bookingBody('2027-03-30', '08:30', { customer: { name: 'Paul Roux', email: 'paul@example.com' } }))).status).toBe(201);
    await insertCalendarBlock(t.service.db, { start: '2027-03-04T07:00:00Z', end: '2027-03-04T16:00:00Z', summary: 'Chantier' });
    const closed = await t.request('POST', '/api/admin/exceptions', { date: '2027-03-05', closed: true }, adminHeaders());
    expect(closed.status).toBe(201);

    const res = await days('diag', '2027-03-01', '2027-04-30'); // 61 days: today, the DST weekend, Easter Monday
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ serviceId: 'diag', timezone: 'Europe/Paris', from: '2027-03-01', to: '2027-04-30' });
    const expected = [];
    for (const date of dates('2027-03-01', 61)) expected.push(await oracle('diag', date));
    expect(res.body.days).toEqual(expected);

    // Hand-checked anchors: today's first slot is after the 2 h notice; 03-03 lost its 08:30;
    // the blocked day and the closed day have nothing; Sunday nothing; Easter Monday closed.
    const byDate = Object.fromEntries((res.body.days as { date: string }[]).map((d) => [d.date, d]));
    expect(byDate['2027-03-01']).toEqual({ date: '2027-03-01', freeSlots: 14, firstFreeTime: '10:00' });
    expect(byDate['2027-03-03']).toEqual({ date: '2027-03-03', freeSlots: 16, firstFreeTime: '09:00' });
    expect(byDate['2027-03-04']).toEqual({ date: '2027-03-04', freeSlots: 2, firstFreeTime: '17:00' }); // blocked 08:00–17:00
    expect(byDate['2027-03-05']).toEqual({ date: '2027-03-05', freeSlots: 0, firstFreeTime: null });
    expect(byDate['2027-03-07']).toEqual({ date: '2027-03-07', freeSlots: 0, firstFreeTime: null });
    expect(byDate['2027-03-29']).toEqual({ date: '2027-03-29', freeSlots: 0, firstFreeTime: null }); // Easter Monday 2027
    expect(byDate['2027-03-30']).toEqual({ date: '2027-03-30', freeSlots: 16, firstFreeTime: '09:00' }); // after the DST change
    expect(byDate['2027-03-31']).toEqual({ date: '2027-03-31', freeSlots: 17, firstFreeTime: '08:30' });
  });

  it('agrees with the oracle on random ranges of every service', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('diag', 'urgence', 'entretien-chaudiere'), fc.integer({ min: -3, max: 95 }), fc.integer({ min: 1, max: 8 }), async (serviceId, offset, length) => {
        const from = dates('2027-03-01', offset + 4)[offset + 3]!;
        const range = dates(from, length);
        const res = await days(serviceId, range[0]!, range[range.length - 1]!);
        expect(res.status).toBe(200);
        const expected = [];
        for (const date of range) expected.push(await oracle(serviceId, date));
        expect(res.body.days).toEqual(expected);
      }),
      { numRuns: 12 },
    );
  });

  it('reads the database once for a whole range', async () => {
    const db = t.service.db;
    const original = db.query.bind(db);
    let queries = 0;
    db.query = ((...args: Parameters<typeof db.query>) => {
      if (!isDirectoryRead(args[0])) queries++;
      return original(...args);
    }) as typeof db.query;
    try {
      expect((await days('urgence', '2027-03-01', '2027-05-01')).status).toBe(200);
    } finally {
      db.query = original;
    }
    expect(queries).toBe(1);
  });

  it('refuses more than 62 days, an inverted range, an impossible date and an unknown service, in French', async () => {
    const tooLong = await days('diag', '2027-03-01', '2027-05-02'); // 63 days
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'to', message: 'La période demandée ne peut pas dépasser 62 jours.' }] });
    expect((await days('diag', '2027-03-01', '2027-05-01')).status).toBe(200); // 62 days
    expect((await days('diag', '2027-03-10', '2027-03-09')).body.error.details[0].field).toBe('to');
    expect((await days('diag', '2027-02-30', '2027-03-09')).body.error.details[0]).toEqual({ field: 'from', message: "Cette date n'existe pas." });
    const unknown = await days('nope', '2027-03-01', '2027-03-09');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('SERVICE_NOT_FOUND');
  });

  it('gives the booking page the artisan: name, trade, phone, zone, SMS offered, terms of sale with a version', async () => {
    const res = await t.request('GET', '/api/artisan');
    expect(res.status).toBe(200);
    expect(res.body.artisan).toMatchObject({ displayName: 'Marc Dupont - Plomberie', trade: 'Plombier chauffagiste', phone: '+33612345678', phoneText: '06 12 34 56 78', timezone: 'Europe/Paris', today: '2027-03-01', smsOffered: true });
    expect(res.body.artisan.terms.text).toContain('Conditions générales de vente');
    expect(res.body.artisan.terms.version).toMatch(/^cgv-[0-9a-f]{16}$/);

    const patch = await t.request('PATCH', '/api/admin/artisan', { plan: 'starter', trade: '  Électricien  ', termsOfSale: 'Nouvelles conditions.\nArticle 2.' }, adminHeaders());
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    expect(patch.body.artisan).toMatchObject({ trade: 'Électricien', termsOfSale: 'Nouvelles conditions.\nArticle 2.' });
    const after = (await t.request('GET', '/api/artisan')).body.artisan;
    expect(after).toMatchObject({ trade: 'Électricien', smsOffered: false, terms: { text: 'Nouvelles conditions.\nArticle 2.' } });
    expect(after.terms.version).not.toBe(res.body.artisan.terms.version);
    expect(patch.body.artisan.termsVersion).toBe(after.terms.version);
    await t.request('PATCH', '/api/admin/artisan', { plan: 'pro', trade: 'Plombier chauffagiste', termsOfSale: res.body.artisan.terms.text }, adminHeaders());
  });

  it('keeps the consent (time, terms version, policy) with the booking and returns it in the admin detail; stale terms are refused', async () => {
    const { version } = (await t.request('GET', '/api/artisan')).body.artisan.terms;
    t.clock.set('2027-03-01T07:05:00Z');
    const made = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00', { consent: { termsVersion: version } }));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const detail = await t.request('GET', `/api/admin/bookings/${made.body.booking.publicCode}`, undefined, adminHeaders());
    expect(detail.status).toBe(200);
    expect(detail.body.consent).toEqual({
      acceptedAt: '2027-03-01T08:05:00+01:00',
      termsVersion: version,
      refundPolicy: { tiers: [{ minHoursBefore: 48, refundRate: 1 }, { minHoursBefore: 24, refundRate: 0.5 }] },
    });

    const stale = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '10:00', { consent: { termsVersion: 'cgv-0000000000000000' } }));
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('TERMS_CHANGED');
    expect((await t.request('GET', '/api/availability?serviceId=diag&date=2027-03-10')).body.slots.find((s: { time: string }) => s.time === '10:00').available).toBe(true);

    // Booked without the web form (API, phone): no consent recorded, said as null.
    const bare = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '11:00'));
    expect((await t.request('GET', `/api/admin/bookings/${bare.body.booking.publicCode}`, undefined, adminHeaders())).body.consent).toBeNull();
  });

  it('the customer’s own lookup says what cancelling now refunds, and offers the slots of its own service even archived', async () => {
    const made = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '09:00'));
    const code = made.body.booking.publicCode;
    t.clock.set('2027-03-02T00:00:00Z'); // 33 h before: half of the 12,00 € deposit
    const own = await t.request('GET', `/api/bookings/public?code=${code}&email=jean@example.com`);
    expect(own.body.booking.cancellationRefund).toEqual({ refundCents: 600, retainedCents: 600, refundRate: 0.5 });
    expect(own.body.booking.refundPolicy.tiers).toHaveLength(2);

    expect((await t.request('PATCH', '/api/admin/services/diag', { isActive: false }, adminHeaders())).status).toBe(200);
    try {
      expect((await t.request('GET', '/api/availability?serviceId=diag&date=2027-03-04')).status).toBe(404);
      const day = await t.request('GET', `/api/bookings/${code}/availability?date=2027-03-04&email=jean@example.com`);
      expect(day.status, JSON.stringify(day.body)).toBe(200);
      expect(day.body.serviceId).toBe('diag');
      expect(day.body.slots.filter((s: { available: boolean }) => s.available)).toHaveLength(17);
      const month = await t.request('GET', `/api/bookings/${code}/availability/days?from=2027-03-02&to=2027-03-31&email=jean@example.com`);
      expect(month.status).toBe(200);
      expect(month.body.days.find((d: { date: string }) => d.date === '2027-03-04')).toEqual({ date: '2027-03-04', freeSlots: 17, firstFreeTime: '08:30' });
      const wrong = await t.request('GET', `/api/bookings/${code}/availability?date=2027-03-04&email=other@example.com`);
      expect(wrong.status).toBe(404);
      expect(wrong.body.error.code).toBe('BOOKING_NOT_FOUND');
    } finally {
      await t.request('PATCH', '/api/admin/services/diag', { isActive: true }, adminHeaders());
    }
  });
});
