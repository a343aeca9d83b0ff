-- Triggers busy_blocks_version_insert / _update / _delete (AFTER each statement, migration
-- 0008): a calendar import replaces hundreds of rows, so one bump per statement, through
-- bump_version_once (a calendar import and a booking in one transaction move it once), and none
-- inside a transaction that declared it bumps the version itself
-- (artisanconnect.version_bumped = 'on', SET LOCAL).
CREATE OR REPLACE FUNCTION bump_versions_of_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  a uuid;
BEGIN
  IF coalesce(current_setting('artisanconnect.version_bumped', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    FOR a IN SELECT DISTINCT artisan_id FROM new_rows LOOP
      PERFORM bump_version_once(a);
    END LOOP;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    FOR a IN SELECT DISTINCT artisan_id FROM old_rows LOOP
      PERFORM bump_version_once(a);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;
