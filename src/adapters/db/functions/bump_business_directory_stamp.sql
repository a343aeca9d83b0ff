-- Triggers artisans_directory_stamp and artisans_directory_stamp_truncate (AFTER … ON artisans,
-- migration 0040): a business added, deleted, published, or its slug or host name changed moves
-- the one-row directory stamp, so that every instance drops the addresses it kept
-- (src/adapters/db/business-directory-store.ts).
CREATE OR REPLACE FUNCTION bump_business_directory_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE business_directory_stamp SET version = version + 1;
  RETURN NULL;
END $$;
