-- What a status shows beside it, kept as favourites, boosts and replies are written (Mastodon
-- keeps status_stats too), so that pages read one row per status instead of counting: its
-- favourites, its boosts, and its public and unlisted replies, those kept to this server
-- (local-only) apart, since only this server's members see them counted.
CREATE TABLE status_stats (
    status_id BIGINT PRIMARY KEY,
    favourites BIGINT NOT NULL DEFAULT 0,
    reblogs BIGINT NOT NULL DEFAULT 0,
    replies BIGINT NOT NULL DEFAULT 0,
    local_only_replies BIGINT NOT NULL DEFAULT 0
);

INSERT INTO status_stats (status_id, favourites)
    SELECT status_id, count(*) FROM favourites WHERE true GROUP BY status_id;

INSERT INTO status_stats (status_id, reblogs)
    SELECT reblog_of_id, count(*) FROM statuses WHERE reblog_of_id IS NOT NULL
    GROUP BY reblog_of_id
    ON CONFLICT (status_id) DO UPDATE SET reblogs = excluded.reblogs;

INSERT INTO status_stats (status_id, replies, local_only_replies)
    SELECT in_reply_to_id, sum((is_local_only = 0)::int), sum((is_local_only != 0)::int) FROM statuses
    WHERE in_reply_to_id IS NOT NULL AND visibility IN ('public', 'unlisted')
    GROUP BY in_reply_to_id
    ON CONFLICT (status_id) DO UPDATE SET replies = excluded.replies,
        local_only_replies = excluded.local_only_replies;

CREATE FUNCTION status_stats_favourite_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_stats (status_id, favourites) VALUES (NEW.status_id, 1)
            ON CONFLICT (status_id) DO UPDATE SET favourites = status_stats.favourites + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER status_stats_favourite_added AFTER INSERT ON favourites FOR EACH ROW
EXECUTE FUNCTION status_stats_favourite_added();

CREATE FUNCTION status_stats_favourite_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE status_stats SET favourites = favourites - 1 WHERE status_id = OLD.status_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER status_stats_favourite_removed AFTER DELETE ON favourites FOR EACH ROW
EXECUTE FUNCTION status_stats_favourite_removed();

CREATE FUNCTION status_stats_favourite_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE status_stats SET favourites = favourites - 1 WHERE status_id = OLD.status_id;
    INSERT INTO status_stats (status_id, favourites) VALUES (NEW.status_id, 1)
            ON CONFLICT (status_id) DO UPDATE SET favourites = status_stats.favourites + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER status_stats_favourite_moved AFTER UPDATE OF status_id ON favourites FOR EACH ROW
EXECUTE FUNCTION status_stats_favourite_moved();

-- A status counts as a boost of reblog_of_id, and as a reply to in_reply_to_id when public or
-- unlisted; removing it, or changing any of those columns, takes back what it counted.
CREATE FUNCTION status_stats_status_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_stats (status_id, reblogs)
            SELECT NEW.reblog_of_id, 1 WHERE NEW.reblog_of_id IS NOT NULL
            ON CONFLICT (status_id) DO UPDATE SET reblogs = status_stats.reblogs + 1;
    INSERT INTO status_stats (status_id, replies, local_only_replies)
            SELECT NEW.in_reply_to_id, (NEW.is_local_only = 0)::int, (NEW.is_local_only != 0)::int
            WHERE NEW.in_reply_to_id IS NOT NULL AND NEW.visibility IN ('public', 'unlisted')
            ON CONFLICT (status_id) DO UPDATE SET replies = status_stats.replies + excluded.replies,
                local_only_replies = status_stats.local_only_replies + excluded.local_only_replies;
    RETURN NULL;
END
$$;
CREATE TRIGGER status_stats_status_added AFTER INSERT ON statuses FOR EACH ROW
WHEN (NEW.reblog_of_id IS NOT NULL OR NEW.in_reply_to_id IS NOT NULL)
EXECUTE FUNCTION status_stats_status_added();

CREATE FUNCTION status_stats_status_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM status_stats WHERE status_id = OLD.id;
    UPDATE status_stats SET reblogs = reblogs - 1
            WHERE OLD.reblog_of_id IS NOT NULL AND status_id = OLD.reblog_of_id;
    UPDATE status_stats SET replies = replies - (OLD.is_local_only = 0)::int,
                local_only_replies = status_stats.local_only_replies - (OLD.is_local_only != 0)::int
            WHERE OLD.in_reply_to_id IS NOT NULL AND OLD.visibility IN ('public', 'unlisted')
            AND status_id = OLD.in_reply_to_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER status_stats_status_removed AFTER DELETE ON statuses FOR EACH ROW
EXECUTE FUNCTION status_stats_status_removed();

CREATE FUNCTION status_stats_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE status_stats SET reblogs = reblogs - 1
            WHERE OLD.reblog_of_id IS NOT NULL AND status_id = OLD.reblog_of_id;
    UPDATE status_stats SET replies = replies - (OLD.is_local_only = 0)::int,
                local_only_replies = status_stats.local_only_replies - (OLD.is_local_only != 0)::int
            WHERE OLD.in_reply_to_id IS NOT NULL AND OLD.visibility IN ('public', 'unlisted')
            AND status_id = OLD.in_reply_to_id;
    INSERT INTO status_stats (status_id, reblogs)
            SELECT NEW.reblog_of_id, 1 WHERE NEW.reblog_of_id IS NOT NULL
            ON CONFLICT (status_id) DO UPDATE SET reblogs = status_stats.reblogs + 1;
    INSERT INTO status_stats (status_id, replies, local_only_replies)
            SELECT NEW.in_reply_to_id, (NEW.is_local_only = 0)::int, (NEW.is_local_only != 0)::int
            WHERE NEW.in_reply_to_id IS NOT NULL AND NEW.visibility IN ('public', 'unlisted')
            ON CONFLICT (status_id) DO UPDATE SET replies = status_stats.replies + excluded.replies,
                local_only_replies = status_stats.local_only_replies + excluded.local_only_replies;
    RETURN NULL;
END
$$;
CREATE TRIGGER status_stats_status_changed AFTER UPDATE OF reblog_of_id, in_reply_to_id, visibility, is_local_only ON statuses FOR EACH ROW
EXECUTE FUNCTION status_stats_status_changed();
