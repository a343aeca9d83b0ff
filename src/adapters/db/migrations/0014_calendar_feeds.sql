-- The artisan's private calendar feed (issue #9): /api/calendar/{token}.ics. The token is
-- derived from the secrets key, the artisan and a generation (rotating it increments the
-- generation); only its SHA-256 is stored, to find the artisan a request's token belongs to.
CREATE TABLE calendar_feeds (
  artisan_id uuid PRIMARY KEY REFERENCES artisans (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  generation int NOT NULL,
  created_at timestamptz NOT NULL,
  rotated_at timestamptz,
  last_read_at timestamptz
);
