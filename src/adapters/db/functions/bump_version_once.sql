-- The artisan's data_version moves once per transaction, not once per written row: readers
-- only ever compare committed versions, so one bump per transaction tells them the same thing.
-- Which artisans were bumped is kept in a transaction-local setting (set_config(..., true)):
-- reset at commit or rollback, and a rolled-back savepoint takes its part back with it.
CREATE OR REPLACE FUNCTION bump_version_once(p_artisan uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  bumped text := coalesce(current_setting('artisanconnect.bumped_versions', true), '');
BEGIN
  IF p_artisan IS NULL OR position(p_artisan::text IN bumped) > 0 THEN
    RETURN;
  END IF;
  PERFORM set_config('artisanconnect.bumped_versions', bumped || p_artisan::text || ',', true);
  UPDATE artisans SET data_version = data_version + 1 WHERE id = p_artisan;
END
$$;
