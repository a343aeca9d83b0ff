-- The bookings a plan's monthly cap counts: online ones taken or being paid. Phone bookings
-- never count (decisions §8), nor holds that ended unpaid. booking_hold counts them under the
-- artisan's write lock.
CREATE OR REPLACE FUNCTION booking_counts_toward_plan(p_channel text, p_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_channel = 'online' AND p_status NOT IN ('payment_failed', 'expired')
$$;
