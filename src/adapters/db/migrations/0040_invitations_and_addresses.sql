-- The operator's console (issue 19): the sign-up invitations listed and revoked, and a
-- business's address (slug, host name) changed.

-- An invitation is named in the console by an id (never by the hash of its secret), and may be
-- revoked while unused: a revoked invitation opens nothing.
ALTER TABLE signup_invites ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE signup_invites ADD CONSTRAINT signup_invites_id_key UNIQUE (id);
ALTER TABLE signup_invites ADD COLUMN revoked_at timestamptz;
CREATE INDEX signup_invites_created ON signup_invites (created_at DESC);

-- The addresses every instance keeps for a few seconds (business-directory-store.ts) are
-- stamped: any statement that may change which business an address reaches (a slug or host
-- name set, a sign-up published, a business added or deleted) moves this one counter in its
-- own transaction, so the new value is seen only with the change. Each instance reads it at
-- most once a second and drops what it kept when it moved. Statement-level: a bulk insert of
-- businesses moves it once.
CREATE TABLE business_directory_stamp (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  version bigint NOT NULL
);
INSERT INTO business_directory_stamp (only_row, version) VALUES (true, 1);

CREATE OR REPLACE FUNCTION bump_business_directory_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE business_directory_stamp SET version = version + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER artisans_directory_stamp AFTER INSERT OR DELETE OR UPDATE OF slug, host_name, unconfirmed_since ON artisans
  FOR EACH STATEMENT EXECUTE FUNCTION bump_business_directory_stamp();
CREATE TRIGGER artisans_directory_stamp_truncate AFTER TRUNCATE ON artisans
  FOR EACH STATEMENT EXECUTE FUNCTION bump_business_directory_stamp();

-- The audit names the new action: a business's address changed (details: the old and new).
ALTER TABLE operator_audit DROP CONSTRAINT operator_audit_action_check;
ALTER TABLE operator_audit ADD CONSTRAINT operator_audit_action_check
  CHECK (action IN ('suspend', 'resume', 'plan', 'export', 'schedule_deletion', 'cancel_deletion', 'delete', 'address'));
