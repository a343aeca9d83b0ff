-- Booking creation in one round trip per step (issue 12, hot paths). Each function is one
-- statement: called outside an explicit transaction it is its own transaction, so all it
-- writes commits together or not at all, and the artisan's data_version moves once
-- (migration 0017). The guarantees are those of the statements it replaces
-- (src/adapters/db/booking-store.ts): the artisan's advisory write lock before any booking
-- row is written, the exclusion constraint on bookings.blocked_range (23P01, read as
-- SLOT_TAKEN by the caller) and the unique public code (23505, a new code is drawn).

-- Takes the slot with a live hold: plan cap (counted under the artisan's write lock),
-- external busy blocks, capture strategy, the booking row, its history row, the customer's
-- consent to the terms of sale and the Idempotency-Key's link to the booking.
-- p: {booking: <bookings columns>, actor, from, to (footprint), within_authorization (bool),
--     cap: {limit, from, to} | null, consent: {accepted_at, terms_version} | null,
--     idempotency: {scope, key} | null}
-- Answers {outcome: 'held', capture_method, reminder_hours} | {outcome: 'plan_limit'} | {outcome: 'slot_taken'}.
CREATE FUNCTION booking_hold(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  b bookings := jsonb_populate_record(NULL::bookings, p->'booking');
  lock_key bigint := hashtextextended('bookings:' || b.artisan_id::text, 0);
  capture text;
  reminder int;
  taken int;
BEGIN
  IF jsonb_typeof(p->'cap') = 'object' THEN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT count(*)::int INTO taken FROM bookings
     WHERE artisan_id = b.artisan_id AND created_at >= (p->'cap'->>'from')::timestamptz AND created_at < (p->'cap'->>'to')::timestamptz
       AND channel = 'online' AND status NOT IN ('payment_failed', 'expired');
    IF taken >= (p->'cap'->>'limit')::int THEN
      RETURN jsonb_build_object('outcome', 'plan_limit');
    END IF;
  END IF;
  IF EXISTS (SELECT 1 FROM busy_blocks WHERE artisan_id = b.artisan_id AND source = 'external'
               AND during && tstzrange((p->>'from')::timestamptz, (p->>'to')::timestamptz)) THEN
    RETURN jsonb_build_object('outcome', 'slot_taken');
  END IF;
  SELECT deposit_capture, reminder_hours_before INTO capture, reminder FROM artisans WHERE id = b.artisan_id;
  b.capture_method := CASE WHEN coalesce(capture, 'capture') = 'authorize' AND (p->>'within_authorization')::boolean
                           THEN 'manual' ELSE 'automatic' END;
  PERFORM pg_advisory_xact_lock(lock_key);
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

-- Applies writes planned in the application (a lifecycle transition and its effects) to a
-- booking, provided it is still as the caller last saw it: the artisan's write lock, then
-- the row (the order every writer takes them), then the check. false, writing nothing, when
-- the booking has changed since (the caller then takes the general path, which re-reads it).
-- p: {artisan_id, booking_id, status, updated_at, payment_intent_id, ops: [...]}; an op is
--   {op: 'update', row: <bookings columns>} | {op: 'event', booking_id, type, actor, data}
--   | {op: 'put_busy_block', row: <busy_blocks columns>} | {op: 'remove_busy_block', booking_id}
--   | {op: 'enqueue', rows: [<outbox columns>]} | {op: 'cancel_pending' | 'complete_pending', booking_id, topics}
CREATE FUNCTION booking_apply(p jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  cur record;
  op jsonb;
  r bookings;
  k busy_blocks;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('bookings:' || (p->>'artisan_id'), 0));
  SELECT status, updated_at, payment_intent_id INTO cur FROM bookings WHERE id = (p->>'booking_id')::uuid FOR UPDATE;
  IF NOT FOUND OR cur.status <> p->>'status' OR cur.updated_at <> (p->>'updated_at')::timestamptz
     OR cur.payment_intent_id IS DISTINCT FROM p->>'payment_intent_id' THEN
    RETURN false;
  END IF;
  FOR op IN SELECT value FROM jsonb_array_elements(p->'ops') LOOP
    CASE op->>'op'
      WHEN 'update' THEN
        r := jsonb_populate_record(NULL::bookings, op->'row');
        UPDATE bookings SET status = r.status, starts_at = r.starts_at, ends_at = r.ends_at, blocked_range = r.blocked_range,
            payment_status = r.payment_status, payment_intent_id = r.payment_intent_id, refund_cents = r.refund_cents,
            hold_expires_at = r.hold_expires_at, cancelled_by = r.cancelled_by, updated_at = r.updated_at,
            cancelled_at = coalesce(r.cancelled_at, cancelled_at), cancellation_reason = coalesce(r.cancellation_reason, cancellation_reason),
            refund_cap_cents = r.refund_cap_cents, disputed_at = r.disputed_at, dispute = r.dispute
          WHERE id = r.id;
      WHEN 'event' THEN
        INSERT INTO booking_events (booking_id, type, actor, data)
          VALUES ((op->>'booking_id')::uuid, op->>'type', op->>'actor', coalesce(op->'data', '{}'::jsonb));
      WHEN 'put_busy_block' THEN
        k := jsonb_populate_record(NULL::busy_blocks, op->'row');
        INSERT INTO busy_blocks (id, artisan_id, provider_id, source, summary, starts_at, ends_at, booking_id)
          VALUES (k.id, k.artisan_id, 'artisanconnect', 'booking', k.summary, k.starts_at, k.ends_at, k.booking_id)
          ON CONFLICT (booking_id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at,
            summary = excluded.summary, updated_at = now();
      WHEN 'remove_busy_block' THEN
        DELETE FROM busy_blocks WHERE booking_id = (op->>'booking_id')::uuid;
      WHEN 'enqueue' THEN
        INSERT INTO outbox (id, topic, booking_id, payload, run_at)
          SELECT (m->>'id')::uuid, m->>'topic', (m->>'booking_id')::uuid, coalesce(m->'payload', '{}'::jsonb),
                 coalesce((m->>'run_at')::timestamptz, now())
            FROM jsonb_array_elements(op->'rows') AS m;
      WHEN 'cancel_pending' THEN
        UPDATE outbox SET status = 'cancelled'
         WHERE booking_id = (op->>'booking_id')::uuid AND topic IN (SELECT jsonb_array_elements_text(op->'topics')) AND status = 'pending';
      WHEN 'complete_pending' THEN
        UPDATE outbox SET status = 'done', done_at = now(), locked_by = NULL
         WHERE booking_id = (op->>'booking_id')::uuid AND topic IN (SELECT jsonb_array_elements_text(op->'topics')) AND status = 'pending';
      ELSE
        RAISE EXCEPTION 'booking_apply: unknown operation %', op->>'op';
    END CASE;
  END LOOP;
  RETURN true;
END
$$;
