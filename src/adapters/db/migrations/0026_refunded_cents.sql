-- What the payment provider has actually given back on a booking's deposit (refunds, and the
-- released part of an authorisation), apart from refund_cents, the refund a cancellation
-- decided. They differ when the artisan refunds from the provider's dashboard (issue 18):
-- charge.refunded then moves refunded_cents, and a later settlement asks the provider only
-- for what the decision grants beyond it.
ALTER TABLE bookings ADD COLUMN refunded_cents int NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0);

-- Until now a settled refund was recorded as payment_status 'refunded' with refund_cents.
UPDATE bookings SET refunded_cents = refund_cents WHERE payment_status = 'refunded';
