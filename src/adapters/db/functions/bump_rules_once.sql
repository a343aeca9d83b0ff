-- The artisan's rules_version moves once per transaction, like bump_version_once: the artisan
-- row records the transaction that last moved it (rules_bumped_in, migration 0066), so a later
-- write in the same transaction finds it bumped with one index probe, whatever the number of
-- businesses the transaction touches. A rolled-back savepoint takes the row version, so its
-- bump, back with it.
CREATE OR REPLACE FUNCTION bump_rules_once(p_artisan uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_artisan IS NULL THEN
    RETURN;
  END IF;
  UPDATE artisans SET rules_version = rules_version + 1, rules_bumped_in = pg_current_xact_id()
   WHERE id = p_artisan AND rules_bumped_in IS DISTINCT FROM pg_current_xact_id();
END
$$;
