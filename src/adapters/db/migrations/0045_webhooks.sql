-- Outgoing webhooks (issue 21, first slice): a business's endpoints, the events its bookings
-- produce (the catch-up log and the bodies sent, byte for byte) and one delivery per event and
-- endpoint with its attempts. Events enter the outbox (topic 'webhook.event') in the same
-- transaction as the booking change; the worker records them here and fans them out.

-- A token scope for managing endpoints through the API.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_known;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_known
  CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['bookings:read', 'bookings:write', 'settings', 'calendars', 'export', 'webhooks:manage']::text[]);

CREATE TABLE webhook_endpoints (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  url text NOT NULL,
  description text NOT NULL DEFAULT '',
  event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
  enabled boolean NOT NULL DEFAULT true,
  -- Why the service turned it off (410 Gone…); null when the business did, or when enabled.
  disabled_reason text,
  -- The signing secret (whsec_…), sealed with the instance's secrets key, bound to the endpoint.
  secret_sealed text NOT NULL,
  -- The secret before the last rotation, still signing beside the new one until it expires.
  previous_secret_sealed text,
  previous_secret_expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (artisan_id, id)
);

CREATE TABLE webhook_events (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  -- The outbox row's id: also the webhook-id of every delivery of the event.
  id uuid NOT NULL,
  -- Order of the business's events (deliveries of one booking keep it).
  seq bigint GENERATED ALWAYS AS IDENTITY,
  type text NOT NULL,
  booking_id uuid,
  occurred_at timestamptz NOT NULL,
  -- The JSON body as sent (text: signatures are over these exact bytes).
  body text NOT NULL,
  PRIMARY KEY (artisan_id, id)
);
CREATE INDEX webhook_events_by_seq ON webhook_events (artisan_id, seq);

CREATE TABLE webhook_deliveries (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  endpoint_id uuid NOT NULL,
  event_id uuid NOT NULL,
  event_seq bigint NOT NULL,
  booking_id uuid,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  last_status_code int,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (artisan_id, id),
  UNIQUE (artisan_id, event_id, endpoint_id),
  FOREIGN KEY (artisan_id, endpoint_id) REFERENCES webhook_endpoints (artisan_id, id) ON DELETE CASCADE,
  FOREIGN KEY (artisan_id, event_id) REFERENCES webhook_events (artisan_id, id) ON DELETE CASCADE
);
-- An endpoint's open deliveries of one booking, in event order (a later one waits for an earlier one).
CREATE INDEX webhook_deliveries_open ON webhook_deliveries (artisan_id, endpoint_id, booking_id, event_seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (artisan_id, endpoint_id, created_at DESC);
