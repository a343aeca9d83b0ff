-- Trigger artisans_members_follow_plan (AFTER UPDATE OF plan ON artisans, migration 0041):
-- leaving the Business plan deactivates every member but the owners (their rows, assignments
-- and history stay) and ends their sessions, whatever made the change.
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
