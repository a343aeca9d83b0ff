import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose, type Service } from '../src/main.ts';
import { loadFunctions, loadMigrations, migrate } from '../src/adapters/db/migrate.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import type { Database } from '../src/adapters/db/database.ts';
import { makeFeedTokens, makeSecretBox, manageLinkSecret } from '../src/adapters/security/secret-box.ts';
import { signManageToken } from '../src/domain/manage-token.ts';
import { DEFAULT_REFUND_POLICY } from '../src/domain/refund-policy.ts';
import { ENGINES, createEmptyServerDatabase, dropTestLocation } from './helpers/db.ts';
import { TestClock } from './helpers/service.ts';

/**
 * Upgrading a database made by the code before tenancy (migration 0028 and the SQL functions
 * of that time, kept in test/fixtures/schema-0028) is automatic and lossless (issue 19): every
 * row stays, every business row gets its business, and the booking codes, manage links, feeds,
 * calendar connections, API tokens and sessions issued before keep working.
 */
const OLD_FUNCTIONS = fileURLToPath(new URL('./fixtures/schema-0028/functions', import.meta.url));
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const TABLES = [
  'artisans', 'services', 'schedule_rules', 'schedule_exceptions', 'bookings', 'busy_blocks', 'booking_events', 'booking_consents',
  'outbox', 'notification_deliveries', 'mailbox', 'idempotency_keys', 'admin_users', 'admin_sessions', 'api_tokens',
  'calendar_connections', 'calendar_exports', 'calendar_remote_events', 'calendar_feeds', 'payment_events',
] as const;

async function counts(db: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
  return out;
}

describe.each(ENGINES)('upgrading a database made before tenancy on %s', (engine) => {
  it('keeps every row, gives each its business, and what was issued before still opens', async () => {
    let db: Database;
    if (engine === 'pglite') db = await openPglite('memory://');
    else {
      const url = await createEmptyServerDatabase('artisanconnect_upgrade');
      cleanups.push(() => dropTestLocation('postgres', url));
      db = await openPostgres(url);
    }
    cleanups.push(() => db.close());
    // The schema as the previous release left it.
    await migrate(db, loadMigrations().filter((m) => m.version <= 28), loadFunctions(OLD_FUNCTIONS));
    // The business as that release's demo seed made it.
    const artisan = randomUUID();
    await db.query(
      `INSERT INTO artisans (id, display_name, email, phone, timezone, plan, slot_step_minutes, min_notice_minutes, booking_horizon_days, trade)
       VALUES ($1, 'Marc Dupont - Plomberie', 'marc.dupont@artisanconnect.test', '+33612345678', 'Europe/Paris', 'pro', 30, 120, 90, 'Plombier')`,
      [artisan],
    );
    for (const day of [1, 2, 3, 4, 5]) {
      await db.query(
        `INSERT INTO schedule_rules (id, artisan_id, kind, day_of_week, start_minutes, end_minutes) VALUES
           (gen_random_uuid(), $1, 'opening', $2, 510, 1080), (gen_random_uuid(), $1, 'break', $2, 720, 780)`,
        [artisan, day],
      );
    }
    await db.query(
      `INSERT INTO services (id, artisan_id, name, duration_minutes, base_price_cents, deposit_rate, sort_order) VALUES ('diag', $1, 'Diagnostic', 30, 4000, 0.3, 1)`,
      [artisan],
    );

    const clock = new TestClock();
    const secretsKey = randomBytes(32).toString('base64url');
    const booking = randomUUID();
    // 10:00 in Paris (09:00 UTC in winter, 08:00 in summer) on the next weekday at least three days ahead.
    const startsAt = new Date(clock.now() + 3 * 86_400_000);
    while ([0, 6].includes(startsAt.getUTCDay())) startsAt.setUTCDate(startsAt.getUTCDate() + 1);
    const inParis = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
    for (let h = 7; h <= 10; h++) {
      startsAt.setUTCHours(h, 0, 0, 0);
      if (inParis(startsAt) === '10:00') break;
    }
    const local = inParis(startsAt);
    expect(local).toBe('10:00');
    const endsAt = new Date(startsAt.getTime() + 30 * 60_000);
    const code = 'AC-UPGR4D';
    const connection = randomUUID();
    const apiToken = `ac_${randomBytes(24).toString('base64url')}`;
    const sessionToken = randomBytes(32).toString('base64url');
    const user = (await db.query<{ id: string }>('SELECT id FROM admin_users')).at(0)?.id ?? randomUUID();
    const outboxJob = randomUUID();
    const feeds = makeFeedTokens(secretsKey);
    const feedToken = feeds.tokenFor(artisan, 1);
    await db.transaction(async (q) => {
      await q.query(
        `INSERT INTO admin_users (id, artisan_id, email, password_hash, password_changed_at, created_at)
         VALUES ($1, $2, 'marc@plomberie-dupont.fr', 'x', now(), now()) ON CONFLICT DO NOTHING`,
        [user, artisan],
      );
      await q.query(`INSERT INTO admin_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, 'csrf', $3, $4)`, [
        sha256(sessionToken),
        user,
        new Date(clock.now()),
        new Date(clock.now() + 30 * 86_400_000),
      ]);
      await q.query(
        `INSERT INTO api_tokens (id, artisan_id, name, token_hash, prefix, created_at, scopes)
         VALUES ($1, $2, 'Intégration', $3, $4, now(), ARRAY['bookings:read','bookings:write','settings','calendars','export'])`,
        [randomUUID(), artisan, sha256(apiToken), apiToken.slice(0, 8)],
      );
      await q.query(`INSERT INTO schedule_exceptions (id, artisan_id, date, closed) VALUES ($1, $2, '2027-12-25', true)`, [randomUUID(), artisan]);
      await q.query(
        `INSERT INTO bookings (id, artisan_id, service_id, service_name, public_code, customer_name, customer_email, starts_at, ends_at,
                               blocked_range, duration_minutes, price_cents, deposit_rate, deposit_cents, payment_status, status, refund_policy,
                               notify_email, notify_sms, created_at, updated_at)
         VALUES ($1, $2, 'diag', 'Diagnostic', $3, 'Claire Petit', 'claire@example.fr', $4, $5, tstzrange($4, $5), 30, 9000, 0.3, 2700,
                 'captured', 'confirmed', $6::jsonb, true, false, now(), now())`,
        [booking, artisan, code, startsAt, endsAt, JSON.stringify(DEFAULT_REFUND_POLICY)],
      );
      await q.query(
        `INSERT INTO busy_blocks (id, artisan_id, provider_id, source, summary, starts_at, ends_at, booking_id) VALUES ($1, $2, 'artisanconnect', 'booking', 'Diagnostic - Claire Petit', $3, $4, $5)`,
        [randomUUID(), artisan, startsAt, endsAt, booking],
      );
      await q.query(`INSERT INTO booking_events (booking_id, type, actor, data) VALUES ($1, 'hold_taken', 'customer', '{}'), ($1, 'confirmed', 'customer', '{}')`, [booking]);
      await q.query(`INSERT INTO booking_consents (booking_id, artisan_id, accepted_at, terms_version, refund_policy) VALUES ($1, $2, now(), NULL, $3::jsonb)`, [
        booking,
        artisan,
        JSON.stringify(DEFAULT_REFUND_POLICY),
      ]);
      await q.query(
        `INSERT INTO outbox (id, topic, booking_id, payload, status, done_at) VALUES ($1, 'notify.booking_confirmed', $2, '{}', 'done', now()),
                ($3, 'payment.reconcile', NULL, '{}', 'done', now())`,
        [outboxJob, booking, randomUUID()],
      );
      await q.query(
        `INSERT INTO notification_deliveries (outbox_id, delivery_key, channel, message_id, booking_id, sent_at) VALUES ($1, 'customer.email', 'email', $2, $3, now())`,
        [outboxJob, `${outboxJob}.customer-email@artisanconnect.test`, booking],
      );
      await q.query(
        `INSERT INTO mailbox (id, channel, recipient, recipient_kind, kind, subject, text_body, message_id, booking_id, outbox_id, created_at)
         VALUES ($1, 'email', 'claire@example.fr', 'customer', 'confirmed', 'Réservation confirmée', 'Bonjour', $2, $3, $4, now())`,
        [randomUUID(), `${outboxJob}.customer-email@artisanconnect.test`, booking, outboxJob],
      );
      await q.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, state, expires_at, booking_id, response_status, response_body)
         VALUES ('create-booking', 'key-1', 'h', 'done', now() + interval '1 day', $1, 201, '{}')`,
        [booking],
      );
      const box = makeSecretBox(secretsKey);
      await q.query(
        `INSERT INTO calendar_connections (id, artisan_id, provider_id, name, secret_ciphertext, next_sync_at, created_at, updated_at, settings)
         VALUES ($1, $2, 'ics', 'Agenda perso', $3, now() + interval '1 day', now(), now(), '{"url":"https://calendrier.example/agenda.ics"}')`,
        [connection, artisan, box.seal(JSON.stringify({ url: 'https://calendrier.example/agenda.ics' }), connection)],
      );
      await q.query(
        `INSERT INTO calendar_exports (artisan_id, connection_id, booking_id, uid, remote_ref, starts_at, ends_at, updated_at)
         VALUES ($1, $2, $3, 'uid-1', 'ref-1', $4, $5, now())`,
        [artisan, connection, booking, startsAt, endsAt],
      );
      await q.query(`INSERT INTO calendar_remote_events (artisan_id, connection_id, remote_id, data) VALUES ($1, $2, 'evt-1', '{}')`, [artisan, connection]);
      await q.query(`INSERT INTO calendar_feeds (artisan_id, token_hash, generation, created_at) VALUES ($1, $2, 1, now())`, [artisan, feeds.hash(feedToken)]);
      await q.query(
        `INSERT INTO payment_events (id, provider, artisan_id, booking_id, type, object_id, payload) VALUES ('evt_1', 'stripe', $1, $2, 'payment_intent.succeeded', 'pi_1', '{}')`,
        [artisan, booking],
      );
    });
    const before = await counts(db);
    for (const table of TABLES) expect(before[table], table).toBeGreaterThan(0);
    const link = signManageToken(booking, startsAt.getTime() + 30 * 86_400_000, manageLinkSecret(secretsKey));

    // The new release starts on it: the upgrade runs by itself.
    const service: Service = await compose(
      loadConfig({ LOG_LEVEL: 'silent', SECRETS_KEY: secretsKey, SEED_DEMO: 'false', PUBLIC_BASE_URL: 'http://localhost:3000' }),
      { clock, db, random: { uuid: () => randomUUID(), bytes: (n) => randomBytes(n) } },
    );
    cleanups.push(() => service.close());
    await service.app.ready();
    expect(await counts(db)).toEqual(before);
    for (const table of ['booking_events', 'outbox', 'notification_deliveries', 'mailbox', 'idempotency_keys', 'admin_sessions']) {
      const owners = await db.query<{ artisan_id: string }>(`SELECT DISTINCT artisan_id FROM ${table}`);
      expect(owners, table).toEqual([{ artisan_id: artisan }]);
    }

    const get = async (url: string, headers: Record<string, string> = {}) => {
      const res = await service.app.inject({ method: 'GET', url, headers });
      return { status: res.statusCode, body: res.body, json: () => res.json() };
    };
    // The booking code and e-mail, the manage link from an old e-mail, the availability it blocks.
    const found = await get(`/api/bookings/public?code=${code}&email=claire@example.fr`);
    expect(found.status, found.body).toBe(200);
    expect(found.json().booking).toMatchObject({ publicCode: code, status: 'confirmed' });
    const managed = await get(`/api/bookings/manage?token=${link}`);
    expect(managed.status, managed.body).toBe(200);
    expect(managed.json().booking.publicCode).toBe(code);
    const day = startsAt.toISOString().slice(0, 10);
    const slots = (await get(`/api/availability?serviceId=diag&date=${day}`)).json().slots as { time: string; available: boolean }[];
    expect(slots.find((s) => s.time === local)?.available).toBe(false);
    // The calendar feed, the API token, the session, the calendar connection and its credentials.
    const feed = await get(`/api/calendar/${feedToken}.ics`);
    expect(feed.status).toBe(200);
    expect(feed.body).toContain(code);
    const byToken = await get('/api/admin/bookings', { authorization: `Bearer ${apiToken}` });
    expect(byToken.status, byToken.body).toBe(200);
    expect(JSON.stringify(byToken.json())).toContain(code);
    const me = await get('/api/admin/me', { cookie: `ac_session=${sessionToken}` });
    expect(me.status, me.body).toBe(200);
    // The login became the business's owner member (issue 20, migration 0041), active, its session kept.
    expect(me.json()).toMatchObject({ role: 'owner', memberId: user });
    expect(await db.query('SELECT role, active, invited_at FROM admin_users')).toEqual([{ role: 'owner', active: true, invited_at: null }]);
    const calendars = await get('/api/admin/calendars', { authorization: `Bearer ${apiToken}` });
    expect(calendars.status, calendars.body).toBe(200);
    expect(JSON.stringify(calendars.json())).toContain(connection);
  }, 120_000);
});
