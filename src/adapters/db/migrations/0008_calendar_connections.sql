-- Calendar sync (issue #9): the artisan's connected calendars, the events this service wrote
-- into them, and the per-connection sync job (a lease in the database, so several instances
-- never sync one calendar at once and a dead instance's lease simply runs out).
CREATE TABLE calendar_connections (
  id uuid PRIMARY KEY,
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  provider_id text NOT NULL CHECK (provider_id IN ('ics', 'caldav', 'google', 'outlook')),
  name text NOT NULL,
  -- What may be shown back (server URL, user name, chosen calendar): never a secret.
  settings jsonb NOT NULL DEFAULT '{}',
  -- Credentials (ICS secret address, CalDAV password, OAuth tokens) as AES-256-GCM
  -- ciphertext bound to the row id; the key is SECRETS_KEY or the generated one.
  secret_ciphertext text NOT NULL,
  write_bookings boolean NOT NULL DEFAULT false,
  next_sync_at timestamptz NOT NULL,
  lease_owner text,
  lease_until timestamptz,
  last_attempt_at timestamptz,
  last_success_at timestamptz,
  -- French, shown to the artisan as is.
  last_error text,
  last_error_at timestamptz,
  last_export_error text,
  last_export_error_at timestamptz,
  last_counts jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX calendar_connections_artisan ON calendar_connections (artisan_id, created_at);
CREATE INDEX calendar_connections_due ON calendar_connections (next_sync_at);

ALTER TABLE busy_blocks ADD CONSTRAINT busy_blocks_connection
  FOREIGN KEY (calendar_connection_id) REFERENCES calendar_connections (id) ON DELETE CASCADE;
CREATE INDEX busy_blocks_connection ON busy_blocks (calendar_connection_id) WHERE calendar_connection_id IS NOT NULL;

-- One row per booking event this service keeps in a writable calendar: where it is and what
-- was written, so an export converges (create, update or delete by the booking's stable UID)
-- and an event the artisan moved or deleted by hand is noticed on the next import.
CREATE TABLE calendar_exports (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  connection_id uuid NOT NULL REFERENCES calendar_connections (id) ON DELETE CASCADE,
  booking_id uuid NOT NULL REFERENCES bookings (id),
  uid text NOT NULL,
  remote_ref text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  -- 'moved' or 'deleted' once flagged to the artisan (so it is flagged once per change).
  drift text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (connection_id, booking_id)
);
CREATE INDEX calendar_exports_artisan ON calendar_exports (artisan_id, booking_id);

-- Busy blocks change in bulk (a calendar import replaces hundreds of rows): one data_version
-- bump per statement instead of one per row, and none at all inside a transaction that
-- declared it bumps the version itself (artisanconnect.version_bumped = 'on', SET LOCAL).
DROP TRIGGER busy_blocks_version ON busy_blocks;

CREATE FUNCTION bump_versions_of_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('artisanconnect.version_bumped', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    UPDATE artisans SET data_version = data_version + 1 WHERE id IN (SELECT artisan_id FROM new_rows);
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE artisans SET data_version = data_version + 1 WHERE id IN (SELECT artisan_id FROM old_rows);
  ELSE
    UPDATE artisans SET data_version = data_version + 1
     WHERE id IN (SELECT artisan_id FROM old_rows UNION SELECT artisan_id FROM new_rows);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER busy_blocks_version_insert AFTER INSERT ON busy_blocks
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_versions_of_rows();
CREATE TRIGGER busy_blocks_version_update AFTER UPDATE ON busy_blocks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_versions_of_rows();
CREATE TRIGGER busy_blocks_version_delete AFTER DELETE ON busy_blocks
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_versions_of_rows();
