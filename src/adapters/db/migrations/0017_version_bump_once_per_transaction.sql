-- The artisan's data_version moves once per transaction, not once per written row: a booking
-- taken (booking row, its event, later its busy block…) used to update the artisan row three
-- times or more, each a new row version under the same lock. Readers only ever compare
-- committed versions, so one bump per transaction tells them the same thing. Which artisans
-- were bumped is kept in a transaction-local setting (set_config(..., true)): it is reset at
-- commit or rollback, and a rolled-back savepoint takes its part back with it.
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

-- A direct change of the artisan row (settings) bumps it too, unless this transaction already did.
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

-- The statement-level triggers of busy blocks (migration 0008) bump through the same function:
-- a calendar import and the booking written in the same transaction move the version once.
CREATE OR REPLACE FUNCTION bump_versions_of_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  a uuid;
BEGIN
  IF coalesce(current_setting('artisanconnect.version_bumped', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    FOR a IN SELECT DISTINCT artisan_id FROM new_rows LOOP
      PERFORM bump_version_once(a);
    END LOOP;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    FOR a IN SELECT DISTINCT artisan_id FROM old_rows LOOP
      PERFORM bump_version_once(a);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;
