-- The outcome of an appointment (issue 22): once it has started, the artisan marks a booking
-- 'completed' or 'no_show' (src/domain/booking-lifecycle.ts). Both are final and keep holding
-- their slot: the time was spent, and availability, time off and the calendars keep seeing it.
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check CHECK (status IN (
  'pending_payment', 'awaiting_authentication', 'confirmed', 'rescheduled', 'cancelled', 'payment_failed', 'expired',
  'completed', 'no_show'));

-- The same body as functions/booking_holds_slot.sql (applied again after this migration).
-- bookings_no_overlap's index is not rebuilt: its predicate changes only for the two new
-- statuses, which no row holds yet, so every existing entry stays what a rebuild would give,
-- and an upgrade does not rebuild a large table's exclusion index under lock.
CREATE OR REPLACE FUNCTION booking_holds_slot(p_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_status IN ('pending_payment', 'awaiting_authentication', 'confirmed', 'rescheduled', 'completed', 'no_show')
$$;

-- The "to close" list reads bookings still booked after their end, oldest first.
CREATE INDEX bookings_to_close ON bookings (artisan_id, ends_at) WHERE status IN ('confirmed', 'rescheduled');
