-- Maintenance invitations (issue 22 items 5 and 7). N weeks before a due visit's date (6 by
-- default, per business) the customer is invited to book it, and reminded once 2 weeks later
-- if they have not. Both go through the outbox (topic 'maintenance.invite'), scheduled when
-- the visit opens. The job that sends a message first marks the visits it lists as its own
-- (invite_job_id, reminder_job_id) in a committed transaction: another instance's job, a
-- retried one or a second visit's job finds them taken and sends nothing (one message per
-- customer, listing every visit of theirs falling due).
ALTER TABLE artisans ADD COLUMN maintenance_invite_weeks smallint NOT NULL DEFAULT 6
  CHECK (maintenance_invite_weeks BETWEEN 1 AND 26);

ALTER TABLE due_visits
  ADD COLUMN invite_job_id uuid,
  ADD COLUMN invited_at timestamptz,
  ADD COLUMN reminder_job_id uuid,
  ADD COLUMN reminded_at timestamptz,
  -- Why the office closed it by hand (the customer moved, the contract ended); null otherwise.
  ADD COLUMN closed_reason text;

-- The customers who asked for no more invitations, by contact (a lower-case e-mail address or
-- an E.164 number), through the link every invitation carries. Kept when the customer's data
-- is erased: it is what keeps them from being solicited again.
CREATE TABLE maintenance_opt_outs (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  contact text NOT NULL CHECK (contact <> ''),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (artisan_id, contact)
);

-- The invitation groups a customer's visits: their other visits are found by contact.
CREATE INDEX due_visits_email ON due_visits (artisan_id, customer_email) WHERE status = 'due';
