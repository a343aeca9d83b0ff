-- Outgoing webhooks (issue 21): since when an endpoint's attempts have all failed. Cleared by a
-- successful attempt; once it is 5 days old at a failed attempt, the endpoint is turned off and
-- the business told by e-mail (Standard Webhooks' rule, which Svix follows).
ALTER TABLE webhook_endpoints ADD COLUMN failing_since timestamptz;
