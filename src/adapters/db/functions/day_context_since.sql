-- The day's data (day_context), or only the version when the caller's is still current; NULL
-- when the business has no such service. One call, one round trip, a plan cached per connection.
DROP FUNCTION IF EXISTS day_context_since(text, timestamptz, timestamptz, bigint);
CREATE OR REPLACE FUNCTION day_context_since(p_artisan uuid, p_service text, p_from timestamptz, p_to timestamptz, p_known bigint)
RETURNS json LANGUAGE plpgsql STABLE AS $$
DECLARE
  v bigint;
BEGIN
  SELECT a.data_version INTO v FROM services s JOIN artisans a ON a.id = s.artisan_id WHERE s.artisan_id = p_artisan AND s.id = p_service;
  IF v IS NULL THEN
    RETURN NULL;
  END IF;
  IF v = p_known THEN
    RETURN json_build_object('version', v::text);
  END IF;
  RETURN json_build_object('version', v::text, 'ctx', day_context(p_artisan, p_service, p_from, p_to));
END
$$;
