/**
 * The platform dataset of issue 19, generated in SQL (generate_series, a few INSERT … SELECT per
 * table, never through HTTP): businesses `entreprise-{n}` (Europe/Paris, open Mon–Fri
 * 08:30–18:00 with a 12:00–13:00 break, plan pro), each with the services `diag` (30 min) and
 * `urgence` (60 min), both with a deposit, and `devis` (30 min, free: no deposit), and
 * `bookingsPerBusiness` bookings on its weekdays: two a day (one in the
 * morning from 09:00, one in the afternoon from 14:00, never overlapping), 70 % of the weeks in
 * the past and 30 % from this week on, one in ten cancelled; each active booking has its
 * 'booking' busy block, as the service writes one. Businesses are numbered, so a second call
 * can add more (e.g. businesses without bookings for the memory step).
 *
 * `legacy`: the schema before migration 0029 (the previous release), where a service id is
 * unique on the whole instance and there is no slug: the services are `diag-{n}` and
 * `urgence-{n}`. Used to time the upgrade on the same volume.
 */
import type { Queryable } from '../src/adapters/db/database.ts';
import { DEFAULT_REFUND_POLICY } from '../src/domain/refund-policy.ts';

export const PLATFORM_EMAIL_DOMAIN = 'bench-platform.exemple.fr';
export const slugOfBusiness = (n: number): string => `entreprise-${n}`;
/** The weekdays of bookings per business: two bookings a day. */
export const weeksOfBookings = (bookingsPerBusiness: number): { past: number; ahead: number } => {
  const weeks = Math.ceil(bookingsPerBusiness / 2 / 5);
  const past = Math.round(weeks * 0.7);
  return { past, ahead: weeks - past };
};

export interface PlatformOptions {
  /** Businesses numbered first..last (inclusive). */
  first: number;
  last: number;
  bookingsPerBusiness: number;
  legacy?: boolean;
  /** Businesses per INSERT of bookings (progress is logged after each). */
  chunk?: number;
  log?: (text: string) => void;
}

export interface PlatformSummary {
  businesses: number;
  bookings: number;
  busyBlocks: number;
  seconds: number;
}

// The id of business n: stable, so that every step (and a second call) finds it again.
const ID = `md5('bench-platform-' || g)::uuid`;
// 'AC-' and the row number in base 36 on 6 characters: unique, in the product's format.
const B36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const code = (n: string): string =>
  `'AC-' || ${[60_466_176, 1_679_616, 46_656, 1_296, 36, 1].map((p) => `substr('${B36}', ((${n} / ${p}) % 36)::int + 1, 1)`).join(' || ')}`;

export async function generatePlatform(db: Queryable, options: PlatformOptions): Promise<PlatformSummary> {
  const started = performance.now();
  const { first, last, bookingsPerBusiness: perBusiness, legacy = false } = options;
  const log = options.log ?? (() => {});
  const range = [first, last];
  const chunk = options.chunk ?? 1_000;
  const suffix = legacy ? `|| '-' || g` : '';
  // By chunks of businesses, each statement its own transaction: the triggers that bump a
  // business's versions once per transaction (bump_rules_once, bump_version_once) keep the
  // businesses already bumped in a string they search for each row, so one statement for
  // 50,000 businesses never ends (quadratic), while 1,000 at a time take a second or two.
  for (let from = first; from <= last; from += chunk) {
    const part = [from, Math.min(last, from + chunk - 1)];
    await db.query(
      `INSERT INTO artisans (id, display_name, email, phone, timezone, plan, slot_step_minutes, min_notice_minutes, booking_horizon_days, trade${legacy ? '' : ', slug'})
       SELECT ${ID}, 'Entreprise ' || g, 'pro' || g || '@${PLATFORM_EMAIL_DOMAIN}', '+33612345678', 'Europe/Paris', 'pro', 30, 120, 90, 'Plombier'
              ${legacy ? '' : `, 'entreprise-' || g`}
         FROM generate_series($1::int, $2::int) g`,
      part,
    );
    await db.query(
      `INSERT INTO schedule_rules (id, artisan_id, kind, day_of_week, start_minutes, end_minutes)
       SELECT gen_random_uuid(), ${ID}, r.kind, d, r.s, r.e
         FROM generate_series($1::int, $2::int) g, generate_series(1, 5) d, (VALUES ('opening', 510, 1080), ('break', 720, 780)) r (kind, s, e)`,
      part,
    );
    await db.query(
      `INSERT INTO services (id, artisan_id, name, description, duration_minutes, base_price_cents, deposit_rate, sort_order)
       SELECT s.id ${suffix}, ${ID}, s.name, s.description, s.minutes, s.price, s.rate, s.sort
         FROM generate_series($1::int, $2::int) g,
              (VALUES ('diag', 'Diagnostic et audit complet', 'Diagnostic avec rapport détaillé', 30, 4000, 0.3::float8, 1),
                      ('urgence', 'Intervention urgente', 'Dépannage dans la journée', 60, 12000, 0.4::float8, 2),
                      ('devis', 'Devis sur place', 'Visite et devis gratuits', 30, 0, 0::float8, 3)) s (id, name, description, minutes, price, rate, sort)`,
      part,
    );
    // Each business has its back-office login, as every real one does: the service gives a login
    // (a password hashed at start-up) to every business without one, 10,000 hashes at the first
    // start otherwise. The hash is not a valid one: nobody signs in with these.
    await db.query(
      `INSERT INTO admin_users (id, artisan_id, email, password_hash, password_changed_at, created_at)
       SELECT gen_random_uuid(), ${ID}, 'pro' || g || '@${PLATFORM_EMAIL_DOMAIN}', 'bench-platform: no password', now(), now()
         FROM generate_series($1::int, $2::int) g`,
      part,
    );
  }
  log(`${last - first + 1} businesses with hours, 3 services and a login each`);
  let bookings = 0;
  if (perBusiness > 0) {
    const { past } = weeksOfBookings(perBusiness);
    for (let from = first; from <= last; from += chunk) {
      const to = Math.min(last, from + chunk - 1);
      // k: the business's k-th booking; w = k / 2 its weekday (Monday of the first week + whole
      // weeks + day in the week); n: the row number over the platform, for a unique code.
      const rows = await db.query<{ n: number }>(
        `WITH s AS (
           SELECT g, k, (g::bigint - 1) * $3 + k AS n, k / 2 AS w, k % 2 AS half,
                  ((g + k) % 5 = 1) AS long, ((g + k) % 10 = 0) AS cancelled
             FROM generate_series($1::int, $2::int) g, generate_series(0, $3 - 1) k
         ), t AS (
           SELECT s.*, ((date_trunc('week', now() AT TIME ZONE 'Europe/Paris')::date - $4::int * 7 + (w / 5) * 7 + w % 5)
                        + make_interval(mins => CASE half WHEN 0 THEN 540 + ((g + w) % 4) * 30 ELSE 840 + ((g * 7 + w) % 6) * 30 END))
                       AT TIME ZONE 'Europe/Paris' AS starts_at
             FROM s
         ), inserted AS (
           INSERT INTO bookings (id, artisan_id, service_id, service_name, public_code, customer_name, customer_email, customer_phone,
                                 starts_at, ends_at, blocked_range, duration_minutes, price_cents, deposit_rate, deposit_cents,
                                 payment_status, status, refund_policy, notify_email, notify_sms, cancelled_at, cancelled_by, created_at, updated_at)
           SELECT gen_random_uuid(), ${ID}, CASE WHEN long THEN 'urgence' ELSE 'diag' END ${suffix},
                  CASE WHEN long THEN 'Intervention urgente' ELSE 'Diagnostic et audit complet' END,
                  ${code('n')}, 'Client ' || n, 'client' || n || '@exemple.fr', '0612345678',
                  starts_at, starts_at + make_interval(mins => CASE WHEN long THEN 60 ELSE 30 END),
                  tstzrange(starts_at, starts_at + make_interval(mins => CASE WHEN long THEN 60 ELSE 30 END)),
                  CASE WHEN long THEN 60 ELSE 30 END, CASE WHEN long THEN 12000 ELSE 4000 END, CASE WHEN long THEN 0.4 ELSE 0.3 END,
                  CASE WHEN long THEN 4800 ELSE 1200 END, CASE WHEN cancelled THEN 'refunded' ELSE 'captured' END,
                  CASE WHEN cancelled THEN 'cancelled' ELSE 'confirmed' END, $5::jsonb, true, false,
                  CASE WHEN cancelled THEN starts_at - interval '2 days' END, CASE WHEN cancelled THEN 'customer' END,
                  starts_at - interval '7 days', starts_at - interval '7 days'
             FROM t
           RETURNING 1
         )
         SELECT count(*)::int AS n FROM inserted`,
        [from, to, perBusiness, past, JSON.stringify(DEFAULT_REFUND_POLICY)],
      );
      bookings += rows[0]?.n ?? 0;
      log(`bookings of businesses ${from}..${to}: ${bookings} so far, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  }
  const blocks = await db.query<{ n: number }>(
    `WITH inserted AS (
       INSERT INTO busy_blocks (id, artisan_id, provider_id, source, summary, starts_at, ends_at, booking_id)
       SELECT gen_random_uuid(), b.artisan_id, 'artisanconnect', 'booking', b.service_name || ' - ' || b.customer_name, b.starts_at, b.ends_at, b.id
         FROM bookings b JOIN generate_series($1::int, $2::int) g ON b.artisan_id = ${ID}
        WHERE booking_holds_slot(b.status)
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM inserted`,
    range,
  );
  return { businesses: last - first + 1, bookings, busyBlocks: blocks[0]?.n ?? 0, seconds: (performance.now() - started) / 1000 };
}
