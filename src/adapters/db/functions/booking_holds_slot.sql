-- The statuses that hold a slot (ACTIVE_STATUSES in src/domain/booking-lifecycle.ts;
-- test/booking-lifecycle-sql.test.ts checks both agree): the exclusion constraint
-- bookings_no_overlap, availability and every query counting active bookings use it instead of
-- repeating the list. 'awaiting_authentication': the customer is completing a 3-D Secure
-- challenge; the slot stays held until hold_expires_at. 'completed' and 'no_show': the time was
-- spent (migration 0049).
-- The exclusion constraint's index is built with this function: changing the set needs a
-- numbered migration that rebuilds bookings_no_overlap after the new body is in place (unless,
-- as in 0049, only statuses no row holds yet join the set).
CREATE OR REPLACE FUNCTION booking_holds_slot(p_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_status IN ('pending_payment', 'awaiting_authentication', 'confirmed', 'rescheduled', 'completed', 'no_show')
$$;
