-- GET /api/admin/agenda in one round trip: the week's bookings as the agenda shows them, or
-- only the version when the caller's is still current. Everything the agenda shows comes from
-- the artisan's bookings and the artisan row (its zone), and every write to either bumps the
-- artisan's data_version: an unchanged version means an unchanged week. NULL when the artisan
-- does not exist. The week is [p_from, p_to] in local dates: an instant range on the indexed
-- (artisan_id, starts_at), local midnights in the artisan's zone (decisions §3). The amounts
-- come back as stored: what is left to collect is computed by domain/money.ts's amountDueOnSite.
CREATE OR REPLACE FUNCTION agenda_since(p_artisan uuid, p_from date, p_to date, p_statuses text[], p_limit integer, p_known bigint)
RETURNS json LANGUAGE plpgsql STABLE AS $$
DECLARE
  v bigint;
  tz text;
BEGIN
  SELECT a.data_version, a.timezone INTO v, tz FROM artisans a WHERE a.id = p_artisan;
  IF v IS NULL THEN
    RETURN NULL;
  END IF;
  IF v = p_known THEN
    RETURN json_build_object('version', v::text);
  END IF;
  RETURN json_build_object('version', v::text, 'timezone', tz, 'bookings', COALESCE((
    SELECT json_agg(json_build_object(
      'code', w.public_code, 'status', w.status, 'channel', w.channel, 'service_id', w.service_id,
      'service_name', w.service_name, 'start_ms', w.start_ms, 'end_ms', w.end_ms,
      'duration_minutes', w.duration_minutes, 'customer_name', w.customer_name,
      'customer_phone', w.customer_phone, 'address', w.customer_address, 'price_cents', w.price_cents,
      'deposit_cents', w.deposit_cents, 'payment_status', w.payment_status, 'refunded_cents', w.refunded_cents,
      'technician_id', w.technician_id, 'team_id', w.team_id) ORDER BY w.starts_at, w.public_code)
      FROM (
        SELECT b.public_code, b.status, b.channel, b.service_id, b.service_name, b.starts_at,
               extract(epoch FROM b.starts_at) * 1000 AS start_ms, extract(epoch FROM b.ends_at) * 1000 AS end_ms,
               b.duration_minutes, b.customer_name, b.customer_phone, b.customer_address,
               b.price_cents, b.deposit_cents, b.payment_status, b.refunded_cents, b.technician_id, b.team_id
          FROM bookings b
         WHERE b.artisan_id = p_artisan AND b.status = ANY (p_statuses)
           AND b.starts_at >= p_from::timestamp AT TIME ZONE tz
           AND b.starts_at < (p_to + 1)::timestamp AT TIME ZONE tz
         ORDER BY b.starts_at, b.public_code
         LIMIT p_limit) w), '[]'::json));
END
$$;
