-- A calendar connection is synced before a booking when its last attempt is older than
-- p_stale_before (or never happened) and no instance holds its lease at p_now. Used by
-- booking_context_since, booking_hold (hold-first requests) and CalendarStore.staleForService.
CREATE OR REPLACE FUNCTION calendar_due_for_sync(p_last_attempt_at timestamptz, p_lease_until timestamptz,
                                                 p_stale_before timestamptz, p_now timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (p_last_attempt_at IS NULL OR p_last_attempt_at < p_stale_before) AND (p_lease_until IS NULL OR p_lease_until < p_now)
$$;
