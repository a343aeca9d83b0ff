-- "Mot de passe oublié" (issue 19, item 3): a single-use link e-mailed to the account, valid
-- for an hour. Only the SHA-256 of the link's secret is stored; using it sets the password,
-- ends the account's sessions and marks the row used.
--
-- An artisan's reset belongs to their business: artisan_id leads its primary key, and the
-- link carries the business id beside the secret, so the lookup is scoped by it.
CREATE TABLE admin_password_resets (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  token_hash text NOT NULL,
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (artisan_id, token_hash),
  FOREIGN KEY (artisan_id, user_id) REFERENCES admin_users (artisan_id, id) ON DELETE CASCADE
);
CREATE INDEX admin_password_resets_user ON admin_password_resets (artisan_id, user_id, created_at);

-- The operator's resets: an instance-level table (no business; on the tenancy allow-list).
CREATE TABLE operator_password_resets (
  token_hash text PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operator_users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX operator_password_resets_operator ON operator_password_resets (operator_id, created_at);
