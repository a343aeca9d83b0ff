-- The artisan's rules_version moves once per transaction, like bump_version_once: the
-- artisans already bumped are kept in a transaction-local setting.
CREATE OR REPLACE FUNCTION bump_rules_once(p_artisan uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  bumped text := coalesce(current_setting('artisanconnect.bumped_rules', true), '');
BEGIN
  IF p_artisan IS NULL OR position(p_artisan::text IN bumped) > 0 THEN
    RETURN;
  END IF;
  PERFORM set_config('artisanconnect.bumped_rules', bumped || p_artisan::text || ',', true);
  UPDATE artisans SET rules_version = rules_version + 1 WHERE id = p_artisan;
END
$$;
