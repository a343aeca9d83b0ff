-- What a day's plan takes from the business and not from the day: the service, the artisan's
-- settings and weekly rules. All of it moves the artisan's rules_version (migration 0024), so a
-- reader keeps it per business and service and asks again only when that version moved
-- (day_context_since's p_known_rules). NULL when the business has no such service.
-- `technicians` (issue 20): the business's active technicians on the Business plan, each with
-- whether they perform this service (no skill listed: every service), their zones, their
-- priority and their team (the first by name); empty for a business that routes nothing.
-- Skills, zones, teams and members move rules_version too (migration 0054).
CREATE OR REPLACE FUNCTION day_rules(p_artisan uuid, p_service text) RETURNS json
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
      'closed_on_public_holidays', a.closed_on_public_holidays, 'calendar_sync_enabled', a.calendar_sync_enabled,
      'phone', a.phone),
    'rules', (SELECT coalesce(json_agg(json_build_object('id', r.id, 'kind', r.kind, 'dayOfWeek', r.day_of_week,
        'startMinutes', r.start_minutes, 'endMinutes', r.end_minutes)), '[]')
       FROM schedule_rules r WHERE r.artisan_id = a.id),
    'technicians', (SELECT coalesce(json_agg(json_build_object('id', u.id, 'priority', u.priority,
        'performs', NOT EXISTS (SELECT 1 FROM member_skills k WHERE k.artisan_id = u.artisan_id AND k.member_id = u.id)
                    OR EXISTS (SELECT 1 FROM member_skills k WHERE k.artisan_id = u.artisan_id AND k.member_id = u.id AND k.service_id = s.id),
        'zones', (SELECT coalesce(json_agg(json_build_object('kind', z.kind, 'code', z.code) ORDER BY z.kind, z.code), '[]')
                    FROM member_zones z WHERE z.artisan_id = u.artisan_id AND z.member_id = u.id),
        'team', (SELECT t.id FROM team_members m JOIN teams t ON t.artisan_id = m.artisan_id AND t.id = m.team_id
                  WHERE m.artisan_id = u.artisan_id AND m.member_id = u.id ORDER BY lower(t.name), t.id LIMIT 1)) ORDER BY u.id), '[]')
       FROM admin_users u WHERE u.artisan_id = a.id AND a.plan = 'business' AND u.role = 'technician' AND u.active))
  INTO result
  FROM services s JOIN artisans a ON a.id = s.artisan_id
  WHERE s.artisan_id = p_artisan AND s.id = p_service;
  RETURN result;
END
$$;
