-- Many businesses on one instance (issue 19). `artisans.id` is the business account
-- (decisions §11): every row a business owns carries `artisan_id`, and every primary key and
-- foreign key between business rows starts with it. Two consequences:
--   * keys a business chooses are unique per business: two businesses may both have `diag`;
--   * the schema can be distributed by `artisan_id` (Citus' multi-tenant model): rows that
--     reference each other always live on the same shard (docs/deployment.md).
-- Instance-level lookups stay unique across the instance on purpose, so that a booking code,
-- a token or a sign-in e-mail finds its business without being told which one:
-- bookings.public_code, api_tokens.token_hash, calendar_feeds.token_hash,
-- admin_users.email, artisans.slug and artisans.host_name (test/db-tenancy-schema.test.ts lists them).

-- 1. The tables that lacked the column, filled from the row they belong to. A database made
-- before this migration served one business: whatever cannot be traced to a booking or a user
-- belongs to that business (the first one created); with no business at all it belongs to no one.
ALTER TABLE booking_events ADD COLUMN artisan_id uuid;
UPDATE booking_events e SET artisan_id = b.artisan_id FROM bookings b WHERE b.id = e.booking_id;

ALTER TABLE outbox ADD COLUMN artisan_id uuid;
UPDATE outbox o SET artisan_id = b.artisan_id FROM bookings b WHERE b.id = o.booking_id;
UPDATE outbox SET artisan_id = (SELECT id FROM artisans ORDER BY created_at, id LIMIT 1) WHERE artisan_id IS NULL;

ALTER TABLE notification_deliveries ADD COLUMN artisan_id uuid;
UPDATE notification_deliveries d SET artisan_id = o.artisan_id FROM outbox o WHERE o.id = d.outbox_id;
UPDATE notification_deliveries d SET artisan_id = b.artisan_id FROM bookings b WHERE d.artisan_id IS NULL AND b.id = d.booking_id;
UPDATE notification_deliveries SET artisan_id = (SELECT id FROM artisans ORDER BY created_at, id LIMIT 1) WHERE artisan_id IS NULL;

ALTER TABLE mailbox ADD COLUMN artisan_id uuid;
UPDATE mailbox m SET artisan_id = b.artisan_id FROM bookings b WHERE b.id = m.booking_id;
UPDATE mailbox m SET artisan_id = o.artisan_id FROM outbox o WHERE m.artisan_id IS NULL AND o.id = m.outbox_id;
UPDATE mailbox SET artisan_id = (SELECT id FROM artisans ORDER BY created_at, id LIMIT 1) WHERE artisan_id IS NULL;

ALTER TABLE idempotency_keys ADD COLUMN artisan_id uuid;
UPDATE idempotency_keys k SET artisan_id = b.artisan_id FROM bookings b WHERE b.id = k.booking_id;
UPDATE idempotency_keys SET artisan_id = (SELECT id FROM artisans ORDER BY created_at, id LIMIT 1) WHERE artisan_id IS NULL;

ALTER TABLE admin_sessions ADD COLUMN artisan_id uuid;
UPDATE admin_sessions s SET artisan_id = u.artisan_id FROM admin_users u WHERE u.id = s.user_id;

DELETE FROM booking_events WHERE artisan_id IS NULL;
DELETE FROM notification_deliveries WHERE artisan_id IS NULL;
DELETE FROM mailbox WHERE artisan_id IS NULL;
DELETE FROM outbox WHERE artisan_id IS NULL;
DELETE FROM idempotency_keys WHERE artisan_id IS NULL;
DELETE FROM admin_sessions WHERE artisan_id IS NULL;

ALTER TABLE booking_events ALTER COLUMN artisan_id SET NOT NULL;
ALTER TABLE outbox ALTER COLUMN artisan_id SET NOT NULL;
ALTER TABLE notification_deliveries ALTER COLUMN artisan_id SET NOT NULL;
ALTER TABLE mailbox ALTER COLUMN artisan_id SET NOT NULL;
ALTER TABLE idempotency_keys ALTER COLUMN artisan_id SET NOT NULL;
ALTER TABLE admin_sessions ALTER COLUMN artisan_id SET NOT NULL;

-- 2. Foreign keys on the old single-column keys go before those keys change.
ALTER TABLE bookings DROP CONSTRAINT bookings_service_id_fkey;
ALTER TABLE busy_blocks DROP CONSTRAINT busy_blocks_booking_id_fkey;
ALTER TABLE busy_blocks DROP CONSTRAINT busy_blocks_connection;
ALTER TABLE booking_events DROP CONSTRAINT booking_events_booking_id_fkey;
ALTER TABLE outbox DROP CONSTRAINT outbox_booking_id_fkey;
ALTER TABLE admin_sessions DROP CONSTRAINT admin_sessions_user_id_fkey;
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_created_by_token_id_fkey;
ALTER TABLE calendar_exports DROP CONSTRAINT calendar_exports_booking_id_fkey;
ALTER TABLE calendar_exports DROP CONSTRAINT calendar_exports_connection_id_fkey;
ALTER TABLE booking_consents DROP CONSTRAINT booking_consents_booking_id_fkey;
ALTER TABLE payment_events DROP CONSTRAINT payment_events_booking_id_fkey;
ALTER TABLE calendar_remote_events DROP CONSTRAINT calendar_remote_events_connection_id_fkey;

-- 3. Primary keys led by the business.
ALTER TABLE services DROP CONSTRAINT services_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE bookings DROP CONSTRAINT bookings_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE busy_blocks DROP CONSTRAINT busy_blocks_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE booking_events DROP CONSTRAINT booking_events_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE outbox DROP CONSTRAINT outbox_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE mailbox DROP CONSTRAINT mailbox_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_pkey, ADD PRIMARY KEY (artisan_id, outbox_id, delivery_key);
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey, ADD PRIMARY KEY (artisan_id, scope, key);
ALTER TABLE admin_users DROP CONSTRAINT admin_users_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE admin_sessions DROP CONSTRAINT admin_sessions_pkey, ADD PRIMARY KEY (artisan_id, token_hash);
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE calendar_connections DROP CONSTRAINT calendar_connections_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE calendar_exports DROP CONSTRAINT calendar_exports_pkey, ADD PRIMARY KEY (artisan_id, connection_id, booking_id);
ALTER TABLE booking_consents DROP CONSTRAINT booking_consents_pkey, ADD PRIMARY KEY (artisan_id, booking_id);
ALTER TABLE payment_events DROP CONSTRAINT payment_events_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE schedule_exceptions DROP CONSTRAINT schedule_exceptions_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE schedule_rules DROP CONSTRAINT schedule_rules_pkey, ADD PRIMARY KEY (artisan_id, id);
ALTER TABLE calendar_remote_events DROP CONSTRAINT calendar_remote_events_pkey, ADD PRIMARY KEY (artisan_id, connection_id, remote_id);

-- Unique keys within a business.
ALTER TABLE busy_blocks DROP CONSTRAINT busy_blocks_booking_id_key, ADD CONSTRAINT busy_blocks_booking_key UNIQUE (artisan_id, booking_id);
DROP INDEX mailbox_message_id;
CREATE UNIQUE INDEX mailbox_message_id ON mailbox (artisan_id, message_id);

-- 4. References between a business's rows carry the business: a row can only point at its own
-- business's rows, whatever the code does.
ALTER TABLE bookings ADD CONSTRAINT bookings_service_fkey FOREIGN KEY (artisan_id, service_id) REFERENCES services (artisan_id, id);
ALTER TABLE busy_blocks ADD CONSTRAINT busy_blocks_booking_fkey FOREIGN KEY (artisan_id, booking_id) REFERENCES bookings (artisan_id, id);
ALTER TABLE busy_blocks ADD CONSTRAINT busy_blocks_connection
  FOREIGN KEY (artisan_id, calendar_connection_id) REFERENCES calendar_connections (artisan_id, id) ON DELETE CASCADE;
ALTER TABLE booking_events ADD CONSTRAINT booking_events_booking_fkey FOREIGN KEY (artisan_id, booking_id) REFERENCES bookings (artisan_id, id);
ALTER TABLE booking_events ADD CONSTRAINT booking_events_artisan_fkey FOREIGN KEY (artisan_id) REFERENCES artisans (id);
ALTER TABLE outbox ADD CONSTRAINT outbox_booking_fkey FOREIGN KEY (artisan_id, booking_id) REFERENCES bookings (artisan_id, id);
ALTER TABLE outbox ADD CONSTRAINT outbox_artisan_fkey FOREIGN KEY (artisan_id) REFERENCES artisans (id);
ALTER TABLE notification_deliveries ADD CONSTRAINT notification_deliveries_artisan_fkey FOREIGN KEY (artisan_id) REFERENCES artisans (id);
ALTER TABLE mailbox ADD CONSTRAINT mailbox_artisan_fkey FOREIGN KEY (artisan_id) REFERENCES artisans (id);
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_artisan_fkey FOREIGN KEY (artisan_id) REFERENCES artisans (id);
ALTER TABLE admin_sessions ADD CONSTRAINT admin_sessions_user_fkey
  FOREIGN KEY (artisan_id, user_id) REFERENCES admin_users (artisan_id, id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_created_by_fkey
  FOREIGN KEY (artisan_id, created_by_token_id) REFERENCES api_tokens (artisan_id, id) ON DELETE SET NULL (created_by_token_id);
ALTER TABLE calendar_exports ADD CONSTRAINT calendar_exports_booking_fkey FOREIGN KEY (artisan_id, booking_id) REFERENCES bookings (artisan_id, id);
ALTER TABLE calendar_exports ADD CONSTRAINT calendar_exports_connection_fkey
  FOREIGN KEY (artisan_id, connection_id) REFERENCES calendar_connections (artisan_id, id) ON DELETE CASCADE;
ALTER TABLE booking_consents ADD CONSTRAINT booking_consents_booking_fkey
  FOREIGN KEY (artisan_id, booking_id) REFERENCES bookings (artisan_id, id) ON DELETE CASCADE;
ALTER TABLE payment_events ADD CONSTRAINT payment_events_booking_fkey FOREIGN KEY (artisan_id, booking_id) REFERENCES bookings (artisan_id, id);
ALTER TABLE calendar_remote_events ADD CONSTRAINT calendar_remote_events_connection_fkey
  FOREIGN KEY (artisan_id, connection_id) REFERENCES calendar_connections (artisan_id, id) ON DELETE CASCADE;

-- 5. Indexes the old single-column keys served, now led by the business.
DROP INDEX booking_events_booking;
CREATE INDEX booking_events_booking ON booking_events (artisan_id, booking_id, id);
DROP INDEX outbox_booking;
CREATE INDEX outbox_booking ON outbox (artisan_id, booking_id);
DROP INDEX mailbox_booking;
CREATE INDEX mailbox_booking ON mailbox (artisan_id, booking_id);
DROP INDEX mailbox_recent;
CREATE INDEX mailbox_recent ON mailbox (artisan_id, created_at DESC, seq DESC);
DROP INDEX notification_deliveries_booking;
CREATE INDEX notification_deliveries_booking ON notification_deliveries (artisan_id, booking_id);
DROP INDEX admin_sessions_user;
CREATE INDEX admin_sessions_user ON admin_sessions (artisan_id, user_id);
-- A session cookie is looked up before its business is known.
CREATE UNIQUE INDEX admin_sessions_token ON admin_sessions (token_hash);
DROP INDEX payment_events_booking;
CREATE INDEX payment_events_booking ON payment_events (artisan_id, booking_id);
DROP INDEX booking_consents_artisan;
DROP INDEX calendar_exports_artisan;
DROP INDEX calendar_remote_events_artisan;

-- 6. How a visitor reaches a business: its address on the instance (/plomberie-dupont) and,
-- optionally, its own host name. Both are unique across the instance.
ALTER TABLE artisans ADD COLUMN slug text UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) BETWEEN 3 AND 60);
ALTER TABLE artisans ADD COLUMN host_name text UNIQUE CHECK (host_name = lower(host_name));
