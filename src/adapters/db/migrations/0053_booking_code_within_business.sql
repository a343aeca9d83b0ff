-- A booking code asked under a business's address is asked within that business
-- (WHERE artisan_id = $1 AND public_code = $2, BusinessDirectory.hasBookingCode): with both in
-- one index the lookup stops in the index whether the code does not exist or belongs to another
-- business, so the two answer in the same time (issue 19, item 6). The code stays unique on the
-- instance (bookings_public_code_key); this index adds no rule.
CREATE INDEX bookings_code_within_business ON bookings (artisan_id, public_code);
