-- Trigger artisans_rules_version (BEFORE UPDATE ON artisans, migration 0024): a change of the
-- artisan row itself (settings, terms, plan) moves its rules_version. The version bumps (an
-- UPDATE of data_version or rules_version alone) do not. The trigger's name makes it fire
-- before artisans_version (BEFORE triggers fire in name order), which moves data_version.
CREATE OR REPLACE FUNCTION artisans_bump_own_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.data_version = OLD.data_version AND NEW.rules_version = OLD.rules_version THEN
    NEW.rules_version := OLD.rules_version + 1;
  END IF;
  RETURN NEW;
END
$$;
