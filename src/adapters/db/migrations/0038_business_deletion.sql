-- A business's own data (issue 19, item 4): the operator exports a business and deletes it
-- after a grace period. Scheduling the deletion suspends the business at once and records when
-- the purge is due and who asked; the operator may cancel until then. The worker purges a
-- business whose date has passed: every row with its artisan_id, then the business itself.
ALTER TABLE artisans ADD COLUMN deletion_due_at timestamptz;
-- The operator who scheduled it (their e-mail as it was), named in the purge's audit entry.
ALTER TABLE artisans ADD COLUMN deletion_requested_by text;
-- The worker looks for due deletions: few rows ever carry a date.
CREATE INDEX artisans_deletion_due ON artisans (deletion_due_at) WHERE deletion_due_at IS NOT NULL;

-- The audit also records exports (access to a business's personal data), scheduled and
-- cancelled deletions and the purge itself; its entries outlive the business (no foreign key).
ALTER TABLE operator_audit DROP CONSTRAINT operator_audit_action_check;
ALTER TABLE operator_audit ADD CONSTRAINT operator_audit_action_check
  CHECK (action IN ('suspend', 'resume', 'plan', 'export', 'schedule_deletion', 'cancel_deletion', 'delete'));
