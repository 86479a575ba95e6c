-- The triggers of the live streams' change log (functions.sql), made once the tables exist:
-- run, like functions.sql, whenever the migrations are checked.
CREATE OR REPLACE TRIGGER stream_status_created AFTER INSERT ON statuses
FOR EACH ROW EXECUTE FUNCTION fedi_stream_status();
CREATE OR REPLACE TRIGGER stream_status_edited AFTER UPDATE OF edited_at ON statuses
FOR EACH ROW WHEN (NEW.edited_at IS DISTINCT FROM OLD.edited_at)
EXECUTE FUNCTION fedi_stream_status();
CREATE OR REPLACE TRIGGER stream_status_deleted BEFORE DELETE ON statuses
FOR EACH ROW EXECUTE FUNCTION fedi_stream_status_deleted();
CREATE OR REPLACE TRIGGER stream_notification AFTER INSERT ON notifications
FOR EACH ROW EXECUTE FUNCTION fedi_stream_other();
CREATE OR REPLACE TRIGGER stream_account_suspended AFTER UPDATE OF suspended_at ON accounts
FOR EACH ROW WHEN (NEW.suspended_at IS NOT NULL AND OLD.suspended_at IS NULL)
EXECUTE FUNCTION fedi_stream_other();
CREATE OR REPLACE TRIGGER stream_token_revoked AFTER UPDATE OF revoked_at ON oauth_tokens
FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
EXECUTE FUNCTION fedi_stream_other();
CREATE OR REPLACE TRIGGER stream_token_deleted AFTER DELETE ON oauth_tokens
FOR EACH ROW EXECUTE FUNCTION fedi_stream_other();
