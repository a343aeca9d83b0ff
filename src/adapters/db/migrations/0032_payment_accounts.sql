-- Stripe Connect (issue 19 item 5): each business's own Stripe account, to which its deposits
-- go (direct charges with the Stripe-Account header). One account per business and provider;
-- the state is Stripe's (details_submitted, charges_enabled), refreshed when the artisan comes
-- back from the onboarding and on every `account.updated` webhook.
CREATE TABLE payment_accounts (
  artisan_id uuid NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
  provider text NOT NULL DEFAULT 'stripe' CHECK (provider IN ('stripe')),
  account_id text NOT NULL CHECK (account_id ~ '^acct_[A-Za-z0-9]+$'),
  details_submitted boolean NOT NULL DEFAULT false,
  charges_enabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (artisan_id, provider)
);

-- Webhooks name the account (event.account), not the business: the one lookup by account id,
-- which finds the business owning it. Account ids come from Stripe's answer to the creation
-- only, so two businesses never hold the same one; the unique key stays (artisan_id, …) so
-- that the table can be distributed by artisan_id, and the routing refuses an ambiguous match.
CREATE INDEX payment_accounts_account ON payment_accounts (account_id);
