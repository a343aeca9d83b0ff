-- Availability reads one service, its artisan's settings and rules, the day's exception and
-- everything occupying the window, in one round trip. As a PL/pgSQL function its plan is
-- cached per connection: planning the sub-selects cost as much as running them.
DROP FUNCTION IF EXISTS day_context(text, timestamptz, timestamptz);
CREATE OR REPLACE FUNCTION day_context(p_artisan uuid, p_service text, p_from timestamptz, p_to timestamptz) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  result json;
BEGIN
  SELECT json_build_object(
    'service', json_build_object(
      'id', s.id, 'artisan_id', s.artisan_id, 'name', s.name, 'description', s.description,
      'duration_minutes', s.duration_minutes, 'base_price_cents', s.base_price_cents,
      'deposit_rate', s.deposit_rate, 'is_active', s.is_active,
      'buffer_before_minutes', s.buffer_before_minutes, 'buffer_after_minutes', s.buffer_after_minutes,
      'min_notice_minutes', s.min_notice_minutes, 'at_customer', s.at_customer,
      'refund_policy', s.refund_policy),
    'artisan', json_build_object(
      'id', a.id, 'timezone', a.timezone, 'plan', a.plan, 'slot_step_minutes', a.slot_step_minutes,
      'min_notice_minutes', a.min_notice_minutes, 'booking_horizon_days', a.booking_horizon_days,
      'closed_on_public_holidays', a.closed_on_public_holidays, 'calendar_sync_enabled', a.calendar_sync_enabled),
    'rules', (SELECT coalesce(json_agg(json_build_object('id', r.id, 'kind', r.kind, 'dayOfWeek', r.day_of_week,
        'startMinutes', r.start_minutes, 'endMinutes', r.end_minutes)), '[]')
       FROM schedule_rules r WHERE r.artisan_id = a.id),
    'exceptions', (SELECT coalesce(json_agg(json_build_object('id', e.id, 'date', e.date::text, 'closed', e.closed,
        'ranges', e.ranges)), '[]')
       FROM schedule_exceptions e WHERE e.artisan_id = a.id AND e.date BETWEEN p_from::date AND p_to::date),
    'bookings', (SELECT coalesce(json_agg(json_build_object('id', b.id, 'code', b.public_code,
        'summary', b.service_name || ' - ' || b.customer_name,
        's', extract(epoch FROM lower(b.blocked_range)) * 1000, 'e', extract(epoch FROM upper(b.blocked_range)) * 1000)), '[]')
       FROM bookings b
      WHERE b.artisan_id = a.id AND booking_holds_slot(b.status)
        AND b.blocked_range && tstzrange(p_from, p_to)),
    'blocks', (SELECT coalesce(json_agg(json_build_object('provider', k.provider_id, 'summary', k.summary,
        's', extract(epoch FROM k.starts_at) * 1000, 'e', extract(epoch FROM k.ends_at) * 1000)), '[]')
       FROM busy_blocks k
      WHERE k.artisan_id = a.id AND k.source = 'external' AND k.during && tstzrange(p_from, p_to)))
  INTO result
  FROM services s JOIN artisans a ON a.id = s.artisan_id
  WHERE s.artisan_id = p_artisan AND s.id = p_service;
  RETURN result;
END
$$;
