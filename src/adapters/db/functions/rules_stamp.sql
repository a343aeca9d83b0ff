-- What a plan of the artisan's day depends on besides occupations: the business's rules
-- version, which its rules, settings and terms of sale move.
-- PL/pgSQL, not SQL: its statement's plan is then kept per connection (an SQL function called
-- from booking_hold was planned again on every call, 0.2 ms of the backend's time).
CREATE OR REPLACE FUNCTION rules_stamp(p_artisan uuid) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  stamp text;
BEGIN
  SELECT a.rules_version::text INTO stamp FROM artisans a WHERE a.id = p_artisan;
  RETURN stamp;
END
$$;
