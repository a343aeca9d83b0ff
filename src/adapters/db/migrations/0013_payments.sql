-- Deposits with a real payment provider (Stripe): capture strategy, disputes, webhook
-- events stored once, the refund terms a move keeps, and idempotency keys that resolve.

-- The artisan's capture strategy: 'capture' takes the deposit at booking (default, the
-- contract's "encaissé immédiatement"); 'authorize' only authorises it and captures it when
-- the appointment starts (appointments more than 7 days out are captured at booking).
ALTER TABLE artisans ADD COLUMN deposit_capture text NOT NULL DEFAULT 'capture'
  CHECK (deposit_capture IN ('capture', 'authorize'));

-- How this booking's deposit is taken ('automatic': captured at once; 'manual': authorised,
-- captured at the start), fixed at booking so a retried authorisation asks the same thing.
ALTER TABLE bookings ADD COLUMN capture_method text CHECK (capture_method IN ('automatic', 'manual'));
-- The most a customer cancellation may refund, fixed when a booking is moved from inside a
-- partial or no-refund band (NULL: no cap; the policy alone decides).
ALTER TABLE bookings ADD COLUMN refund_cap_cents int CHECK (refund_cap_cents >= 0);
-- A chargeback opened by the card holder: flagged for the artisan.
ALTER TABLE bookings ADD COLUMN disputed_at timestamptz;
ALTER TABLE bookings ADD COLUMN dispute jsonb;
CREATE INDEX bookings_payment_intent ON bookings (payment_intent_id) WHERE payment_intent_id IS NOT NULL;
-- Non-final payments the reconciliation job re-reads from the provider.
CREATE INDEX bookings_payment_open ON bookings (updated_at)
  WHERE payment_intent_id IS NOT NULL AND status IN ('pending_payment', 'awaiting_authentication', 'expired', 'payment_failed');

-- Provider events (webhooks), each stored once: a replay finds its id and does nothing.
-- artisan_id / booking_id are NULL for an event about no booking of ours.
CREATE TABLE payment_events (
  id text PRIMARY KEY,
  provider text NOT NULL,
  artisan_id uuid REFERENCES artisans (id),
  booking_id uuid REFERENCES bookings (id),
  type text NOT NULL,
  object_id text,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_events_artisan ON payment_events (artisan_id, received_at);
CREATE INDEX payment_events_booking ON payment_events (booking_id);

-- Idempotency keys: scoped to the key and the request body (no longer the client's IP); an
-- in-progress key holds only for a short lease; the booking its request made is remembered.
ALTER TABLE idempotency_keys ADD COLUMN lease_expires_at timestamptz;
ALTER TABLE idempotency_keys ADD COLUMN booking_id uuid;
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
