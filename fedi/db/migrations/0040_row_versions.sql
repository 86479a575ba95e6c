-- A version per account and status row, raised by every change to the row (whatever statement
-- makes it), so that pages can read (id, row_version) and reuse the model they built from the
-- same version before (fedi.db.row_memo.VersionMemo) instead of reading every column again.
-- Ids are never reused (fedi.core.ids), so an id and its version name one content.
ALTER TABLE accounts ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER accounts_row_version AFTER UPDATE ON accounts
WHEN NEW.row_version = OLD.row_version BEGIN
    UPDATE accounts SET row_version = OLD.row_version + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER statuses_row_version AFTER UPDATE ON statuses
WHEN NEW.row_version = OLD.row_version BEGIN
    UPDATE statuses SET row_version = OLD.row_version + 1 WHERE id = NEW.id;
END;
