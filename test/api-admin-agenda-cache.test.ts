import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Temporal } from 'temporal-polyfill';
import { makeAdminAuthStore } from '../src/adapters/db/admin-auth-store.ts';
import { AGENDA_CACHE_BOOKINGS, AGENDA_CACHE_SIZE, makeAdminBookingReader } from '../src/adapters/db/admin-bookings-store.ts';
import { AUTH_CACHE_MAX, AUTH_CACHE_MS, makeAdminAuth, type AdminAuthStore } from '../src/app/admin-auth.ts';
import { BOOKED_STATUSES } from '../src/domain/booking-lifecycle.ts';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';
import { adminHeaders, loginAsArtisan, setDemoPassword, TEST_PASSWORD } from './helpers/admin.ts';

/**
 * What the process keeps between admin requests must never show stale data: the week agenda
 * (kept per artisan and week, checked against the artisan's data_version in the one round
 * trip of every request) and the checked credentials (kept a few seconds, dropped at once
 * when this process revokes, signs out or changes the password). Every change below is
 * followed by the very next read. Clock: Monday 2027-03-01 08:00 Paris.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const admin = adminHeaders();
const WEEK = '2027-03-01';

interface Line {
  date: string;
  time: string;
  status: string;
  channel: string;
  customer: { name: string; phone?: string };
}
const show = (b: Line): string => `${b.date} ${b.time} ${b.customer.name} ${b.status} ${b.channel}`;

describe.each(ENGINES)('what the admin routes keep in memory, on %s', (engine) => {
  // The credential cache's clock: real time, moved ahead by the test instead of sleeping.
  let cacheSkewMs = 0;
  const t = serviceForSuite(engine, START, { monotonic: () => performance.now() + cacheSkewMs });
  const agenda = async (headers: Record<string, string> = admin, week = WEEK): Promise<string[]> => {
    const res = await t.request('GET', `/api/admin/agenda?week=${week}`, undefined, headers);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.bookings as Line[]).map(show);
  };
  const ok = (res: { status: number; body: unknown }, status = 200) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body as any;
  };

  it('the agenda shows at once a booking made, moved and cancelled by the customer, by the artisan, or changed by another process', async () => {
    expect(await agenda()).toEqual([]);
    expect(await agenda()).toEqual([]); // read twice: the second answer is the kept one

    // The customer books through the public API, then moves it.
    const booked = ok(await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '09:00')), 201);
    const code = booked.booking.publicCode as string;
    expect(await agenda()).toEqual(['2027-03-03 09:00 Jean Martin confirmed online']);
    ok(await t.request('POST', `/api/bookings/${code}/reschedule`, { email: 'jean@example.com', newDate: '2027-03-04', newTime: '10:00' }));
    expect(await agenda()).toEqual(['2027-03-04 10:00 Jean Martin rescheduled online']);

    // The artisan takes a phone booking, moves it and cancels it.
    const phone = ok(await t.request('POST', '/api/admin/bookings', bookingBody('2027-03-05', '14:00', { customer: { name: 'Mme Roux', email: 'roux@example.fr' } }), admin), 201);
    const phoneCode = phone.booking.publicCode as string;
    expect(await agenda()).toEqual(['2027-03-04 10:00 Jean Martin rescheduled online', '2027-03-05 14:00 Mme Roux confirmed phone']);
    ok(await t.request('POST', `/api/admin/bookings/${phoneCode}/reschedule`, { newDate: '2027-03-02', newTime: '11:00' }, admin));
    expect(await agenda()).toEqual(['2027-03-02 11:00 Mme Roux rescheduled phone', '2027-03-04 10:00 Jean Martin rescheduled online']);
    ok(await t.request('POST', `/api/admin/bookings/${phoneCode}/cancel`, {}, admin));
    expect(await agenda()).toEqual(['2027-03-04 10:00 Jean Martin rescheduled online']);

    // Another instance (or anything else writing to the database) changes the booking.
    await t.service.db.query(`UPDATE bookings SET customer_name = 'Jean-Marie Martin' WHERE public_code = $1`, [code]);
    expect(await agenda()).toEqual(['2027-03-04 10:00 Jean-Marie Martin rescheduled online']);

    // The customer cancels.
    ok(await t.request('POST', `/api/bookings/${code}/cancel`, { email: 'jean@example.com' }));
    expect(await agenda()).toEqual([]);
  });

  it("the agenda follows the artisan's time zone at once (its local times are written from it)", async () => {
    ok(await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '09:00')), 201);
    expect(await agenda()).toEqual(['2027-03-03 09:00 Jean Martin confirmed online']);
    try {
      ok(await t.request('PATCH', '/api/admin/artisan', { timezone: 'Europe/London' }, admin));
      // 09:00 in Paris (winter, +01:00) is 08:00 in London (+00:00).
      expect(await agenda()).toEqual(['2027-03-03 08:00 Jean Martin confirmed online']);
    } finally {
      ok(await t.request('PATCH', '/api/admin/artisan', { timezone: 'Europe/Paris' }, admin));
    }
    expect(await agenda()).toEqual(['2027-03-03 09:00 Jean Martin confirmed online']);
  });

  it("the agenda shows at once what the worker changed: the retention sweep's anonymisation", async () => {
    ok(await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '09:00')), 201);
    expect(await agenda()).toEqual(['2027-03-03 09:00 Jean Martin confirmed online']);
    // More than 36 months (RETENTION_MONTHS) after the appointment: the worker's sweep erases the customer.
    t.clock.set('2030-03-10T07:00:00Z');
    while ((await t.service.worker.runOnce()) > 0);
    const [line] = (ok(await t.request('GET', `/api/admin/agenda?week=${WEEK}`, undefined, admin)).bookings as Line[]);
    expect(line).toMatchObject({ date: '2027-03-03', time: '09:00', status: 'confirmed' });
    expect(line!.customer.name).not.toBe('Jean Martin');
    expect(line!.customer.phone).toBeUndefined();
  });

  it('a revoked API token is refused at once, and so is a signed-out session, and every session after a password change', async () => {
    // A token, used (and so checked and kept), then revoked: the very next request is refused.
    await setDemoPassword(t.service.db);
    const signedIn = await loginAsArtisan(t);
    const session = { cookie: signedIn.cookie, 'x-csrf-token': signedIn.csrf };
    const created = ok(await t.request('POST', '/api/admin/tokens', { name: 'intégration', scopes: ['bookings:read'] }, session), 201);
    const bearer = { authorization: `Bearer ${created.token as string}` };
    expect(await agenda(bearer)).toEqual([]);
    expect(await agenda(bearer)).toEqual([]);
    expect((await t.request('DELETE', `/api/admin/tokens/${created.apiToken.id as string}`, undefined, session)).status).toBe(204);
    expect((await t.request('GET', `/api/admin/agenda?week=${WEEK}`, undefined, bearer)).status).toBe(401);
    expect((await t.request('GET', '/api/admin/me', undefined, bearer)).status).toBe(401);

    // A session, used, then signed out: refused at once.
    const first = await loginAsArtisan(t);
    expect(await agenda({ cookie: first.cookie })).toEqual([]);
    expect((await t.request('POST', '/api/admin/logout', undefined, { cookie: first.cookie, 'x-csrf-token': first.csrf })).status).toBe(204);
    expect((await t.request('GET', `/api/admin/agenda?week=${WEEK}`, undefined, { cookie: first.cookie })).status).toBe(401);

    // Two sessions, both used; the password changed from one: the other is refused at once.
    const a = await loginAsArtisan(t);
    const b = await loginAsArtisan(t);
    expect(await agenda({ cookie: a.cookie })).toEqual([]);
    expect(await agenda({ cookie: b.cookie })).toEqual([]);
    const newPassword = 'un-autre-mot-de-passe-solide';
    try {
      expect(
        (await t.request('POST', '/api/admin/password', { currentPassword: TEST_PASSWORD, newPassword }, { cookie: a.cookie, 'x-csrf-token': a.csrf })).status,
      ).toBe(204);
      expect((await t.request('GET', `/api/admin/agenda?week=${WEEK}`, undefined, { cookie: b.cookie })).status).toBe(401);
      expect((await t.request('GET', `/api/admin/agenda?week=${WEEK}`, undefined, { cookie: a.cookie })).status).toBe(401);
    } finally {
      await setDemoPassword(t.service.db);
    }
  });

  it(`a token revoked by another process is refused within ${AUTH_CACHE_MS / 1000} s; a session ended there too`, async () => {
    await setDemoPassword(t.service.db);
    const session = await loginAsArtisan(t);
    const created = ok(await t.request('POST', '/api/admin/tokens', { name: 'ailleurs', scopes: ['bookings:read'] }, { cookie: session.cookie, 'x-csrf-token': session.csrf }), 201);
    const bearer = { authorization: `Bearer ${created.token as string}` };
    expect(await agenda(bearer)).toEqual([]);
    expect(await agenda({ cookie: session.cookie })).toEqual([]);
    // Written straight into the database, as another instance (or the CLI) would.
    await t.service.db.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, [created.apiToken.id]);
    await t.service.db.query(`DELETE FROM admin_sessions`);
    cacheSkewMs += AUTH_CACHE_MS;
    expect((await t.request('GET', `/api/admin/agenda?week=${WEEK}`, undefined, bearer)).status).toBe(401);
    expect((await t.request('GET', `/api/admin/agenda?week=${WEEK}`, undefined, { cookie: session.cookie })).status).toBe(401);
  });

  it(`keeps at most ${AUTH_CACHE_MAX} checked credentials: the oldest is looked up again, the newest is not`, async () => {
    const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
    const n = AUTH_CACHE_MAX + 1;
    const artisanId = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans LIMIT 1'))[0]!.id;
    await t.service.db.query(
      `INSERT INTO api_tokens (id, artisan_id, name, token_hash, prefix, created_at, last_used_at, scopes)
       SELECT gen_random_uuid(), $1, 'borne-' || (i - 1), h, 'ac_borne', now(), now(), ARRAY['bookings:read']
         FROM unnest($2::text[]) WITH ORDINALITY AS x(h, i)`,
      [artisanId, Array.from({ length: n }, (_, i) => sha256(`borne-${i}`))],
    );
    try {
      const store = makeAdminAuthStore(t.service.db);
      const lookups: string[] = [];
      const counting: AdminAuthStore = {
        ...store,
        findApiToken: (hash) => {
          lookups.push(hash);
          return store.findApiToken(hash);
        },
      };
      const auth = makeAdminAuth({
        store: counting,
        hasher: { hash: async () => '', verify: async () => false },
        clock: { now: () => Date.now() },
        random: { uuid: () => '', bytes: () => new Uint8Array() },
        sessionHours: 12,
        // Time stands still for the cache: only its size can drop an entry.
        monotonic: () => 0,
      });
      for (let i = 0; i < n; i++) expect(await auth.authenticate({ bearer: `borne-${i}` })).toMatchObject({ actor: `token:borne-${i}` });
      expect(lookups).toHaveLength(n);
      // The newest are kept: no lookup.
      await auth.authenticate({ bearer: `borne-${n - 1}` });
      await auth.authenticate({ bearer: 'borne-1' });
      expect(lookups).toHaveLength(n);
      // The oldest went when the cache was full: looked up again.
      expect(await auth.authenticate({ bearer: 'borne-0' })).toMatchObject({ actor: 'token:borne-0' });
      expect(lookups).toHaveLength(n + 1);
      expect(lookups.at(-1)).toBe(sha256('borne-0'));
    } finally {
      await t.service.db.query(`DELETE FROM api_tokens WHERE name LIKE 'borne-%'`);
    }
  }, 120_000);

  it(`keeps at most ${AGENDA_CACHE_SIZE} weeks of agenda: a week read again is the kept one until it is pushed out`, async () => {
    const reader = makeAdminBookingReader(t.service.db);
    const artisanId = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans LIMIT 1'))[0]!.id;
    const monday = Temporal.PlainDate.from('2027-03-01');
    const read = (i: number) => {
      const from = monday.add({ weeks: i });
      return reader.listAgenda({ artisanId, from, to: from.add({ days: 6 }), statuses: [...BOOKED_STATUSES], limit: 100 });
    };
    const first = await read(0);
    expect(await read(0)).toBe(first);
    for (let i = 1; i <= AGENDA_CACHE_SIZE; i++) await read(i);
    const newest = await read(AGENDA_CACHE_SIZE);
    expect(await read(AGENDA_CACHE_SIZE)).toBe(newest);
    // Week 0 was the least recently read when week AGENDA_CACHE_SIZE came in: pushed out.
    expect(await read(0)).not.toBe(first);
    // And a booking made meanwhile is in the week read afresh, not in the kept copy.
    ok(await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '09:00')), 201);
    const fresh = await read(0);
    expect(fresh.items.map((b) => b.customerName)).toEqual(['Jean Martin']);
    expect(first.items).toEqual([]);
  }, 120_000);

  it(`keeps at most ${AGENDA_CACHE_BOOKINGS} bookings in all the weeks kept, however few the weeks`, async () => {
    // Every half hour of 60 weeks is booked: 336 a week, 20,160 in all (more than the bound).
    const weeks = 60;
    await t.service.db.query(
      `INSERT INTO bookings (id, public_code, artisan_id, service_id, service_name, status, customer_name, customer_email,
          starts_at, ends_at, duration_minutes, blocked_range, price_cents, deposit_rate, deposit_cents, payment_status,
          refund_policy, notify_email, notify_sms, created_at, updated_at)
       SELECT gen_random_uuid(), 'AC-' || upper(lpad(to_hex(n), 6, '0')), a.id, 'diag', 'Diagnostic', 'confirmed', 'X', 'x@example.com',
          t0, t0 + interval '30 minutes', 30, tstzrange(t0, t0 + interval '30 minutes'), 4000, 0.3, 1200, 'authorized',
          '{"tiers":[]}', false, false, now(), now()
         FROM artisans a, generate_series(0, $1::int * 336 - 1) AS n,
              LATERAL (SELECT timestamptz '2027-02-28T23:00:00Z' + n * interval '30 minutes' AS t0) s`,
      [weeks],
    );
    const reader = makeAdminBookingReader(t.service.db);
    const artisanId = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans LIMIT 1'))[0]!.id;
    const monday = Temporal.PlainDate.from('2027-03-01');
    const read = (i: number) => {
      const from = monday.add({ weeks: i });
      return reader.listAgenda({ artisanId, from, to: from.add({ days: 6 }), statuses: [...BOOKED_STATUSES], limit: 2_100 });
    };
    const first = await read(0);
    expect(first.items).toHaveLength(336);
    expect(await read(0)).toBe(first);
    for (let i = 1; i < weeks; i++) await read(i);
    const last = await read(weeks - 1);
    expect(last.items).toHaveLength(336);
    expect(await read(weeks - 1)).toBe(last);
    // 60 weeks of 336 do not fit in the bound: the least recently read went.
    expect(weeks * 336).toBeGreaterThan(AGENDA_CACHE_BOOKINGS);
    expect(weeks).toBeLessThan(AGENDA_CACHE_SIZE);
    expect(await read(0)).not.toBe(first);
  }, 180_000);
});
