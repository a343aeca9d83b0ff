-- The completion report (issue 22 item 2): when a booking is marked done, the technician fills
-- a short form (work done, observations, the appliance's brand, model and serial number, and
-- the fields of the service's preset: a boiler service's measurements). The customer receives
-- it as a French PDF by e-mail and can download it again from the manage link. The PDF is
-- kept as sent, with the entries it was made from, and goes into the business's export.
ALTER TABLE services ADD COLUMN report_preset text NOT NULL DEFAULT 'standard'
  CHECK (report_preset IN ('standard', 'boiler'));

CREATE TABLE completion_reports (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  booking_id uuid NOT NULL,
  -- [{ key, label, value }] in the form's order: the labels as the customer read them.
  entries jsonb NOT NULL,
  technician_name text NOT NULL,
  pdf bytea NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (artisan_id, booking_id),
  CONSTRAINT completion_reports_booking_fkey FOREIGN KEY (artisan_id, booking_id) REFERENCES bookings (artisan_id, id) ON DELETE CASCADE
);
