-- Teams (issue 20, item 2): named groups of a business's members ("Équipe chauffage",
-- "Équipe Nord"). A booking may carry the team and the technician (member) it is given to;
-- both are nullable (a one-member business never sets them) and both reference rows of the
-- booking's own business (composite keys: another business's team or member cannot be named).
CREATE TABLE teams (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (artisan_id, id)
);
CREATE UNIQUE INDEX teams_name ON teams (artisan_id, lower(name));

CREATE TABLE team_members (
  artisan_id uuid NOT NULL,
  team_id uuid NOT NULL,
  member_id uuid NOT NULL,
  PRIMARY KEY (artisan_id, team_id, member_id),
  FOREIGN KEY (artisan_id, team_id) REFERENCES teams (artisan_id, id) ON DELETE CASCADE,
  FOREIGN KEY (artisan_id, member_id) REFERENCES admin_users (artisan_id, id) ON DELETE CASCADE
);
CREATE INDEX team_members_member ON team_members (artisan_id, member_id);

ALTER TABLE bookings
  ADD COLUMN team_id uuid,
  ADD COLUMN technician_id uuid,
  ADD CONSTRAINT bookings_team_fkey FOREIGN KEY (artisan_id, team_id) REFERENCES teams (artisan_id, id),
  ADD CONSTRAINT bookings_technician_fkey FOREIGN KEY (artisan_id, technician_id) REFERENCES admin_users (artisan_id, id);
-- A technician's own bookings (their list, the role check on a booking's detail).
CREATE INDEX bookings_technician ON bookings (artisan_id, technician_id, starts_at) WHERE technician_id IS NOT NULL;
CREATE INDEX bookings_team ON bookings (artisan_id, team_id) WHERE team_id IS NOT NULL;
