-- A service's day in one value: the service, its artisan's settings and rules (day_rules), the
-- day's exceptions and everything occupying the window (day_occupations). The hot path calls
-- day_context_since instead, which can leave the rules out; this is the same day, whole.
DROP FUNCTION IF EXISTS day_context(text, timestamptz, timestamptz);
CREATE OR REPLACE FUNCTION day_context(p_artisan uuid, p_service text, p_from timestamptz, p_to timestamptz) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  rules json := day_rules(p_artisan, p_service);
BEGIN
  IF rules IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN (rules::jsonb || day_occupations(p_artisan, p_from, p_to)::jsonb)::json;
END
$$;
