-- The booking page shows the artisan's terms of sale; the customer accepts them
-- (and the cancellation policy written out with the booking's dates and amounts) by a
-- checkbox, and that consent is kept with the booking.
ALTER TABLE artisans ADD COLUMN terms_of_sale text CHECK (char_length(terms_of_sale) <= 20000);

-- One row per booking whose customer accepted the terms online: when, which version of the
-- terms (a digest of their text) and the cancellation policy as it was shown.
CREATE TABLE booking_consents (
  booking_id uuid PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  accepted_at timestamptz NOT NULL,
  terms_version text,
  refund_policy jsonb NOT NULL
);
CREATE INDEX booking_consents_artisan ON booking_consents (artisan_id);
