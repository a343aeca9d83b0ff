-- GET /api/services in one round trip: the active services, or only the version when the
-- caller's is still current (no artisan's data_version moved: the services trigger bumps it on
-- every change). PL/pgSQL, so its plans are cached per connection (PGlite plans a plain
-- statement again every time). The version is the sum of the artisans' versions with their
-- count: versions only grow, so any change gives a new one.
CREATE OR REPLACE FUNCTION active_services_since(p_known text) RETURNS json LANGUAGE plpgsql STABLE AS $$
DECLARE
  v text;
BEGIN
  SELECT COALESCE(sum(a.data_version), 0)::text || ':' || count(*)::text INTO v FROM artisans a;
  IF v = p_known THEN
    RETURN json_build_object('version', v);
  END IF;
  RETURN json_build_object('version', v, 'services', COALESCE((
    SELECT json_agg(json_build_object(
      'id', s.id, 'artisan_id', s.artisan_id, 'name', s.name, 'description', s.description,
      'duration_minutes', s.duration_minutes, 'base_price_cents', s.base_price_cents,
      'deposit_rate', s.deposit_rate, 'is_active', s.is_active,
      'buffer_before_minutes', s.buffer_before_minutes, 'buffer_after_minutes', s.buffer_after_minutes,
      'min_notice_minutes', s.min_notice_minutes, 'at_customer', s.at_customer,
      'refund_policy', s.refund_policy) ORDER BY s.sort_order, s.name)
      FROM services s WHERE s.is_active), '[]'::json));
END
$$;
