-- The Business plan's members (issue 20, item 1). A business's back-office logins become its
-- members: each has a name, an optional phone, a role (owner: everything; office: everything
-- but billing and the payment account; technician: their own bookings), an active flag and a
-- priority (for the routing to come). The login every business already has becomes its owner
-- (the column defaults), so existing logins, sessions, resets and API tokens keep working.
--
-- An invited member has no password yet (password_hash = ''): they cannot sign in until they
-- open their invitation, which is an admin_password_resets row (the same single-use hashed
-- link as a password reset, valid longer: see src/app/members.ts).
ALTER TABLE admin_users
  ADD COLUMN name text NOT NULL DEFAULT '',
  ADD COLUMN phone text,
  ADD COLUMN role text NOT NULL DEFAULT 'owner',
  ADD COLUMN active boolean NOT NULL DEFAULT true,
  ADD COLUMN priority integer NOT NULL DEFAULT 0,
  ADD COLUMN invited_at timestamptz,
  -- Set when a plan change deactivated the member (a later upgrade does not reactivate them by itself).
  ADD COLUMN deactivated_at timestamptz,
  ADD CONSTRAINT admin_users_role_known CHECK (role IN ('owner', 'office', 'technician')),
  ADD CONSTRAINT admin_users_priority_range CHECK (priority BETWEEN -1000 AND 1000);

-- The owner's name: the business's display name until they change it.
UPDATE admin_users u SET name = a.display_name FROM artisans a WHERE a.id = u.artisan_id AND u.name = '';

-- Starter and Pro have one member, the owner: leaving Business deactivates every other member
-- (their rows, assignments and history stay) and ends their sessions, whatever made the change
-- (the operator's console, a script, a restore).
CREATE OR REPLACE FUNCTION members_follow_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.plan <> 'business' AND OLD.plan = 'business' THEN
    UPDATE admin_users SET active = false, deactivated_at = now()
     WHERE artisan_id = NEW.id AND role <> 'owner' AND active;
    DELETE FROM admin_sessions s USING admin_users u
     WHERE s.artisan_id = NEW.id AND u.artisan_id = NEW.id AND u.id = s.user_id AND NOT u.active;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER artisans_members_follow_plan AFTER UPDATE OF plan ON artisans
  FOR EACH ROW EXECUTE FUNCTION members_follow_plan();
