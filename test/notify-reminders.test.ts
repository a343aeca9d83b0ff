import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';
import { adminHeaders } from './helpers/admin.ts';

/**
 * Reminders are outbox rows due `reminder_hours_before` (24 by default) before the start, on
 * the service's clock. Without SMTP/Twilio the embedded mailbox keeps every message, and the
 * artisan reads it at GET /api/admin/messages. Booking: diag Wednesday 2027-03-10 09:00 Paris
 * (08:00Z); clock: Monday 2027-03-01 07:00Z.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'jean@example.com';

describe.each(ENGINES)('reminders and the mailbox on %s', (engine) => {
  const t = serviceForSuite(engine, START);

  const book = async (date = '2027-03-10', time = '09:00', overrides: Record<string, unknown> = {}) => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time, { customer: { name: 'Jean Martin', email: EMAIL, phone: '+33612345678' }, notifications: { email: true, sms: true }, ...overrides }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };
  const drain = async () => {
    while ((await t.service.worker.runOnce()) > 0);
  };
  const messages = async (query = '') => {
    const res = await t.request('GET', `/api/admin/messages${query}`, undefined, adminHeaders());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { total: number; messages: { kind: string; channel: string; to: string; subject: string | null; text: string; recipientKind: string; bookingCode: string }[] };
  };
  const reminders = async (code: string) => (await messages(`?bookingCode=${code}`)).messages.filter((m) => m.kind === 'reminder');

  it('fires once, 24 h before, by e-mail and SMS', async () => {
    const code = await book();
    await drain();
    expect(await reminders(code)).toHaveLength(0);
    t.clock.set('2027-03-09T07:59:00Z');
    await drain();
    expect(await reminders(code)).toHaveLength(0);
    t.clock.set('2027-03-09T08:00:00Z');
    await drain();
    const sent = await reminders(code);
    expect(sent.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
    const mail = sent.find((m) => m.channel === 'email')!;
    expect(mail.subject).toBe('Rappel : votre rendez-vous du mercredi 10 mars 2027 à 9 h');
    expect(mail.to).toBe(EMAIL);
    expect(sent.find((m) => m.channel === 'sms')!.text).toContain('Rappel Marc Dupont - Plomberie : RDV le mer. 10/03 à 9 h');
    t.clock.advance(60);
    await drain();
    expect(await reminders(code)).toHaveLength(2);
  });

  it('moves with a reschedule', async () => {
    const code = await book();
    const moved = await t.request('POST', `/api/bookings/${code}/reschedule`, { email: EMAIL, newDate: '2027-03-11', newTime: '10:00' });
    expect(moved.status).toBe(200);
    t.clock.set('2027-03-09T08:30:00Z'); // the old reminder's time
    await drain();
    expect(await reminders(code)).toHaveLength(0);
    t.clock.set('2027-03-10T09:00:00Z'); // 24 h before the new start (09:00Z)
    await drain();
    const sent = await reminders(code);
    expect(sent).toHaveLength(2);
    expect(sent.find((m) => m.channel === 'email')!.subject).toBe('Rappel : votre rendez-vous du jeudi 11 mars 2027 à 10 h');
  });

  it('never fires after a cancel', async () => {
    const code = await book();
    expect((await t.request('POST', `/api/bookings/${code}/cancel`, { email: EMAIL })).status).toBe(200);
    t.clock.set('2027-03-09T09:00:00Z');
    await drain();
    expect(await reminders(code)).toHaveLength(0);
  });

  it('a confirmation delayed past the appointment (long outage) is dropped, not sent', async () => {
    const code = await book();
    t.clock.set('2027-03-10T08:00:00Z');
    await drain();
    expect((await messages(`?bookingCode=${code}`)).total).toBe(0);
  });

  it('a stale reminder (the booking moved without it being cancelled) is dropped, not sent', async () => {
    const code = await book();
    // As if an older row survived: the reminder names another start than the booking's.
    await t.service.db.query(`UPDATE outbox SET payload = '{"startMs": 1}' WHERE topic = 'notify.reminder'`);
    t.clock.set('2027-03-09T08:00:00Z');
    await drain();
    expect(await reminders(code)).toHaveLength(0);
    const rows = await t.service.db.query<{ status: string }>(`SELECT status FROM outbox WHERE topic = 'notify.reminder'`);
    expect(rows).toEqual([{ status: 'done' }]);
  });

  it("follows the artisan's lead time (notification settings)", async () => {
    const read = await t.request('GET', '/api/admin/notification-settings', undefined, adminHeaders());
    expect(read.body).toEqual({ reminderHoursBefore: 24, notifyArtisanEmail: true, notifyArtisanSms: false, maintenanceInviteWeeks: 6, smsInPlan: true });
    const patched = await t.request('PATCH', '/api/admin/notification-settings', { reminderHoursBefore: 48 }, adminHeaders());
    expect(patched.body).toEqual({ reminderHoursBefore: 48, notifyArtisanEmail: true, notifyArtisanSms: false, maintenanceInviteWeeks: 6, smsInPlan: true });
    try {
      await book();
      const due = await t.service.db.query<{ run_at: string }>(
        `SELECT to_char(run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS run_at FROM outbox WHERE topic = 'notify.reminder'`,
      );
      expect(due).toEqual([{ run_at: '2027-03-08T08:00Z' }]);
      await t.request('PATCH', '/api/admin/notification-settings', { reminderHoursBefore: 0 }, adminHeaders());
      await book('2027-03-11');
      expect(await t.service.db.query(`SELECT 1 FROM outbox WHERE topic = 'notify.reminder'`)).toHaveLength(1); // none for the second
      const bad = await t.request('PATCH', '/api/admin/notification-settings', { reminderHoursBefore: 500 }, adminHeaders());
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    } finally {
      await t.request('PATCH', '/api/admin/notification-settings', { reminderHoursBefore: 24 }, adminHeaders());
    }
  });

  it("a customer's erasure (GDPR) also removes the mailbox copies of their messages", async () => {
    const code = await book();
    expect((await t.request('POST', `/api/bookings/${code}/cancel`, { email: EMAIL })).status).toBe(200);
    await drain();
    expect((await messages(`?bookingCode=${code}`)).total).toBeGreaterThan(0);
    const erased = await t.request('POST', '/api/admin/customers/erase', { email: EMAIL }, adminHeaders());
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    const left = await messages();
    expect(JSON.stringify(left)).not.toContain(EMAIL);
    expect(left.total).toBe(0);
  });

  it('GET /api/admin/messages: newest first, paged, filtered by channel and booking code; admin only', async () => {
    // Each booking's messages are sent before the next booking is made: the worker sends
    // different bookings' jobs concurrently, so only this order says which messages are newest.
    const first = await book();
    await drain();
    const second = await book('2027-03-11');
    await drain();
    const all = await messages();
    // Per booking: customer e-mail, customer SMS, artisan e-mail.
    expect(all.total).toBe(6);
    expect(all.messages[0]!.bookingCode).toBe(second);
    const page = await messages('?limit=2&offset=1');
    expect(page.messages).toHaveLength(2);
    expect(page.total).toBe(6);
    const sms = await messages('?channel=sms');
    expect(sms.messages.every((m) => m.channel === 'sms' && m.to === '+33612345678')).toBe(true);
    expect(sms.total).toBe(2);
    const one = await messages(`?bookingCode=${first.toLowerCase()}`);
    expect(one.total).toBe(3);
    expect(new Set(one.messages.map((m) => m.recipientKind))).toEqual(new Set(['customer', 'artisan']));
    expect((await t.request('GET', '/api/admin/messages')).status).toBe(401);
    const bad = await t.request('GET', '/api/admin/messages?bookingCode=nope', undefined, adminHeaders());
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('bookingCode');
  });
});
