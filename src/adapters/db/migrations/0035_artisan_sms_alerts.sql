-- The artisan may be alerted of new, moved and cancelled bookings by SMS as well as by e-mail
-- (issue 23 item 8), on plans with SMS. A column of the artisan's own row (artisans is keyed by
-- its id, the tenant itself): off by default, nothing changes for anyone until they opt in.
ALTER TABLE artisans ADD COLUMN notify_artisan_sms boolean NOT NULL DEFAULT false;
