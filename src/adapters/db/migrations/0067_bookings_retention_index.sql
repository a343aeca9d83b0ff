-- The daily retention sweep asks for customers whose bookings ended before the cutoff and who
-- have none since (RetentionStore.customersLastSeenBefore). Without an index it read every
-- booking of the instance each day (235 ms on 200,000 bookings with nothing due). Rows already
-- anonymised are out of this index, so once the sweep has caught up it reads only what is due.
CREATE INDEX bookings_retention ON bookings (ends_at) WHERE anonymized_at IS NULL;
