-- The admin bookings list's changes feed (issue 21): `updatedSince` and the cursor read a
-- business's bookings in the order of their last change, then id (keyset pagination).
CREATE INDEX bookings_changes ON bookings (artisan_id, updated_at, id);
