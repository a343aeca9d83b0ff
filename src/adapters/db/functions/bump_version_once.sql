-- The artisan's data_version moves once per transaction, not once per written row: readers
-- only ever compare committed versions, so one bump per transaction tells them the same thing.
-- A transaction that already wrote the artisan row has bumped it: every change of that row
-- moves data_version (artisans_bump_own_version), so when the row version in sight is this
-- transaction's own (its xmin is the transaction's id) there is nothing to do. One index probe
-- per written row, whatever the number of businesses the transaction touches (the list of
-- businesses bumped that this function kept before, searched for every row, made a bulk write
-- over many businesses quadratic). A rolled-back savepoint takes its row version, so its bump,
-- back with it; a write in a released savepoint has its own id and bumps once more (harmless).
CREATE OR REPLACE FUNCTION bump_version_once(p_artisan uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_artisan IS NULL THEN
    RETURN;
  END IF;
  UPDATE artisans SET data_version = data_version + 1
   WHERE id = p_artisan AND xmin::text::bigint <> pg_current_xact_id()::text::bigint % 4294967296;
END
$$;
