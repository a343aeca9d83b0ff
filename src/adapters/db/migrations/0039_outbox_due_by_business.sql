-- The outbox is claimed round-robin across businesses (issue 19 item 7): each claim reads the
-- first due jobs of every business, in run_at order, through this index, instead of the oldest
-- jobs of the whole instance, so one business's backlog never delays another's confirmations.
CREATE INDEX outbox_due_by_business ON outbox (artisan_id, run_at, id) WHERE status = 'pending';
