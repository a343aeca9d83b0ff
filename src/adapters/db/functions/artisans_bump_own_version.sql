-- Trigger artisans_version (BEFORE UPDATE ON artisans, migration 0003): a direct change of
-- the artisan row (settings) bumps its data_version, unless this transaction already did
-- (bump_version_once): then the row version being changed is this transaction's own.
CREATE OR REPLACE FUNCTION artisans_bump_own_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.data_version = OLD.data_version THEN
    IF NOT EXISTS (SELECT 1 FROM artisans a WHERE a.id = OLD.id
                      AND a.xmin::text::bigint = pg_current_xact_id()::text::bigint % 4294967296) THEN
      NEW.data_version := OLD.data_version + 1;
    END IF;
  END IF;
  RETURN NEW;
END
$$;
