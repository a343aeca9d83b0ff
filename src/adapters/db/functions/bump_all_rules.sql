-- Triggers *_truncate_rules (AFTER TRUNCATE ON schedule_rules, schedule_exceptions, services,
-- migration 0024): every artisan's rules_version moves.
CREATE OR REPLACE FUNCTION bump_all_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE artisans SET rules_version = rules_version + 1;
  RETURN NULL;
END
$$;
