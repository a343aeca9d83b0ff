-- Trigger artisans_version (BEFORE UPDATE ON artisans, migration 0003): a direct change of
-- the artisan row (settings) bumps its data_version, unless this transaction already did
-- (bump_version_once).
CREATE OR REPLACE FUNCTION artisans_bump_own_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bumped text := coalesce(current_setting('artisanconnect.bumped_versions', true), '');
BEGIN
  IF NEW.data_version = OLD.data_version AND position(NEW.id::text IN bumped) = 0 THEN
    NEW.data_version := OLD.data_version + 1;
    PERFORM set_config('artisanconnect.bumped_versions', bumped || NEW.id::text || ',', true);
  END IF;
  RETURN NEW;
END
$$;
