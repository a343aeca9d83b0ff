-- bump_rules_once without its transaction-local list of the businesses already bumped, searched
-- with position() for every written row: a transaction writing the rules of many businesses (a
-- bulk import, a migration touching every business's hours) was quadratic in them. The artisan
-- row now records the transaction that last moved its rules_version (a 64-bit transaction id,
-- never reused); a write in the same transaction finds it there with one index probe. A rolled-
-- back savepoint takes the row version back with it, so the next write bumps again.
ALTER TABLE artisans ADD COLUMN rules_bumped_in xid8;

CREATE OR REPLACE FUNCTION bump_rules_once(p_artisan uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_artisan IS NULL THEN
    RETURN;
  END IF;
  UPDATE artisans SET rules_version = rules_version + 1, rules_bumped_in = pg_current_xact_id()
   WHERE id = p_artisan AND rules_bumped_in IS DISTINCT FROM pg_current_xact_id();
END
$$;
