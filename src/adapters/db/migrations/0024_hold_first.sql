-- A booking's hold taken first (issue 12, hot paths): a request whose copy of the day's rules
-- is current goes straight to booking_hold, without reading the day again. Measured under
-- contention (docs/benchmarks.md), every request read the day before its hold, and each
-- booking taken moved data_version twice, so the day was read and planned again and again
-- although nothing but bookings had changed: the database already decides overlaps itself.
--
-- rules_version moves when what decides the offered times changes (weekly rules, days off,
-- services, the artisan's settings), never for a booking or a busy block. A request sends the
-- rules stamp it planned with; booking_hold answers 'stale' when it moved, or when a calendar
-- is due for its sync before a booking, and the caller reads the day as before.

ALTER TABLE artisans ADD COLUMN rules_version bigint NOT NULL DEFAULT 1;

-- Once per transaction per artisan, like bump_version_once (migration 0017).
CREATE FUNCTION bump_rules_once(p_artisan uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  bumped text := coalesce(current_setting('artisanconnect.bumped_rules', true), '');
BEGIN
  IF p_artisan IS NULL OR position(p_artisan::text IN bumped) > 0 THEN
    RETURN;
  END IF;
  PERFORM set_config('artisanconnect.bumped_rules', bumped || p_artisan::text || ',', true);
  UPDATE artisans SET rules_version = rules_version + 1 WHERE id = p_artisan;
END
$$;

CREATE FUNCTION bump_artisan_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM bump_rules_once(OLD.artisan_id);
  END IF;
  IF TG_OP = 'INSERT' OR NEW.artisan_id IS DISTINCT FROM OLD.artisan_id THEN
    PERFORM bump_rules_once(NEW.artisan_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION bump_all_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE artisans SET rules_version = rules_version + 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER schedule_rules_rules AFTER INSERT OR UPDATE OR DELETE ON schedule_rules
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_rules();
CREATE TRIGGER schedule_exceptions_rules AFTER INSERT OR UPDATE OR DELETE ON schedule_exceptions
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_rules();
CREATE TRIGGER services_rules AFTER INSERT OR UPDATE OR DELETE ON services
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_rules();
CREATE TRIGGER schedule_rules_truncate_rules AFTER TRUNCATE ON schedule_rules
  FOR EACH STATEMENT EXECUTE FUNCTION bump_all_rules();
CREATE TRIGGER schedule_exceptions_truncate_rules AFTER TRUNCATE ON schedule_exceptions
  FOR EACH STATEMENT EXECUTE FUNCTION bump_all_rules();
CREATE TRIGGER services_truncate_rules AFTER TRUNCATE ON services
  FOR EACH STATEMENT EXECUTE FUNCTION bump_all_rules();

-- A change of the artisan row itself (settings, terms, plan) moves its rules too. The version
-- bumps (an UPDATE of data_version or rules_version alone) do not. Named to fire before
-- artisans_version (BEFORE triggers fire in name order), which moves data_version.
CREATE FUNCTION artisans_bump_own_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.data_version = OLD.data_version AND NEW.rules_version = OLD.rules_version THEN
    NEW.rules_version := OLD.rules_version + 1;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER artisans_rules_version BEFORE UPDATE ON artisans
  FOR EACH ROW EXECUTE FUNCTION artisans_bump_own_rules();

-- What a plan of the artisan's day depends on besides occupations: the artisan's rules, and
-- those of the artisan whose terms of sale a consent is checked against (the first one).
-- PL/pgSQL, not SQL: its statement's plan is then kept per connection (an SQL function called
-- from booking_hold was planned again on every call, 0.2 ms of the backend's time).
CREATE FUNCTION rules_stamp(p_artisan uuid) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  stamp text;
BEGIN
  SELECT a.rules_version::text || '/' || f.rules_version::text || ':' || f.id::text INTO stamp
    FROM artisans a, (SELECT rules_version, id FROM artisans ORDER BY created_at, id LIMIT 1) f
   WHERE a.id = p_artisan;
  RETURN stamp;
END
$$;

CREATE OR REPLACE FUNCTION booking_context_since(p_service text, p_from timestamptz, p_to timestamptz, p_known bigint,
                                                 p_stale_before timestamptz, p_now timestamptz)
RETURNS json LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'day', day_context_since(p_service, p_from, p_to, p_known),
    'stale', coalesce((
      SELECT json_agg(json_build_object('artisanId', c.artisan_id, 'id', c.id))
        FROM calendar_connections c JOIN services s ON s.artisan_id = c.artisan_id
       WHERE s.id = p_service AND (c.last_attempt_at IS NULL OR c.last_attempt_at < p_stale_before)
         AND (c.lease_until IS NULL OR c.lease_until < p_now)), '[]'::json),
    'artisan', (SELECT json_build_object('terms_of_sale', a.terms_of_sale) FROM artisans a ORDER BY a.created_at, a.id LIMIT 1),
    'rules', (SELECT rules_stamp(s.artisan_id) FROM services s WHERE s.id = p_service))
$$;

-- booking_hold as in migration 0023, plus, when p carries 'rules' (the caller planned from a
-- copy of the day it did not read again): 'stale' when the stamp moved or a calendar is due
-- for its sync (booking_context_since's condition, with p.stale_before and p.now, when
-- given); and a
-- refusal says whether the range is held by this very customer's live hold ('own'), which
-- the caller then resumes through its usual path.
CREATE OR REPLACE FUNCTION booking_hold(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  artisan uuid := (p->'booking'->>'artisan_id')::uuid;
  footprint tstzrange := tstzrange((p->>'from')::timestamptz, (p->>'to')::timestamptz);
  lock_key bigint := hashtextextended('bookings:' || artisan::text, 0);
  b bookings;
  capture text;
  reminder int;
  taken int;
  own boolean;
BEGIN
  IF p ? 'rules' THEN
    IF rules_stamp(artisan) IS DISTINCT FROM p->>'rules' THEN
      RETURN jsonb_build_object('outcome', 'stale');
    END IF;
    IF p ? 'stale_before' AND EXISTS (SELECT 1 FROM calendar_connections c WHERE c.artisan_id = artisan
                 AND (c.last_attempt_at IS NULL OR c.last_attempt_at < (p->>'stale_before')::timestamptz)
                 AND (c.lease_until IS NULL OR c.lease_until < (p->>'now')::timestamptz)) THEN
      RETURN jsonb_build_object('outcome', 'stale');
    END IF;
  END IF;
  IF jsonb_typeof(p->'cap') = 'object' THEN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT count(*)::int INTO taken FROM bookings
     WHERE artisan_id = artisan AND created_at >= (p->'cap'->>'from')::timestamptz AND created_at < (p->'cap'->>'to')::timestamptz
       AND channel = 'online' AND status NOT IN ('payment_failed', 'expired');
    IF taken >= (p->'cap'->>'limit')::int THEN
      RETURN jsonb_build_object('outcome', 'plan_limit');
    END IF;
  END IF;
  IF EXISTS (SELECT 1 FROM busy_blocks WHERE artisan_id = artisan AND source = 'external' AND during && footprint) THEN
    RETURN jsonb_build_object('outcome', 'slot_taken');
  END IF;
  PERFORM pg_advisory_xact_lock(lock_key);
  -- Under the lock every committed hold of the artisan is visible (see migration 0023); the
  -- booking's own columns are decoded only once the range is known to be free.
  SELECT bool_or(k.status IN ('pending_payment', 'awaiting_authentication') AND k.service_id = p->'booking'->>'service_id'
                 AND k.starts_at = (p->'booking'->>'starts_at')::timestamptz AND k.customer_email = p->'booking'->>'customer_email'
                 AND k.customer_name = p->'booking'->>'customer_name'
                 AND k.customer_phone IS NOT DISTINCT FROM p->'booking'->>'customer_phone'
                 AND k.payment_method_id IS NOT DISTINCT FROM p->'booking'->>'payment_method_id')
    INTO own
    FROM bookings k WHERE k.artisan_id = artisan AND booking_holds_slot(k.status) AND k.blocked_range && footprint;
  IF own IS NOT NULL THEN
    RETURN jsonb_build_object('outcome', 'slot_taken', 'own', own);
  END IF;
  b := jsonb_populate_record(NULL::bookings, p->'booking');
  SELECT deposit_capture, reminder_hours_before INTO capture, reminder FROM artisans WHERE id = artisan;
  b.capture_method := CASE WHEN coalesce(capture, 'capture') = 'authorize' AND (p->>'within_authorization')::boolean
                           THEN 'manual' ELSE 'automatic' END;
  INSERT INTO bookings (id, public_code, artisan_id, service_id, service_name, status, customer_name, customer_email,
      customer_phone, starts_at, ends_at, duration_minutes, blocked_range, price_cents, deposit_rate, deposit_cents,
      payment_status, payment_provider, payment_intent_id, payment_method_id, refund_cents, refund_policy,
      hold_expires_at, notify_email, notify_sms, created_at, updated_at, channel, customer_address, capture_method)
    VALUES (b.id, b.public_code, b.artisan_id, b.service_id, b.service_name, b.status, b.customer_name, b.customer_email,
      b.customer_phone, b.starts_at, b.ends_at, b.duration_minutes, b.blocked_range, b.price_cents, b.deposit_rate, b.deposit_cents,
      b.payment_status, b.payment_provider, b.payment_intent_id, b.payment_method_id, b.refund_cents, b.refund_policy,
      b.hold_expires_at, b.notify_email, b.notify_sms, b.created_at, b.updated_at, b.channel, b.customer_address, b.capture_method);
  INSERT INTO booking_events (booking_id, type, actor, data)
    VALUES (b.id, 'hold_taken', p->>'actor', jsonb_build_object('channel', b.channel));
  IF jsonb_typeof(p->'consent') = 'object' THEN
    INSERT INTO booking_consents (booking_id, artisan_id, accepted_at, terms_version, refund_policy)
      VALUES (b.id, b.artisan_id, (p->'consent'->>'accepted_at')::timestamptz, p->'consent'->>'terms_version', b.refund_policy)
      ON CONFLICT (booking_id) DO NOTHING;
  END IF;
  IF jsonb_typeof(p->'idempotency') = 'object' THEN
    UPDATE idempotency_keys SET booking_id = b.id WHERE scope = p->'idempotency'->>'scope' AND key = p->'idempotency'->>'key';
  END IF;
  RETURN jsonb_build_object('outcome', 'held', 'capture_method', b.capture_method, 'reminder_hours', coalesce(reminder, 24));
END
$$;
