import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite, startTestService } from './helpers/service.ts';
import { DEMO_ARTISAN_EMAIL, TEST_PASSWORD, adminHeaders, setDemoPassword } from './helpers/admin.ts';

/**
 * The four defects of the landed back office API (issue 11), each as a new user would meet it.
 * Clock: Monday 2027-03-01 08:00 Paris. Booking: diag Wednesday 2027-03-10 09:00 Paris (08:00Z).
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'jean@example.com';
const admin = adminHeaders();

describe.each(ENGINES)('back office defects on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const drain = async () => {
    while ((await t.service.worker.runOnce()) > 0);
  };
  const messages = async (code: string) => {
    const res = await t.request('GET', `/api/admin/messages?bookingCode=${code}&limit=100`, undefined, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.messages as { kind: string; channel: string; recipientKind: string; subject: string | null }[];
  };
  const book = async (date = '2027-03-10', time = '09:00') => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };
  const pendingReminders = () =>
    t.service.db.query<{ run_at: string }>(
      `SELECT to_char(run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS run_at FROM outbox
        WHERE topic = 'notify.reminder' AND status = 'pending' ORDER BY run_at`,
    );
  const setLead = async (hours: number) => {
    const res = await t.request('PATCH', '/api/admin/notification-settings', { reminderHoursBefore: hours }, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  it("phone bookings are not capped and do not use up the starter plan's 50 online bookings", async () => {
    await t.service.db.query(`UPDATE artisans SET plan = 'starter'`);
    try {
      // 49 phone bookings already taken this month (written directly: the slots do not matter here) …
      await t.service.db.query(
        `INSERT INTO bookings (id, public_code, artisan_id, service_id, service_name, status, customer_name, customer_email,
            starts_at, ends_at, duration_minutes, blocked_range, price_cents, deposit_rate, deposit_cents, payment_status,
            refund_policy, notify_email, notify_sms, created_at, updated_at, channel)
         SELECT gen_random_uuid(), 'AC-' || lpad(i::text, 6, '0'), a.id, 'diag', 'Diagnostic', 'confirmed', 'X', 'x@example.com',
            t0, t0 + interval '30 minutes', 30, tstzrange(t0, t0 + interval '30 minutes'), 4000, 0.3, 0, 'authorized',
            '{"tiers":[]}', true, false, '2027-03-01T06:00:00Z', '2027-03-01T06:00:00Z', 'phone'
           FROM artisans a, generate_series(1, 49) i, LATERAL (SELECT timestamptz '2027-05-03T06:00:00Z' + i * interval '1 day' AS t0) s`,
      );
      // … and the 50th through the API.
      const byPhone = await t.request('POST', '/api/admin/bookings', bookingBody('2027-03-04', '09:00'), admin);
      expect(byPhone.status, JSON.stringify(byPhone.body)).toBe(201);
      expect(byPhone.body.booking.channel).toBe('phone');
      // The month's first online booking is taken.
      const online = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'));
      expect(online.status, JSON.stringify(online.body)).toBe(201);
    } finally {
      await t.service.db.query(`UPDATE artisans SET plan = 'pro'`);
    }
  });

  it('the artisan is not e-mailed about their own reschedule; the customer is, and a customer reschedule still tells the artisan', async () => {
    const code = await book();
    await drain();
    const moved = await t.request('POST', `/api/admin/bookings/${code}/reschedule`, { newDate: '2027-03-11', newTime: '10:00' }, admin);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await drain();
    const rescheduled = (await messages(code)).filter((m) => m.kind === 'rescheduled');
    expect(rescheduled.filter((m) => m.recipientKind === 'customer' && m.channel === 'email')).toHaveLength(1);
    expect(rescheduled.filter((m) => m.recipientKind === 'artisan')).toHaveLength(0);

    const again = await t.request('POST', `/api/bookings/${code}/reschedule`, { email: EMAIL, newDate: '2027-03-12', newTime: '10:00' });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    await drain();
    const after = (await messages(code)).filter((m) => m.kind === 'rescheduled');
    expect(after.filter((m) => m.recipientKind === 'artisan')).toHaveLength(1);
  });

  it('turning reminders off drops the pending ones: none is sent', async () => {
    const code = await book();
    expect(await pendingReminders()).toEqual([{ run_at: '2027-03-09T08:00Z' }]);
    try {
      await setLead(0);
      expect(await pendingReminders()).toEqual([]);
      t.clock.set('2027-03-09T08:00:00Z');
      await drain();
      t.clock.set('2027-03-10T07:00:00Z');
      await drain();
      expect((await messages(code)).filter((m) => m.kind === 'reminder')).toHaveLength(0);
    } finally {
      await setLead(24);
    }
  });

  it('changing the lead time moves the pending reminders (and turning them back on schedules them); one that would be due already is dropped', async () => {
    const code = await book();
    const soon = await book('2027-03-02', '14:00'); // 13:00Z tomorrow: 30 h ahead
    await drain();
    try {
      await setLead(2);
      expect(await pendingReminders()).toEqual([{ run_at: '2027-03-02T11:00Z' }, { run_at: '2027-03-10T06:00Z' }]);
      await setLead(48); // soon's reminder would be due 18 h ago: dropped, not sent at once
      expect(await pendingReminders()).toEqual([{ run_at: '2027-03-08T08:00Z' }]);
      await drain();
      expect((await messages(soon)).filter((m) => m.kind === 'reminder')).toHaveLength(0);
      await setLead(0);
      await setLead(12);
      expect(await pendingReminders()).toEqual([{ run_at: '2027-03-02T01:00Z' }, { run_at: '2027-03-09T20:00Z' }]);

      t.clock.set('2027-03-09T19:59:00Z');
      await drain();
      expect((await messages(code)).filter((m) => m.kind === 'reminder')).toHaveLength(0);
      t.clock.set('2027-03-09T20:00:00Z');
      await drain();
      expect((await messages(code)).filter((m) => m.kind === 'reminder' && m.channel === 'email')).toHaveLength(1);
      // Changing it again once the reminder went out does not send a second one.
      await setLead(6);
      t.clock.set('2027-03-10T02:00:00Z');
      await drain();
      expect((await messages(code)).filter((m) => m.kind === 'reminder' && m.channel === 'email')).toHaveLength(1);
    } finally {
      await setLead(24);
    }
  });
});

describe.each(ENGINES)('password change rate limit on %s', (engine) => {
  it("POST /api/admin/password shares the sign-in's per-IP limit", async () => {
    const t = await startTestService(engine, { env: { RATE_LIMIT_LOGIN_PER_MINUTE: '5' } });
    try {
      await setDemoPassword(t.service.db);
      const login = await t.request('POST', '/api/admin/login', { email: DEMO_ARTISAN_EMAIL, password: TEST_PASSWORD });
      expect(login.status).toBe(200);
      const cookie = /ac_session=[^;]+/.exec(String(login.headers['set-cookie']))![0];
      const headers = { cookie, 'x-csrf-token': login.body.csrfToken as string };
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await t.request('POST', '/api/admin/password', { currentPassword: `mauvais-mot-de-passe-${i}`, newPassword: 'nouveau-mot-de-passe' }, headers);
        statuses.push(res.status);
        if (res.status === 429) expect(res.body.error.code).toBe('RATE_LIMITED');
      }
      // One sign-in and four wrong current passwords use up the 5 attempts of the minute.
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
      // The sign-in itself is refused too, for the same IP.
      expect((await t.request('POST', '/api/admin/login', { email: DEMO_ARTISAN_EMAIL, password: TEST_PASSWORD })).status).toBe(429);
    } finally {
      await t.close();
    }
  }, 60_000);
});
