-- Functions of fedi's own on PostgreSQL, made (or replaced) before any migration runs, every
-- time the migrations are checked: they belong to no version, and the numbered migrations and
-- the queries may call them.

-- The wall clock in fedi.core.timeutil.to_db's form (SQLite: strftime('%Y-%m-%dT%H:%M:%f...')).
CREATE OR REPLACE FUNCTION fedi_now() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')
$$;

-- SQLite's julianday() of a stored time: days, comparable whatever the time's UTC offset.
CREATE OR REPLACE FUNCTION julianday(moment text) RETURNS double precision
LANGUAGE sql STABLE AS $$
    SELECT extract(epoch FROM CAST(moment AS timestamptz)) / 86400.0 + 2440587.5
$$;

-- SQLite's scalar max(a, b) and min(a, b) (fedi.db.pg_sql turns them into these): NULL when
-- either is NULL, where greatest() and least() pass over a NULL. STRICT says so and evaluates
-- each argument once (placeholders in them included); anycompatible takes a BIGINT column and
-- an integer literal together, as greatest() does.
CREATE OR REPLACE FUNCTION fedi_max(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT greatest(a, b) $$;

CREATE OR REPLACE FUNCTION fedi_min(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT least(a, b) $$;

-- The change log of live streams (fedi.db.changes): a writer connection that set
-- fedi.stream_changes to 'on' has made its own temporary stream_changes table, and these
-- triggers note its changes there, as SQLite's temporary triggers do; any other connection
-- passes by at the cost of one setting read.
CREATE OR REPLACE FUNCTION fedi_stream_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fedi.stream_changes', true) IS DISTINCT FROM 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO pg_temp.stream_changes (kind, ref) VALUES ('update', NEW.id);
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO pg_temp.stream_changes (kind, ref) VALUES ('status.update', NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION fedi_stream_status_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fedi.stream_changes', true) IS DISTINCT FROM 'on' THEN
        RETURN OLD;
    END IF;
    INSERT INTO pg_temp.stream_changes (kind, ref, detail) VALUES ('delete', OLD.id,
        json_build_object(
            'account_id', OLD.account_id,
            'visibility', OLD.visibility,
            'is_local', OLD.is_local,
            'is_reblog', OLD.reblog_of_id IS NOT NULL,
            'has_media', EXISTS (SELECT 1 FROM media_attachments WHERE status_id = OLD.id),
            'mentions', (SELECT coalesce(json_agg(account_id), '[]'::json) FROM mentions
                         WHERE status_id = OLD.id),
            'tags', (SELECT coalesce(json_agg(name), '[]'::json) FROM status_tags
                     WHERE status_id = OLD.id)
        )::text);
    RETURN OLD;
END
$$;

CREATE OR REPLACE FUNCTION fedi_stream_other() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fedi.stream_changes', true) IS DISTINCT FROM 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'notifications' THEN
        INSERT INTO pg_temp.stream_changes (kind, ref, detail)
        VALUES ('notification', NEW.id, json_build_object('account_id', NEW.account_id)::text);
    ELSIF TG_TABLE_NAME = 'accounts' THEN
        INSERT INTO pg_temp.stream_changes (kind, ref) VALUES ('suspend', NEW.id);
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO pg_temp.stream_changes (kind, ref) VALUES ('revoke', OLD.id);
    ELSE
        INSERT INTO pg_temp.stream_changes (kind, ref) VALUES ('revoke', NEW.id);
    END IF;
    RETURN NULL;
END
$$;
