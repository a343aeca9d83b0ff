-- Triggers *_truncate_version (AFTER TRUNCATE ON bookings, busy_blocks, schedule_exceptions,
-- migration 0003): every artisan's data_version moves.
CREATE OR REPLACE FUNCTION bump_all_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE artisans SET data_version = data_version + 1;
  RETURN NULL;
END
$$;
