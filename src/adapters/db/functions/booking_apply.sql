-- Applies writes planned in the application (a lifecycle transition and its effects) to a
-- booking, provided it is still as the caller last saw it: the artisan's write lock, then
-- the row (the order every writer takes them), then the check. false, writing nothing, when
-- the booking has changed since (the caller then takes the general path, which re-reads it).
-- One statement: called outside a transaction it is its own, so its writes commit together.
-- p: {artisan_id, booking_id, status, updated_at, payment_intent_id, ops: [...]}; an op is
--   {op: 'update', row: <bookings columns>} | {op: 'event', booking_id, type, actor, data}
--   | {op: 'put_busy_block', row: <busy_blocks columns>} | {op: 'remove_busy_block', booking_id}
--   | {op: 'enqueue', rows: [<outbox columns>]} | {op: 'cancel_pending' | 'complete_pending', booking_id, topics}
CREATE OR REPLACE FUNCTION booking_apply(p jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  artisan uuid := (p->>'artisan_id')::uuid;
  cur record;
  op jsonb;
  r bookings;
  k busy_blocks;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('bookings:' || (p->>'artisan_id'), 0));
  SELECT status, updated_at, payment_intent_id INTO cur FROM bookings WHERE artisan_id = artisan AND id = (p->>'booking_id')::uuid FOR UPDATE;
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
          WHERE artisan_id = artisan AND id = r.id;
      WHEN 'event' THEN
        INSERT INTO booking_events (artisan_id, booking_id, type, actor, data)
          VALUES (artisan, (op->>'booking_id')::uuid, op->>'type', op->>'actor', coalesce(op->'data', '{}'::jsonb));
      WHEN 'put_busy_block' THEN
        k := jsonb_populate_record(NULL::busy_blocks, op->'row');
        INSERT INTO busy_blocks (id, artisan_id, provider_id, source, summary, starts_at, ends_at, booking_id)
          VALUES (k.id, artisan, 'artisanconnect', 'booking', k.summary, k.starts_at, k.ends_at, k.booking_id)
          ON CONFLICT (artisan_id, booking_id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at,
            summary = excluded.summary, updated_at = now();
      WHEN 'remove_busy_block' THEN
        DELETE FROM busy_blocks WHERE artisan_id = artisan AND booking_id = (op->>'booking_id')::uuid;
      WHEN 'enqueue' THEN
        INSERT INTO outbox (artisan_id, id, topic, booking_id, payload, run_at)
          SELECT artisan, (m->>'id')::uuid, m->>'topic', (m->>'booking_id')::uuid, coalesce(m->'payload', '{}'::jsonb),
                 coalesce((m->>'run_at')::timestamptz, now())
            FROM jsonb_array_elements(op->'rows') AS m;
      WHEN 'cancel_pending' THEN
        UPDATE outbox SET status = 'cancelled'
         WHERE artisan_id = artisan AND booking_id = (op->>'booking_id')::uuid AND topic IN (SELECT jsonb_array_elements_text(op->'topics')) AND status = 'pending';
      WHEN 'complete_pending' THEN
        UPDATE outbox SET status = 'done', done_at = now(), locked_by = NULL
         WHERE artisan_id = artisan AND booking_id = (op->>'booking_id')::uuid AND topic IN (SELECT jsonb_array_elements_text(op->'topics')) AND status = 'pending';
      ELSE
        RAISE EXCEPTION 'booking_apply: unknown operation %', op->>'op';
    END CASE;
  END LOOP;
  RETURN true;
END
$$;
