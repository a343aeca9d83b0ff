-- A real artisan's first start (issue 11): the trade they give in the setup, shown on their
-- booking page, editable later. The setup code itself lives in app_secrets ('setup_code')
-- until the setup is done, so every instance on the database checks the same one.
ALTER TABLE artisans ADD COLUMN trade text CHECK (trade IS NULL OR length(trade) BETWEEN 1 AND 80);
