-- When the artisan chose how deposits are taken (the Paiements screen saved, issue 23 item 9).
-- The back office's checklist asks a new artisan to make that choice before the page goes live:
-- the capture strategy has a default, so only this column tells a choice from the default.
-- Every artisan that exists already, and every one a seed or script creates, counts as having
-- chosen (DEFAULT now()); the first start's claim alone inserts NULL (setup-store.ts).
ALTER TABLE artisans ADD COLUMN payments_chosen_at timestamptz DEFAULT now();
