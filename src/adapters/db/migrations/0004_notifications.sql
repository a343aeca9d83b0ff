-- Notifications (issue #4): what the embedded default "sent", which deliveries already went
-- out (so a retried job never resends them), the artisan's notification settings and the
-- shared secret that signs manage links.

-- Every message the embedded default kept instead of sending (no SMTP_URL / no Twilio
-- credentials): the artisan reads it in GET /api/admin/messages.
CREATE TABLE mailbox (
  id uuid PRIMARY KEY,
  -- Insertion order: messages kept in the same instant still list newest first.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  channel text NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient text NOT NULL,
  recipient_kind text NOT NULL CHECK (recipient_kind IN ('customer', 'artisan')),
  kind text NOT NULL,
  subject text,
  text_body text NOT NULL,
  html_body text,
  ics text,
  message_id text NOT NULL,
  booking_id uuid,
  outbox_id uuid,
  created_at timestamptz NOT NULL
);
CREATE INDEX mailbox_recent ON mailbox (created_at DESC, seq DESC);
CREATE INDEX mailbox_booking ON mailbox (booking_id);
CREATE UNIQUE INDEX mailbox_message_id ON mailbox (message_id);

-- One row per message that left (per outbox job, recipient and channel). A job retried after
-- a partial failure or a crash skips what is recorded here.
CREATE TABLE notification_deliveries (
  outbox_id uuid NOT NULL,
  delivery_key text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'sms')),
  message_id text NOT NULL,
  provider_ref text,
  booking_id uuid,
  sent_at timestamptz NOT NULL,
  PRIMARY KEY (outbox_id, delivery_key)
);
CREATE INDEX notification_deliveries_booking ON notification_deliveries (booking_id);

ALTER TABLE artisans ADD COLUMN notify_artisan_email boolean NOT NULL DEFAULT true;
ALTER TABLE artisans ADD CONSTRAINT artisans_reminder_hours CHECK (reminder_hours_before BETWEEN 0 AND 168);

-- Secrets every instance must share (the manage-link signing key when LINK_SECRET is unset).
CREATE TABLE app_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX outbox_dead ON outbox (created_at) WHERE status = 'dead';
