-- The statuses of a hold: the slot is held while the deposit is being authorised or 3-D Secure
-- is in progress (HOLD_STATUSES in src/domain/booking-lifecycle.ts;
-- test/booking-lifecycle-sql.test.ts checks both agree). Stale holds, open payments and a
-- customer's own hold are found with it. An immutable SQL function is inlined by the planner,
-- so queries still match the partial indexes bookings_stale_holds (migration 0007) and
-- bookings_payment_open (0013), whose predicates list the same statuses (the test checks them).
CREATE OR REPLACE FUNCTION booking_is_hold(p_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_status IN ('pending_payment', 'awaiting_authentication')
$$;
