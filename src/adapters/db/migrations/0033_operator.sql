-- The operator: the company running the instance (issue 19, item 4). It signs in to its own
-- console (/operator), separate from the artisans' back office, and suspends, resumes or
-- changes the plan of a business; each of these actions is kept in its audit.
--
-- operator_users, operator_sessions and operator_audit are instance-level tables: they belong
-- to no business, so they carry no artisan_id (they are on the tenancy allow-list). The audit
-- names the business it acted on (artisan_id, without a foreign key: the entry outlives it).
CREATE TABLE operator_users (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  password_changed_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE operator_sessions (
  token_hash text PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operator_users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id);

CREATE TABLE operator_audit (
  id uuid PRIMARY KEY,
  operator_id uuid REFERENCES operator_users (id) ON DELETE SET NULL,
  -- Kept as it was when acting: the account may be renamed or removed later.
  operator_email text NOT NULL,
  action text NOT NULL CHECK (action IN ('suspend', 'resume', 'plan')),
  artisan_id uuid NOT NULL,
  artisan_name text NOT NULL,
  -- What changed (e.g. {"from": "starter", "to": "pro"} for a plan).
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL,
  -- Insertion order, for actions made within the same instant.
  seq bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX operator_audit_created ON operator_audit (created_at DESC, seq DESC);

-- A suspended business keeps its data and its back office, but its pages take no booking.
ALTER TABLE artisans ADD COLUMN suspended_at timestamptz;
-- The console's "last activity": the latest booking or sign-in.
ALTER TABLE admin_users ADD COLUMN last_sign_in_at timestamptz;
