-- Triggers bookings_version, schedule_rules_version, schedule_exceptions_version,
-- services_version (AFTER each row, migration 0003): every change to what availability reads
-- bumps the artisan's data_version in the same transaction (once, bump_version_once). A reader
-- holding the day's data for version N asks "still N?" in its one round trip and skips
-- re-reading when it is: process memory is a cache checked against the database.
CREATE OR REPLACE FUNCTION bump_artisan_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM bump_version_once(OLD.artisan_id);
  END IF;
  IF TG_OP = 'INSERT' OR NEW.artisan_id IS DISTINCT FROM OLD.artisan_id THEN
    PERFORM bump_version_once(NEW.artisan_id);
  END IF;
  RETURN NULL;
END
$$;
