-- An Idempotency-Key's first look in one round trip (src/adapters/db/idempotency-store.ts):
-- an expired record is forgotten, a new key is taken, else the record says replay, mismatch,
-- still in progress, or taken over from a request whose lease ran out (its booking, if any).
-- Each statement sees what committed before it, as separate statements would.
DROP FUNCTION IF EXISTS idempotency_begin(text, text, text, timestamptz, timestamptz, timestamptz);
CREATE OR REPLACE FUNCTION idempotency_begin(p_artisan uuid, p_scope text, p_key text, p_hash text, p_now timestamptz, p_expires timestamptz, p_lease timestamptz)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  r record;
  taken uuid;
BEGIN
  DELETE FROM idempotency_keys WHERE artisan_id = p_artisan AND scope = p_scope AND key = p_key AND expires_at < p_now;
  INSERT INTO idempotency_keys (artisan_id, scope, key, request_hash, state, expires_at, lease_expires_at)
    VALUES (p_artisan, p_scope, p_key, p_hash, 'in_progress', p_expires, p_lease)
    ON CONFLICT (artisan_id, scope, key) DO NOTHING;
  IF FOUND THEN
    RETURN json_build_object('state', 'new');
  END IF;
  SELECT request_hash, state, response_status, response_body INTO r FROM idempotency_keys WHERE artisan_id = p_artisan AND scope = p_scope AND key = p_key;
  IF NOT FOUND THEN
    RETURN json_build_object('state', 'in_progress');
  END IF;
  IF r.request_hash <> p_hash THEN
    RETURN json_build_object('state', 'mismatch');
  END IF;
  IF r.state = 'done' AND r.response_status IS NOT NULL THEN
    RETURN json_build_object('state', 'replay', 'status', r.response_status, 'body', r.response_body);
  END IF;
  -- In progress: the lease decides. One retry takes an expired lease over (the UPDATE is atomic).
  UPDATE idempotency_keys SET lease_expires_at = p_lease
   WHERE artisan_id = p_artisan AND scope = p_scope AND key = p_key AND state = 'in_progress' AND (lease_expires_at IS NULL OR lease_expires_at < p_now)
   RETURNING booking_id INTO taken;
  IF FOUND THEN
    RETURN json_build_object('state', 'taken_over', 'booking_id', taken);
  END IF;
  RETURN json_build_object('state', 'in_progress');
END
$$;
