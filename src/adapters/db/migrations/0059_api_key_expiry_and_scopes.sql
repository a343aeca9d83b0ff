-- API keys (issue 21, item 4): an optional expiry (an expired key is refused at once), and the
-- finer scopes integrations ask for: availability read, services read and write.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;

ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_known;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_known
  CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY[
    'bookings:read', 'bookings:write', 'availability:read', 'services:read', 'services:write',
    'settings', 'calendars', 'export', 'webhooks:manage'
  ]::text[]);
