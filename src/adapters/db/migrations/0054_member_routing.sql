-- Routing a booking to a technician (issue 20, items 1, 3, 4, 6 and 7).
--
-- A technician's skills (the services they perform) and zones (French postcodes, INSEE
-- commune codes, départements). No skill listed: every service; no zone listed: everywhere
-- (README, "Équipes : compétences, zones et routage"). Both move the business's rules_version
-- (and so its data_version): the day's plan reads them with the rules (day_rules).
CREATE TABLE member_skills (
  artisan_id uuid NOT NULL,
  member_id uuid NOT NULL,
  service_id text NOT NULL,
  PRIMARY KEY (artisan_id, member_id, service_id),
  FOREIGN KEY (artisan_id, member_id) REFERENCES admin_users (artisan_id, id) ON DELETE CASCADE,
  FOREIGN KEY (artisan_id, service_id) REFERENCES services (artisan_id, id) ON DELETE CASCADE
);

CREATE TABLE member_zones (
  artisan_id uuid NOT NULL,
  member_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('postcode', 'commune', 'departement')),
  code text NOT NULL CHECK (code ~ '^[0-9AB]{2,5}$'),
  PRIMARY KEY (artisan_id, member_id, kind, code),
  FOREIGN KEY (artisan_id, member_id) REFERENCES admin_users (artisan_id, id) ON DELETE CASCADE
);

CREATE TRIGGER member_skills_rules AFTER INSERT OR UPDATE OR DELETE ON member_skills
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_rules();
CREATE TRIGGER member_zones_rules AFTER INSERT OR UPDATE OR DELETE ON member_zones
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_rules();
-- The team a routed booking carries is the technician's (day_rules reads it).
CREATE TRIGGER team_members_rules AFTER INSERT OR UPDATE OR DELETE ON team_members
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_rules();
-- Who routes, and in which order: a member's role, active flag and priority.
CREATE TRIGGER admin_users_rules AFTER INSERT OR DELETE OR UPDATE OF role, active, priority ON admin_users
  FOR EACH ROW EXECUTE FUNCTION bump_artisan_rules();

-- A busy block of one member (their own calendar, their own time off) blocks only them; NULL
-- (every block before this migration, the business's own calendars) blocks every technician.
-- A calendar connection may belong to a member: its imported blocks carry that member.
ALTER TABLE calendar_connections
  ADD COLUMN member_id uuid,
  ADD CONSTRAINT calendar_connections_member_fkey FOREIGN KEY (artisan_id, member_id) REFERENCES admin_users (artisan_id, id) ON DELETE CASCADE;
ALTER TABLE busy_blocks
  ADD COLUMN member_id uuid,
  ADD CONSTRAINT busy_blocks_member_fkey FOREIGN KEY (artisan_id, member_id) REFERENCES admin_users (artisan_id, id) ON DELETE CASCADE;

-- Why the booking went to its technician (item 6): {technicianId, teamId, reason, explanation,
-- candidates}; NULL when the booking was not routed (a business without technicians).
ALTER TABLE bookings ADD COLUMN assignment jsonb;

-- The database refuses two active bookings overlapping for one technician (item 7). Bookings
-- without a technician (every booking of a business that routes nothing) share one key, so
-- they keep refusing each other exactly as before; two technicians' bookings may overlap.
-- booking_hold also refuses, under the business's write lock, a technician's booking over an
-- unassigned one (which occupies every technician) and the reverse.
ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
  artisan_id WITH =,
  (coalesce(technician_id, '00000000-0000-0000-0000-000000000000'::uuid)) WITH =,
  blocked_range WITH &&
) WHERE (booking_holds_slot(status));
