-- The read step of a booking creation in one round trip (issue 12, hot paths): the day's
-- context (day_context_since, migration 0003: service, settings, rules, what occupies the
-- window, or just the version when the caller's copy is current), the artisan's calendars
-- due for a sync before the booking (calendar_store.staleForService's condition), and the
-- terms of sale the consent is checked against (the booking page's artisan: the first one).
CREATE FUNCTION booking_context_since(p_service text, p_from timestamptz, p_to timestamptz, p_known bigint,
                                      p_stale_before timestamptz, p_now timestamptz)
RETURNS json LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'day', day_context_since(p_service, p_from, p_to, p_known),
    'stale', coalesce((
      SELECT json_agg(json_build_object('artisanId', c.artisan_id, 'id', c.id))
        FROM calendar_connections c JOIN services s ON s.artisan_id = c.artisan_id
       WHERE s.id = p_service AND (c.last_attempt_at IS NULL OR c.last_attempt_at < p_stale_before)
         AND (c.lease_until IS NULL OR c.lease_until < p_now)), '[]'::json),
    'artisan', (SELECT json_build_object('terms_of_sale', a.terms_of_sale) FROM artisans a ORDER BY a.created_at, a.id LIMIT 1))
$$;

-- An Idempotency-Key's first look in one round trip (src/adapters/db/idempotency-store.ts):
-- an expired record is forgotten, a new key is taken, else the record says replay, mismatch,
-- still in progress, or taken over from a request whose lease ran out (its booking, if any).
-- Each statement sees what committed before it, as the separate statements did.
CREATE FUNCTION idempotency_begin(p_scope text, p_key text, p_hash text, p_now timestamptz, p_expires timestamptz, p_lease timestamptz)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  r record;
  taken uuid;
BEGIN
  DELETE FROM idempotency_keys WHERE scope = p_scope AND key = p_key AND expires_at < p_now;
  INSERT INTO idempotency_keys (scope, key, request_hash, state, expires_at, lease_expires_at)
    VALUES (p_scope, p_key, p_hash, 'in_progress', p_expires, p_lease)
    ON CONFLICT (scope, key) DO NOTHING;
  IF FOUND THEN
    RETURN json_build_object('state', 'new');
  END IF;
  SELECT request_hash, state, response_status, response_body INTO r FROM idempotency_keys WHERE scope = p_scope AND key = p_key;
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
   WHERE scope = p_scope AND key = p_key AND state = 'in_progress' AND (lease_expires_at IS NULL OR lease_expires_at < p_now)
   RETURNING booking_id INTO taken;
  IF FOUND THEN
    RETURN json_build_object('state', 'taken_over', 'booking_id', taken);
  END IF;
  RETURN json_build_object('state', 'in_progress');
END
$$;
