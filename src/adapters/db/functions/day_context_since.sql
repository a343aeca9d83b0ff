-- The day's data, or only the version when the caller's is still current; NULL when the
-- business has no such service. One call, one round trip, a plan cached per connection.
-- The day is {version, rules_version, rules, day}: `day` (day_occupations) always, `rules`
-- (day_rules) only when the caller's copy of them (p_known_rules, the rules_version it was read
-- at) is not current, so that a day not yet read costs only the day's own rows.
DROP FUNCTION IF EXISTS day_context_since(text, timestamptz, timestamptz, bigint);
DROP FUNCTION IF EXISTS day_context_since(uuid, text, timestamptz, timestamptz, bigint);
CREATE OR REPLACE FUNCTION day_context_since(p_artisan uuid, p_service text, p_from timestamptz, p_to timestamptz, p_known bigint,
                                             p_known_rules bigint DEFAULT NULL)
RETURNS json LANGUAGE plpgsql STABLE AS $$
DECLARE
  v bigint;
  rv bigint;
BEGIN
  SELECT a.data_version, a.rules_version INTO v, rv FROM services s JOIN artisans a ON a.id = s.artisan_id WHERE s.artisan_id = p_artisan AND s.id = p_service;
  IF v IS NULL THEN
    RETURN NULL;
  END IF;
  IF v = p_known THEN
    RETURN json_build_object('version', v::text);
  END IF;
  IF rv = p_known_rules THEN
    RETURN json_build_object('version', v::text, 'rules_version', rv::text, 'day', day_occupations(p_artisan, p_from, p_to));
  END IF;
  RETURN json_build_object('version', v::text, 'rules_version', rv::text, 'rules', day_rules(p_artisan, p_service),
                           'day', day_occupations(p_artisan, p_from, p_to));
END
$$;
