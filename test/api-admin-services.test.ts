import { beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { restoreDemoSettings } from './helpers/demo-settings.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * The artisan's catalogue (GET/POST /api/admin/services, GET/PATCH/DELETE …/{id}): archive
 * instead of delete once booked, bookings keep what they were made with, per-service refund
 * policy and travel buffers. Clock: Monday 2027-03-01 08:00 Paris.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const WEDNESDAY = '2027-03-03';

describe.each(ENGINES)('admin services on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  beforeEach(async () => restoreDemoSettings(t.service.db));

  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  const book = async (date: string, time: string, serviceId = 'diag') => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time, { serviceId }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking;
  };
  const slots = async (serviceId: string, date = WEDNESDAY) => {
    const res = await t.request('GET', `/api/availability?serviceId=${serviceId}&date=${date}`);
    expect(res.status).toBe(200);
    return Object.fromEntries((res.body.slots as { time: string; available: boolean }[]).map((s) => [s.time, s.available]));
  };

  it('GET lists every service with its settings, archived ones included', async () => {
    await admin('PATCH', '/services/entretien-chaudiere', { isActive: false });
    const res = await admin('GET', '/services');
    expect(res.status).toBe(200);
    expect(res.body.services.map((s: any) => [s.id, s.isActive])).toEqual([['diag', true], ['urgence', true], ['entretien-chaudiere', false]]);
    expect(res.body.services[0]).toEqual({
      id: 'diag',
      name: 'Diagnostic et audit complet',
      description: 'Diagnostic plomberie avec rapport détaillé',
      durationMinutes: 30,
      basePriceCents: 4000,
      depositRate: 0.3,
      depositCents: 1200,
      isActive: true,
      bufferBeforeMinutes: 0,
      bufferAfterMinutes: 0,
      refundPolicy: null,
      minNoticeMinutes: null, // the business's
      atCustomer: false, // the contract's example: booked with a name and an e-mail
    });
    // What null stands for: decisions §6 (48 h or more: full refund; 24–48 h: half; later: kept).
    expect(res.body.defaultRefundPolicy).toEqual({ tiers: [{ minHoursBefore: 48, refundRate: 1 }, { minHoursBefore: 24, refundRate: 0.5 }] });
    const publicIds = (await t.request('GET', '/api/services')).body.services.map((s: any) => s.id);
    expect(publicIds).toEqual(['diag', 'urgence']);
    expect((await t.request('GET', `/api/availability?serviceId=entretien-chaudiere&date=${WEDNESDAY}`)).status).toBe(404);
    expect((await admin('GET', '/services/entretien-chaudiere')).body.service.isActive).toBe(false);
  });

  it('POST creates a service (id given or derived from the name) that customers can book at once', async () => {
    const res = await admin('POST', '/services', { name: '  Pose de chauffe-eau électrique ', durationMinutes: 90, basePriceCents: 25000, depositRate: 0.2 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.service).toMatchObject({
      id: 'pose-de-chauffe-eau-electrique',
      name: 'Pose de chauffe-eau électrique',
      description: null,
      durationMinutes: 90,
      depositCents: 5000,
      isActive: true,
      refundPolicy: null,
    });
    const pub = (await t.request('GET', '/api/services')).body.services;
    expect(pub.map((s: any) => s.id)).toEqual(['diag', 'urgence', 'entretien-chaudiere', 'pose-de-chauffe-eau-electrique']);
    // 90 min: 10:30 ends at 12:00 (kept), 16:30 ends at 18:00 (kept).
    expect(Object.keys(await slots('pose-de-chauffe-eau-electrique'))).toEqual(['08:30', '09:00', '09:30', '10:00', '10:30', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30']);
    const booking = await book(WEDNESDAY, '14:00', 'pose-de-chauffe-eau-electrique');
    expect(booking).toMatchObject({ durationMinutes: 90, priceCents: 25000, deposit: { amountCents: 5000, rate: 0.2 } });

    const withId = await admin('POST', '/services', { id: 'recherche-fuite', name: 'Recherche de fuite', durationMinutes: 60, basePriceCents: 15000 });
    expect(withId.status).toBe(201);
    expect(withId.body.service).toMatchObject({ id: 'recherche-fuite', depositRate: 0.3, depositCents: 4500 });
  });

  it('POST on an id already used is 409 SERVICE_ID_TAKEN, given or derived', async () => {
    const given = await admin('POST', '/services', { id: 'diag', name: 'Autre diagnostic', durationMinutes: 30, basePriceCents: 1000 });
    expect(given.status).toBe(409);
    expect(given.body.error).toMatchObject({ code: 'SERVICE_ID_TAKEN', message: expect.stringContaining('« diag »') });
    expect((await admin('POST', '/services', { name: 'Intervention urgente', durationMinutes: 30, basePriceCents: 1 })).status).toBe(201);
    const derived = await admin('POST', '/services', { name: 'Intervention Urgente !', durationMinutes: 30, basePriceCents: 1 });
    expect(derived.status).toBe(409);
    expect((await admin('GET', '/services/diag')).body.service.name).toBe('Diagnostic et audit complet');
  });

  const valid = { name: 'Détartrage', durationMinutes: 60, basePriceCents: 8000 };
  it.each([
    ['missing name', { durationMinutes: 60, basePriceCents: 8000 }, ['name']],
    ['blank name', { ...valid, name: '   ' }, ['name']],
    ['id with spaces', { ...valid, id: 'mon service' }, ['id']],
    ['duration under 5 minutes', { ...valid, durationMinutes: 0 }, ['durationMinutes']],
    ['duration over a day', { ...valid, durationMinutes: 1441 }, ['durationMinutes']],
    ['negative price', { ...valid, basePriceCents: -1 }, ['basePriceCents']],
    ['price in euros with decimals', { ...valid, basePriceCents: 80.5 }, ['basePriceCents']],
    ['deposit rate over 1', { ...valid, depositRate: 1.5 }, ['depositRate']],
    ['buffer over 4 h', { ...valid, bufferAfterMinutes: 241 }, ['bufferAfterMinutes']],
    ['negative buffer', { ...valid, bufferBeforeMinutes: -10 }, ['bufferBeforeMinutes']],
    ['refund rate over 1', { ...valid, refundPolicy: { tiers: [{ minHoursBefore: 48, refundRate: 2 }] } }, ['refundPolicy.tiers.0.refundRate']],
    ['a later cancellation refunded more', { ...valid, refundPolicy: { tiers: [{ minHoursBefore: 48, refundRate: 0.5 }, { minHoursBefore: 24, refundRate: 1 }] } }, ['refundPolicy.tiers.1.refundRate']],
    ['two tiers at the same delay', { ...valid, refundPolicy: { tiers: [{ minHoursBefore: 24, refundRate: 1 }, { minHoursBefore: 24, refundRate: 0.5 }] } }, ['refundPolicy.tiers.1.minHoursBefore']],
  ] as [string, Record<string, unknown>, string[]][])('POST refuses %s with 400 and per-field details', async (_name, body, fields) => {
    const res = await admin('POST', '/services', body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: any) => d.field)).toEqual(fields);
    expect((await admin('GET', '/services')).body.services).toHaveLength(3);
  });

  it('PATCH is partial; unknown id 404; archiving hides the service from customers, reactivating shows it again', async () => {
    const res = await admin('PATCH', '/services/urgence', { basePriceCents: 15000, description: null });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.service).toMatchObject({ name: 'Intervention urgente', description: null, basePriceCents: 15000, depositRate: 0.4, depositCents: 6000 });
    expect((await t.request('GET', '/api/services')).body.services.find((s: any) => s.id === 'urgence')).toMatchObject({ basePriceCents: 15000, depositCents: 6000 });
    expect((await admin('PATCH', '/services/nope', { isActive: false })).status).toBe(404);
    expect((await admin('PATCH', '/services/urgence', { depositRate: -0.1 })).status).toBe(400);

    await admin('PATCH', '/services/urgence', { isActive: false });
    expect((await t.request('GET', '/api/services')).body.services.map((s: any) => s.id)).not.toContain('urgence');
    const refused = await t.request('POST', '/api/bookings', bookingBody(WEDNESDAY, '09:00', { serviceId: 'urgence' }));
    expect(refused.body.error.code).toBe('SERVICE_NOT_FOUND');
    await admin('PATCH', '/services/urgence', { isActive: true });
    await book(WEDNESDAY, '09:00', 'urgence');
  });

  it('an existing booking keeps the duration, price, deposit and refund policy it was made with', async () => {
    const booking = await book('2027-03-01', '14:00');
    const res = await admin('PATCH', '/services/diag', {
      durationMinutes: 60,
      basePriceCents: 8000,
      depositRate: 0.5,
      refundPolicy: { tiers: [{ minHoursBefore: 0, refundRate: 1 }] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.service.refundPolicy).toEqual({ tiers: [{ minHoursBefore: 0, refundRate: 1 }] });
    const lookup = await t.request('GET', `/api/bookings/public?code=${booking.publicCode}&email=jean@example.com`);
    expect(lookup.body.booking).toMatchObject({
      durationMinutes: 30,
      priceCents: 4000,
      endDateTime: '2027-03-01T14:30:00+01:00',
      deposit: { amountCents: 1200, rate: 0.3 },
    });
    // Cancelled 6 h before: the default policy it was booked under keeps the deposit.
    const cancelled = await t.request('POST', `/api/bookings/${booking.publicCode}/cancel`, { email: 'jean@example.com' });
    expect(cancelled.body.refund).toEqual({ refundCents: 0, retainedCents: 1200, refundRate: 0, alreadyRefundedCents: 0 });
    // A booking made under the new policy is refunded in full at the same lead time.
    const later = await book('2027-03-01', '15:00');
    expect(later).toMatchObject({ durationMinutes: 60, priceCents: 8000, deposit: { amountCents: 4000, rate: 0.5 } });
    const again = await t.request('POST', `/api/bookings/${later.publicCode}/cancel`, { email: 'jean@example.com' });
    expect(again.body.refund).toEqual({ refundCents: 4000, retainedCents: 0, refundRate: 1, alreadyRefundedCents: 0 });
    const reset = await admin('PATCH', '/services/diag', { refundPolicy: null });
    expect(reset.body.service.refundPolicy).toBeNull();
  });

  it('buffers block travel time around bookings without changing what the customer books', async () => {
    await book(WEDNESDAY, '10:00'); // diag, no buffers: occupies 10:00–10:30
    expect(await slots('diag')).toMatchObject({ '09:30': true, '10:00': false, '10:30': true });
    const res = await admin('PATCH', '/services/diag', { bufferBeforeMinutes: 30, bufferAfterMinutes: 30 });
    expect(res.body.service).toMatchObject({ bufferBeforeMinutes: 30, bufferAfterMinutes: 30, durationMinutes: 30 });
    // A diag now needs [start − 30, end + 30) free: 09:30 and 10:30 touch the 10:00 booking.
    expect(await slots('diag')).toMatchObject({ '09:00': true, '09:30': false, '10:00': false, '10:30': false, '11:00': true });

    const buffered = await book(WEDNESDAY, '15:00'); // blocks 14:30–16:00 of the artisan's day
    expect(buffered).toMatchObject({ startDateTime: '2027-03-03T15:00:00+01:00', endDateTime: '2027-03-03T15:30:00+01:00', durationMinutes: 30, priceCents: 4000 });
    // urgence (45 min, no buffers of its own) cannot end after 14:30 nor start before 16:00.
    expect(await slots('urgence')).toMatchObject({ '13:30': true, '14:00': false, '14:30': false, '15:30': false, '16:00': true });
    const explained = await t.request('GET', `/api/admin/availability?serviceId=urgence&date=${WEDNESDAY}`, undefined, adminHeaders());
    expect(explained.body.slots.find((s: any) => s.time === '14:00').blockedBy).toEqual([
      { type: 'booking', bookingPublicCode: buffered.publicCode, summary: 'Diagnostic et audit complet - Jean Martin' },
    ]);
  });

  it('DELETE removes a service never booked; one with bookings (even cancelled) is 409, to be archived instead', async () => {
    await admin('POST', '/services', { id: 'essai', name: 'Essai', durationMinutes: 30, basePriceCents: 0 });
    expect((await admin('DELETE', '/services/essai')).status).toBe(204);
    expect((await admin('GET', '/services/essai')).status).toBe(404);
    expect((await admin('DELETE', '/services/essai')).status).toBe(404);

    const booking = await book(WEDNESDAY, '09:00');
    await t.request('POST', `/api/bookings/${booking.publicCode}/cancel`, { email: 'jean@example.com' });
    const res = await admin('DELETE', '/services/diag');
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'SERVICE_HAS_BOOKINGS', message: expect.stringMatching(/Archivez-la/) });
    expect((await admin('GET', '/services/diag')).status).toBe(200);
  });
});
