-- Takes the slot with a live hold in one round trip (one statement, its own transaction, so
-- all it writes commits together or not at all): plan cap (counted under the artisan's write
-- lock), external busy blocks, capture strategy, the booking row, its history row, the
-- customer's consent to the terms of sale and the Idempotency-Key's link to the booking.
-- The guarantees are those of the general path (src/adapters/db/booking-store.ts): the
-- artisan's advisory write lock before any booking row is written, the exclusion constraint on
-- bookings.blocked_range (23P01, read as SLOT_TAKEN by the caller) and the unique public code
-- (23505, a new code is drawn).
-- When p carries 'rules' (the caller planned from a copy of the day it did not read again):
-- 'stale' when the stamp moved or a calendar is due for its sync (with p.stale_before and
-- p.now, when given), and the caller reads the day as before. A refusal says whether the range
-- is held by this very customer's live hold ('own'), which the caller then resumes.
-- p: {booking: <bookings columns>, actor, from, to (footprint), within_authorization (bool),
--     cap: {limit, from, to} | null, consent: {accepted_at, terms_version, next_visit?} | null,
--     idempotency: {scope, key} | null, rules?, stale_before?, now?}
-- An online booking of a business the operator suspended: {outcome: 'suspended', phone}.
-- Answers {outcome: 'held', capture_method, reminder_hours} | {outcome: 'plan_limit'}
--       | {outcome: 'slot_taken', own?} | {outcome: 'stale'}.
CREATE OR REPLACE FUNCTION booking_hold(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  artisan uuid := (p->'booking'->>'artisan_id')::uuid;
  footprint tstzrange := tstzrange((p->>'from')::timestamptz, (p->>'to')::timestamptz);
  lock_key bigint := hashtextextended('bookings:' || artisan::text, 0);
  technician uuid := (p->'booking'->>'technician_id')::uuid;
  b bookings;
  capture text;
  reminder int;
  taken int;
  own boolean;
  suspended_phone text;
BEGIN
  IF p->'booking'->>'channel' = 'online' THEN
    SELECT coalesce(a.phone, '') INTO suspended_phone FROM artisans a WHERE a.id = artisan AND a.suspended_at IS NOT NULL;
    IF FOUND THEN
      RETURN jsonb_build_object('outcome', 'suspended', 'phone', nullif(suspended_phone, ''));
    END IF;
  END IF;
  IF p ? 'rules' THEN
    IF rules_stamp(artisan) IS DISTINCT FROM p->>'rules' THEN
      RETURN jsonb_build_object('outcome', 'stale');
    END IF;
    IF p ? 'stale_before' AND EXISTS (SELECT 1 FROM calendar_connections c WHERE c.artisan_id = artisan
                 AND calendar_due_for_sync(c.last_attempt_at, c.lease_until, (p->>'stale_before')::timestamptz, (p->>'now')::timestamptz)) THEN
      RETURN jsonb_build_object('outcome', 'stale');
    END IF;
  END IF;
  IF jsonb_typeof(p->'cap') = 'object' THEN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT count(*)::int INTO taken FROM bookings
     WHERE artisan_id = artisan AND created_at >= (p->'cap'->>'from')::timestamptz AND created_at < (p->'cap'->>'to')::timestamptz
       AND booking_counts_toward_plan(channel, status);
    IF taken >= (p->'cap'->>'limit')::int THEN
      RETURN jsonb_build_object('outcome', 'plan_limit');
    END IF;
  END IF;
  -- A technician's booking (issue 20) is refused by their own blocks and the business's (no
  -- member); an unassigned booking by every block, as before.
  IF EXISTS (SELECT 1 FROM busy_blocks WHERE artisan_id = artisan AND source = 'external' AND during && footprint
               AND (technician IS NULL OR member_id IS NULL OR member_id = technician)) THEN
    RETURN jsonb_build_object('outcome', 'slot_taken');
  END IF;
  PERFORM pg_advisory_xact_lock(lock_key);
  -- Under the lock every committed hold of the artisan is visible (see migration 0023); the
  -- booking's own columns are decoded only once the range is known to be free.
  SELECT bool_or(booking_is_hold(k.status) AND k.service_id = p->'booking'->>'service_id'
                 AND k.starts_at = (p->'booking'->>'starts_at')::timestamptz AND k.customer_email IS NOT DISTINCT FROM p->'booking'->>'customer_email'
                 AND k.customer_name = p->'booking'->>'customer_name'
                 AND k.customer_phone IS NOT DISTINCT FROM p->'booking'->>'customer_phone'
                 AND k.payment_method_id IS NOT DISTINCT FROM p->'booking'->>'payment_method_id')
    INTO own
    FROM bookings k WHERE k.artisan_id = artisan AND booking_holds_slot(k.status) AND k.blocked_range && footprint
     -- Per technician (bookings_no_overlap, migration 0054): an unassigned booking occupies everyone.
     AND (technician IS NULL OR k.technician_id IS NULL OR k.technician_id = technician);
  IF own IS NOT NULL THEN
    RETURN jsonb_build_object('outcome', 'slot_taken', 'own', own);
  END IF;
  b := jsonb_populate_record(NULL::bookings, p->'booking');
  SELECT deposit_capture, reminder_hours_before INTO capture, reminder FROM artisans WHERE id = artisan;
  b.capture_method := CASE WHEN coalesce(capture, 'capture') = 'authorize' AND (p->>'within_authorization')::boolean
                           THEN 'manual' ELSE 'automatic' END;
  -- Every column, as the caller wrote the row (bookingColumns in booking-store.ts, the one list
  -- of a booking's columns; test/booking-columns.test.ts checks it names them all).
  INSERT INTO bookings SELECT (b).*;
  INSERT INTO booking_events (artisan_id, booking_id, type, actor, data)
    VALUES (artisan, b.id, 'hold_taken', p->>'actor', jsonb_build_object('channel', b.channel));
  IF jsonb_typeof(p->'consent') = 'object' THEN
    INSERT INTO booking_consents (booking_id, artisan_id, accepted_at, terms_version, refund_policy, next_visit)
      VALUES (b.id, b.artisan_id, (p->'consent'->>'accepted_at')::timestamptz, p->'consent'->>'terms_version', b.refund_policy,
              coalesce((p->'consent'->>'next_visit')::boolean, false))
      ON CONFLICT (artisan_id, booking_id) DO NOTHING;
  END IF;
  IF jsonb_typeof(p->'idempotency') = 'object' THEN
    UPDATE idempotency_keys SET booking_id = b.id WHERE artisan_id = artisan AND scope = p->'idempotency'->>'scope' AND key = p->'idempotency'->>'key';
  END IF;
  RETURN jsonb_build_object('outcome', 'held', 'capture_method', b.capture_method, 'reminder_hours', reminder);
END
$$;
