-- API token scopes and makers (issue 18): a token may do only what its scopes allow
-- (bookings:read, bookings:write, settings, calendars, export), and a token made by another
-- token is revoked with it. Token management, the password and the backup are for the
-- artisan's session only: that is checked by the HTTP guard, not stored here.
--
-- Tokens that exist at upgrade get every scope. This migration cannot know which routes each
-- integration calls, and taking a scope away would break it without a word (a nightly
-- customer export, a calendar sync); only what the issue takes from every token stops
-- working: token management, the password and the backup. The artisan sees each token's
-- scopes and last use in the back office, and replaces a token by a narrower one at will.
--
-- Which token made which was never recorded before this migration: tokens made by a token
-- until now have no maker (NULL) and are revoked one by one. From now on tokens are made by
-- the session, so the column is set only when the use case is called with a token.
ALTER TABLE api_tokens
  ADD COLUMN scopes text[] NOT NULL DEFAULT ARRAY['bookings:read', 'bookings:write', 'settings', 'calendars', 'export']::text[],
  ADD COLUMN created_by_token_id uuid REFERENCES api_tokens (id) ON DELETE SET NULL;
-- New tokens always state their scopes.
ALTER TABLE api_tokens ALTER COLUMN scopes DROP DEFAULT;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_known
  CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['bookings:read', 'bookings:write', 'settings', 'calendars', 'export']::text[]);
CREATE INDEX api_tokens_created_by ON api_tokens (created_by_token_id) WHERE created_by_token_id IS NOT NULL;
