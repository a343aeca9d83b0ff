-- A minimum notice per service (issue 23 item 7): an urgent call-out can take 1 h notice, an
-- installation 48 h. NULL: the business's own (artisans.min_notice_minutes). Same bound as the
-- business's setting (src/domain/artisan-settings.ts: 0 to 30 days).
ALTER TABLE services ADD COLUMN min_notice_minutes int
  CHECK (min_notice_minutes IS NULL OR min_notice_minutes BETWEEN 0 AND 43200);
