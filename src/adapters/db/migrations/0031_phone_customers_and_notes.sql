-- Phone-only customers and the artisan's private notes (issue 23 items 3 and 4).

-- A booking the business takes itself (on the phone) may have no e-mail: many customers of a
-- boiler service have none. Such a booking is confirmed by SMS or not at all, and cannot be
-- found by code + e-mail (its manage link, sent by SMS, still opens it). Online bookings keep
-- their e-mail: the public API requires it and the check below says so in the schema.
ALTER TABLE bookings ALTER COLUMN customer_email DROP NOT NULL;
ALTER TABLE bookings ADD CONSTRAINT bookings_online_has_email CHECK (channel <> 'online' OR customer_email IS NOT NULL);

-- The artisan's private note on one booking (door code, "ring twice", what was seen on site).
-- Never shown to the customer: read only by the back office's routes. A customer's erasure
-- deletes the notes of their bookings.
CREATE TABLE booking_notes (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  booking_id uuid NOT NULL,
  body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 4000),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (artisan_id, booking_id),
  FOREIGN KEY (artisan_id, booking_id) REFERENCES bookings (artisan_id, id)
);

-- The artisan's private note on a customer, who has no account: they are known by their
-- normalised e-mail ('email:jean@example.com') or, without one, their phone in E.164
-- ('phone:+33611223344').
CREATE TABLE customer_notes (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  customer_key text NOT NULL CHECK (customer_key ~ '^(email:[^[:space:]]+@[^[:space:]]+|phone:\+[0-9]{6,15})$'),
  body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 4000),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (artisan_id, customer_key)
);
