-- ArtisanConnect initial schema. Times are timestamptz (UTC instants); wall-clock rules
-- are minutes since local midnight in the artisan's IANA zone.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE artisans (
  id uuid PRIMARY KEY,
  display_name text NOT NULL,
  email text NOT NULL,
  phone text,
  timezone text NOT NULL,
  plan text NOT NULL CHECK (plan IN ('starter', 'pro', 'business')),
  slot_step_minutes int NOT NULL DEFAULT 30 CHECK (slot_step_minutes BETWEEN 5 AND 240),
  min_notice_minutes int NOT NULL DEFAULT 120 CHECK (min_notice_minutes >= 0),
  booking_horizon_days int NOT NULL DEFAULT 90 CHECK (booking_horizon_days BETWEEN 1 AND 730),
  closed_on_public_holidays boolean NOT NULL DEFAULT true,
  reminder_hours_before int NOT NULL DEFAULT 24,
  calendar_sync_enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Weekly opening ranges and breaks (contract: OpeningRule / TimeRangeRule).
CREATE TABLE schedule_rules (
  id uuid PRIMARY KEY,
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('opening', 'break')),
  day_of_week int NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
  start_minutes int NOT NULL CHECK (start_minutes BETWEEN 0 AND 1439),
  end_minutes int NOT NULL CHECK (end_minutes BETWEEN 1 AND 1440),
  CHECK (start_minutes < end_minutes)
);
CREATE INDEX schedule_rules_artisan ON schedule_rules (artisan_id);

-- Dated exceptions: a closed day, or special hours replacing the weekly rules.
CREATE TABLE schedule_exceptions (
  id uuid PRIMARY KEY,
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  date date NOT NULL,
  closed boolean NOT NULL,
  ranges jsonb NOT NULL DEFAULT '[]',
  UNIQUE (artisan_id, date)
);

CREATE TABLE services (
  id text PRIMARY KEY,
  artisan_id uuid NOT NULL REFERENCES artisans (id),
  name text NOT NULL,
  description text,
  duration_minutes int NOT NULL CHECK (duration_minutes BETWEEN 5 AND 1440),
  base_price_cents int NOT NULL CHECK (base_price_cents >= 0),
  deposit_rate double precision NOT NULL DEFAULT 0.3 CHECK (deposit_rate >= 0 AND deposit_rate <= 1),
  is_active boolean NOT NULL DEFAULT true,
  sort_order int NOT NULL DEFAULT 0,
  -- NULL means the default policy (decisions §6).
  refund_policy jsonb,
  buffer_before_minutes int NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 240),
  buffer_after_minutes int NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 240),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- 'pending_payment' is the live hold taken while the deposit is being authorised; it
-- blocks the slot like a confirmed booking. 'payment_failed' and 'expired' never did.
CREATE TABLE bookings (
  id uuid PRIMARY KEY,
  public_code text NOT NULL UNIQUE CHECK (public_code ~ '^AC-[A-Z0-9]{6}$'),
  artisan_id uuid NOT NULL REFERENCES artisans (id),
  service_id text NOT NULL REFERENCES services (id),
  service_name text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending_payment', 'confirmed', 'rescheduled', 'cancelled', 'payment_failed', 'expired')),
  customer_name text NOT NULL,
  customer_email text NOT NULL,
  customer_phone text,
  customer_address jsonb,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  duration_minutes int NOT NULL CHECK (duration_minutes > 0),
  -- The time the booking takes from the artisan's day: [start - buffer, end + buffer).
  blocked_range tstzrange NOT NULL,
  price_cents int NOT NULL CHECK (price_cents >= 0),
  deposit_rate double precision NOT NULL,
  deposit_cents int NOT NULL CHECK (deposit_cents >= 0),
  currency text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
  payment_status text NOT NULL CHECK (payment_status IN ('pending', 'authorized', 'captured', 'refunded', 'failed')),
  payment_provider text,
  payment_intent_id text,
  payment_method_id text,
  refund_cents int NOT NULL DEFAULT 0,
  refund_policy jsonb NOT NULL,
  hold_expires_at timestamptz,
  notify_email boolean NOT NULL,
  notify_sms boolean NOT NULL,
  cancelled_at timestamptz,
  cancelled_by text CHECK (cancelled_by IN ('customer', 'artisan', 'system')),
  cancellation_reason text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK (ends_at > starts_at),
  -- No two active bookings of one artisan may overlap, whatever the number of processes.
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (artisan_id WITH =, blocked_range WITH &&)
    WHERE (status IN ('pending_payment', 'confirmed', 'rescheduled'))
);
CREATE INDEX bookings_email ON bookings (customer_email);
CREATE INDEX bookings_starts ON bookings (artisan_id, starts_at);
CREATE INDEX bookings_stale_holds ON bookings (hold_expires_at) WHERE status = 'pending_payment';

-- Busy time: imported calendar events ('external'), manual time off (provider 'manual'),
-- and the export entry of each active booking ('booking', linked by booking_id).
CREATE TABLE busy_blocks (
  id uuid PRIMARY KEY,
  artisan_id uuid NOT NULL REFERENCES artisans (id),
  provider_id text NOT NULL,
  source text NOT NULL CHECK (source IN ('external', 'booking')),
  summary text NOT NULL DEFAULT '',
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  during tstzrange GENERATED ALWAYS AS (tstzrange(starts_at, ends_at)) STORED,
  booking_id uuid UNIQUE REFERENCES bookings (id),
  calendar_connection_id uuid,
  external_uid text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK ((source = 'booking') = (booking_id IS NOT NULL))
);
CREATE INDEX busy_blocks_during ON busy_blocks USING gist (artisan_id, during);

-- Durable history of every booking change: who, when, what.
CREATE TABLE booking_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  booking_id uuid NOT NULL REFERENCES bookings (id),
  type text NOT NULL,
  actor text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX booking_events_booking ON booking_events (booking_id, id);

-- Transactional outbox: written in the booking's transaction, consumed by workers
-- (notifications, calendar export, deposit settlement). Reminders are rows due later.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  topic text NOT NULL,
  booking_id uuid REFERENCES bookings (id),
  payload jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead', 'cancelled')),
  attempts int NOT NULL DEFAULT 0,
  max_attempts int NOT NULL DEFAULT 10,
  run_at timestamptz NOT NULL DEFAULT now(),
  locked_by text,
  locked_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz
);
CREATE INDEX outbox_due ON outbox (run_at) WHERE status = 'pending';
CREATE INDEX outbox_booking ON outbox (booking_id);

-- Idempotency-Key records for booking creation (24 h).
CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  state text NOT NULL CHECK (state IN ('in_progress', 'done')),
  response_status int,
  response_body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
