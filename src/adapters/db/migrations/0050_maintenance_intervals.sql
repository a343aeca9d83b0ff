-- Maintenance contracts (issue 22 items 3 and 4). A service may carry a maintenance interval
-- (a boiler: 12 months). Booking it, the customer may tick « Me proposer le prochain
-- entretien »: the consent is kept with the terms' (booking_consents). When such a booking
-- is completed, the next visit falls due at the visit's date plus the interval: a due visit,
-- nothing booked in advance.
ALTER TABLE services ADD COLUMN maintenance_interval_months smallint
  CHECK (maintenance_interval_months BETWEEN 1 AND 120);

ALTER TABLE booking_consents ADD COLUMN next_visit boolean NOT NULL DEFAULT false;

-- One row per visit falling due. It belongs to the customer (their contacts and the
-- intervention address, copied: the booking may be erased or the customer move) and to
-- the service. `status`: 'due' until the customer books the visit, 'closed' otherwise
-- (invitations, booking and closing by hand come in later work).
CREATE TABLE due_visits (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  service_id text NOT NULL,
  -- The completed booking this visit follows: one due visit per completion.
  previous_booking_id uuid NOT NULL,
  due_on date NOT NULL,
  interval_months smallint NOT NULL CHECK (interval_months BETWEEN 1 AND 120),
  customer_name text NOT NULL,
  customer_email text,
  customer_phone text,
  address jsonb,
  status text NOT NULL DEFAULT 'due' CHECK (status IN ('due', 'closed')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (artisan_id, id),
  CONSTRAINT due_visits_previous_booking UNIQUE (artisan_id, previous_booking_id),
  CONSTRAINT due_visits_service_fkey FOREIGN KEY (artisan_id, service_id) REFERENCES services (artisan_id, id),
  CONSTRAINT due_visits_booking_fkey FOREIGN KEY (artisan_id, previous_booking_id) REFERENCES bookings (artisan_id, id)
);
-- The office's list and the invitations read a business's due visits by date.
CREATE INDEX due_visits_due ON due_visits (artisan_id, due_on) WHERE status = 'due';
