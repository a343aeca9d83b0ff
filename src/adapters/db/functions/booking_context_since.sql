-- The read step of a booking creation in one round trip: the day's context
-- (day_context_since: service, settings, rules, what occupies the window, or just the version
-- when the caller's copy is current), the artisan's calendars due for a sync before the
-- booking, the terms of sale the consent is checked against (the business's) and the rules
-- stamp a later hold-first request sends back (rules_stamp). Like an availability read, the day
-- leaves the business's rules out while the caller's copy (p_known_rules) is current.
DROP FUNCTION IF EXISTS booking_context_since(text, timestamptz, timestamptz, bigint, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS booking_context_since(uuid, text, timestamptz, timestamptz, bigint, timestamptz, timestamptz);
CREATE OR REPLACE FUNCTION booking_context_since(p_artisan uuid, p_service text, p_from timestamptz, p_to timestamptz, p_known bigint,
                                                 p_stale_before timestamptz, p_now timestamptz, p_known_rules bigint DEFAULT NULL)
RETURNS json LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'day', day_context_since(p_artisan, p_service, p_from, p_to, p_known, p_known_rules),
    'stale', coalesce((
      SELECT json_agg(json_build_object('artisanId', c.artisan_id, 'id', c.id))
        FROM calendar_connections c
       WHERE c.artisan_id = p_artisan AND calendar_due_for_sync(c.last_attempt_at, c.lease_until, p_stale_before, p_now)), '[]'::json),
    'artisan', (SELECT json_build_object('terms_of_sale', a.terms_of_sale) FROM artisans a WHERE a.id = p_artisan),
    'rules', rules_stamp(p_artisan))
$$;
