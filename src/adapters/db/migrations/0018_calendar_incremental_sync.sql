-- Incremental calendar sync (issue #9): Google's sync token and Microsoft Graph's delta link
-- are kept per connection, with the remote events they were applied to. Each sync applies the
-- changes to that copy and expands the whole copy over the current booking horizon, so the
-- horizon moving forward needs no new full read (Google's syncToken cannot be combined with
-- timeMin/timeMax). A NULL cursor means the next read is a full one.
ALTER TABLE calendar_connections ADD COLUMN sync_cursor text;

CREATE TABLE calendar_remote_events (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  connection_id uuid NOT NULL REFERENCES calendar_connections (id) ON DELETE CASCADE,
  remote_id text NOT NULL,
  -- The provider's event as the connector needs it to expand it (times, recurrence, status).
  data jsonb NOT NULL,
  PRIMARY KEY (connection_id, remote_id)
);
CREATE INDEX calendar_remote_events_artisan ON calendar_remote_events (artisan_id, connection_id);

-- An export is recorded before the remote write (writing_since set) and confirmed after it:
-- a sync listing the calendar in between must not take the event being written for one the
-- artisan moved or deleted by hand (remote_ref is empty until the provider has named it).
ALTER TABLE calendar_exports ADD COLUMN writing_since timestamptz;
