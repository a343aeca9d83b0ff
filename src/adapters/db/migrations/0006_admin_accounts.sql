-- The artisan's sign-in (e-mail + slow password hash), browser sessions and API tokens.
-- Session and API tokens are high-entropy random strings: only their SHA-256 is stored.
CREATE TABLE admin_users (
  id uuid PRIMARY KEY,
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  email text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  password_changed_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE admin_sessions (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX admin_sessions_user ON admin_sessions (user_id);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  -- The first characters, shown in the list so the artisan can tell tokens apart.
  prefix text NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- Bookings taken by the artisan (phone) versus online; erased customers keep their records.
ALTER TABLE bookings ADD COLUMN channel text NOT NULL DEFAULT 'online' CHECK (channel IN ('online', 'phone'));
ALTER TABLE bookings ADD COLUMN anonymized_at timestamptz;
CREATE INDEX bookings_created ON bookings (artisan_id, created_at);
