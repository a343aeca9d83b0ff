-- Every change to what availability reads (bookings, busy blocks, rules, exceptions,
-- services, the artisan's settings) bumps the artisan's data_version in the same
-- transaction. A reader that already holds the day's data for version N asks the database
-- "still N?" in its one round trip and skips re-reading when it is: process memory is a
-- cache checked against the database on every request, never a source of truth.
ALTER TABLE artisans ADD COLUMN data_version bigint NOT NULL DEFAULT 1;

CREATE FUNCTION artisans_bump_own_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.data_version = OLD.data_version THEN
    NEW.data_version := OLD.data_version + 1;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER artisans_version BEFORE UPDATE ON artisans
  FOR EACH ROW EXECUTE FUNCTION artisans_bump_own_version();

CREATE FUNCTION bump_artisan_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE artisans SET data_version = data_version + 1 WHERE id = OLD.artisan_id;
  END IF;
  IF TG_OP = 'INSERT' OR NEW.artisan_id IS DISTINCT FROM OLD.artisan_id THEN
    UPDATE artisans SET data_version = data_version + 1 WHERE id = NEW.artisan_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION bump_all_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE artisans SET data_version = data_version + 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER bookings_version AFTER INSERT OR UPDATE OR DELETE ON bookings
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_version();
CREATE TRIGGER busy_blocks_version AFTER INSERT OR UPDATE OR DELETE ON busy_blocks
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_version();
CREATE TRIGGER schedule_rules_version AFTER INSERT OR UPDATE OR DELETE ON schedule_rules
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_version();
CREATE TRIGGER schedule_exceptions_version AFTER INSERT OR UPDATE OR DELETE ON schedule_exceptions
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_version();
CREATE TRIGGER services_version AFTER INSERT OR UPDATE OR DELETE ON services
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_version();
CREATE TRIGGER bookings_truncate_version AFTER TRUNCATE ON bookings
  FOR EACH STATEMENT EXECUTE FUNCTION bump_all_versions();
CREATE TRIGGER busy_blocks_truncate_version AFTER TRUNCATE ON busy_blocks
  FOR EACH STATEMENT EXECUTE FUNCTION bump_all_versions();
CREATE TRIGGER schedule_exceptions_truncate_version AFTER TRUNCATE ON schedule_exceptions
  FOR EACH STATEMENT EXECUTE FUNCTION bump_all_versions();

-- Calendar and manual blocks are what availability reads; booking export rows are not.
DROP INDEX busy_blocks_during;
CREATE INDEX busy_blocks_external_during ON busy_blocks USING gist (artisan_id, during) WHERE source = 'external';

-- The day's data, or NULL when the caller's version is still current; NULL version when the
-- service does not exist. One call, one round trip, a plan cached per connection.
CREATE FUNCTION day_context_since(p_service text, p_from timestamptz, p_to timestamptz, p_known bigint)
RETURNS json LANGUAGE plpgsql STABLE AS $$
DECLARE
  v bigint;
BEGIN
  SELECT a.data_version INTO v FROM services s JOIN artisans a ON a.id = s.artisan_id WHERE s.id = p_service;
  IF v IS NULL THEN
    RETURN NULL;
  END IF;
  IF v = p_known THEN
    RETURN json_build_object('version', v::text);
  END IF;
  RETURN json_build_object('version', v::text, 'ctx', day_context(p_service, p_from, p_to));
END
$$;
