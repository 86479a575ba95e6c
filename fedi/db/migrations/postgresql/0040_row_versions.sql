-- A version per account and status row, raised by every change to the row (whatever statement
-- makes it), so that pages can read (id, row_version) and reuse the model they built from the
-- same version before (fedi.db.row_memo.VersionMemo) instead of reading every column again.
-- Ids are never reused (fedi.core.ids), so an id and its version name one content.
ALTER TABLE accounts ADD COLUMN row_version BIGINT NOT NULL DEFAULT 0;

ALTER TABLE statuses ADD COLUMN row_version BIGINT NOT NULL DEFAULT 0;

-- PostgreSQL sets the new version on the row being written (BEFORE UPDATE), where SQLite
-- writes the row again after it.
CREATE FUNCTION row_version_bumped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.row_version = OLD.row_version + 1;
    RETURN NEW;
END
$$;
CREATE TRIGGER accounts_row_version BEFORE UPDATE ON accounts FOR EACH ROW
WHEN (NEW.row_version = OLD.row_version)
EXECUTE FUNCTION row_version_bumped();
CREATE TRIGGER statuses_row_version BEFORE UPDATE ON statuses FOR EACH ROW
WHEN (NEW.row_version = OLD.row_version)
EXECUTE FUNCTION row_version_bumped();
