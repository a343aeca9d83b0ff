-- GET /api/services in one round trip: a business's active services, or only the version when
-- the caller's is still current (its data_version did not move: the services trigger bumps it
-- on every change). PL/pgSQL, so its plans are cached per connection (PGlite plans a plain
-- statement again every time). NULL when the business does not exist.
DROP FUNCTION IF EXISTS active_services_since(text);
CREATE OR REPLACE FUNCTION active_services_since(p_artisan uuid, p_known text) RETURNS json LANGUAGE plpgsql STABLE AS $$
DECLARE
  v text;
BEGIN
  SELECT a.data_version::text INTO v FROM artisans a WHERE a.id = p_artisan;
  IF v IS NULL THEN
    RETURN NULL;
  END IF;
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
      'maintenance_interval_months', s.maintenance_interval_months,
      'refund_policy', s.refund_policy) ORDER BY s.sort_order, s.name)
      FROM services s WHERE s.artisan_id = p_artisan AND s.is_active), '[]'::json));
END
$$;
