-- What a plan of the artisan's day depends on besides occupations: the artisan's rules, and
-- those of the artisan whose terms of sale a consent is checked against (the first one).
-- PL/pgSQL, not SQL: its statement's plan is then kept per connection (an SQL function called
-- from booking_hold was planned again on every call, 0.2 ms of the backend's time).
CREATE OR REPLACE FUNCTION rules_stamp(p_artisan uuid) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  stamp text;
BEGIN
  SELECT a.rules_version::text || '/' || f.rules_version::text || ':' || f.id::text INTO stamp
    FROM artisans a, (SELECT rules_version, id FROM artisans ORDER BY created_at, id LIMIT 1) f
   WHERE a.id = p_artisan;
  RETURN stamp;
END
$$;
