-- Issue 23 item 5, the customer's form for a visit at home.
--
-- services.at_customer: the intervention takes place at the customer's ("intervention chez le
-- client"); a booking of such a service requires the intervention address and a phone. Default
-- false: a service created through the admin API by an existing integration, and the
-- contract's example bookings (name and e-mail only), keep being accepted as before; the
-- artisan opts each service in. Existing rows are left as they were for the same reason (a
-- live booking page must not start refusing bookings after an upgrade); the demo's seed sets
-- it on its boiler service.
ALTER TABLE services ADD COLUMN at_customer boolean NOT NULL DEFAULT false;

-- bookings.problem_description: "Décrivez le problème", the customer's own words for the
-- artisan (optional). Bounded like the API's body; personal data, so erased with the customer.
ALTER TABLE bookings ADD COLUMN problem_description text
  CHECK (problem_description IS NULL OR char_length(problem_description) <= 1000);
