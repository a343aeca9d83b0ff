-- What a day's plan takes from the day itself: the exceptions to the hours within the window,
-- the bookings holding a slot and the calendars' busy blocks that overlap it. Index scans on
-- (artisan_id, date) / (artisan_id, blocked_range) / (artisan_id, during).
-- `t` (a booking's technician) and `m` (a block's member) say whose time it takes; null: the
-- whole business's (issue 20).
CREATE OR REPLACE FUNCTION day_occupations(p_artisan uuid, p_from timestamptz, p_to timestamptz) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  result json;
BEGIN
  SELECT json_build_object(
    'exceptions', (SELECT coalesce(json_agg(json_build_object('id', e.id, 'date', e.date::text, 'closed', e.closed,
        'ranges', e.ranges)), '[]')
       FROM schedule_exceptions e WHERE e.artisan_id = p_artisan AND e.date BETWEEN p_from::date AND p_to::date),
    'bookings', (SELECT coalesce(json_agg(json_build_object('id', b.id, 'code', b.public_code,
        'summary', b.service_name || ' - ' || b.customer_name,
        's', extract(epoch FROM lower(b.blocked_range)) * 1000, 'e', extract(epoch FROM upper(b.blocked_range)) * 1000,
        't', b.technician_id)), '[]')
       FROM bookings b
      WHERE b.artisan_id = p_artisan AND booking_holds_slot(b.status)
        AND b.blocked_range && tstzrange(p_from, p_to)),
    'blocks', (SELECT coalesce(json_agg(json_build_object('provider', k.provider_id, 'summary', k.summary,
        's', extract(epoch FROM k.starts_at) * 1000, 'e', extract(epoch FROM k.ends_at) * 1000, 'm', k.member_id)), '[]')
       FROM busy_blocks k
      WHERE k.artisan_id = p_artisan AND k.source = 'external' AND k.during && tstzrange(p_from, p_to)))
  INTO result;
  RETURN result;
END
$$;
