-- Self-service sign-up (issue 19, item 3). A tradesperson creates their business and its
-- owner sign-in; the business stays unpublished until the address is confirmed by an
-- e-mailed link.
--
-- artisans.unconfirmed_since: set while the sign-up waits for its confirmation. Such a
-- business answers like an unknown one (its slug, host and the sole-business fallback skip
-- it) and its owner cannot sign in. NULL for every business made before (seed, first start).
ALTER TABLE artisans ADD COLUMN unconfirmed_since timestamptz;

-- The confirmation links: like the password resets (0034), only the SHA-256 of the link's
-- secret is kept, the link carries the business id beside it, and a row is used once.
CREATE TABLE signup_confirmations (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (artisan_id, token_hash)
);
CREATE INDEX signup_confirmations_created ON signup_confirmations (artisan_id, created_at);

-- The operator's invitations (SIGNUP=invite): an instance-level table, since an invitation
-- exists before its business does (on the tenancy allow-list). Optionally bound to an e-mail.
CREATE TABLE signup_invites (
  token_hash text PRIMARY KEY,
  email text,
  operator_id uuid REFERENCES operator_users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  -- The business the invitation made (no foreign key: the entry outlives a purged sign-up).
  used_by_artisan_id uuid
);
