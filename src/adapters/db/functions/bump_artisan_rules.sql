-- Triggers schedule_rules_rules, schedule_exceptions_rules, services_rules (AFTER each row,
-- migration 0024): what decides the offered times changed, so the artisan's rules_version
-- moves (once per transaction, bump_rules_once). Bookings and busy blocks never move it.
CREATE OR REPLACE FUNCTION bump_artisan_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM bump_rules_once(OLD.artisan_id);
  END IF;
  IF TG_OP = 'INSERT' OR NEW.artisan_id IS DISTINCT FROM OLD.artisan_id THEN
    PERFORM bump_rules_once(NEW.artisan_id);
  END IF;
  RETURN NULL;
END
$$;
