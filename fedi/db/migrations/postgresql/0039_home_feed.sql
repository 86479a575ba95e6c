-- A member's home feed, kept as it is written (Mastodon keeps one per member too): the ids of
-- the statuses that may belong to their home, so that a home page reads its candidates in
-- index order instead of walking every status of the instance. The feed is complete above the
-- member's floor: every status with an id above it that is the member's own, by an account they
-- follow (accepted), mentions them, or carries a hashtag they follow has its row. Rows are only
-- candidates: a page still checks each one against the home's exact condition and the member's
-- rules, so a row that no longer belongs (an unfollow, a removed mention) shows nothing. Below
-- the floor, home pages are read from the statuses as before (fedi.db.home_feed).
CREATE TABLE home_floors (
    account_id BIGINT PRIMARY KEY REFERENCES users (account_id) ON DELETE CASCADE,
    floor BIGINT NOT NULL
);

CREATE TABLE home_feed (
    account_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    PRIMARY KEY (account_id, status_id)
);

-- A new member's feed is complete from the start: whatever they already follow comes in.
CREATE FUNCTION home_member_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO home_floors (account_id, floor) VALUES (NEW.account_id, 0) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER home_member_added AFTER INSERT ON users FOR EACH ROW
EXECUTE FUNCTION home_member_added();

CREATE FUNCTION home_member_floor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO home_feed (account_id, status_id)
            SELECT NEW.account_id, s.id FROM statuses s
            WHERE s.account_id = NEW.account_id AND s.id > NEW.floor ON CONFLICT DO NOTHING;
    INSERT INTO home_feed (account_id, status_id)
            SELECT NEW.account_id, s.id FROM follows f
            JOIN statuses s ON s.account_id = f.followed_id AND s.id > NEW.floor
            WHERE f.follower_id = NEW.account_id AND f.state = 'accepted' ON CONFLICT DO NOTHING;
    INSERT INTO home_feed (account_id, status_id)
            SELECT NEW.account_id, m.status_id FROM mentions m
            WHERE m.account_id = NEW.account_id AND m.status_id > NEW.floor ON CONFLICT DO NOTHING;
    INSERT INTO home_feed (account_id, status_id)
            SELECT NEW.account_id, t.status_id FROM tag_follows tf
            JOIN status_tags t ON t.name = tf.name AND t.status_id > NEW.floor
            WHERE tf.account_id = NEW.account_id ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER home_member_floor AFTER INSERT ON home_floors FOR EACH ROW
EXECUTE FUNCTION home_member_floor();

CREATE FUNCTION home_member_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM home_feed WHERE account_id = OLD.account_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER home_member_removed AFTER DELETE ON home_floors FOR EACH ROW
EXECUTE FUNCTION home_member_removed();

-- A status reaches its author's feed and the feeds of the author's followers.
CREATE FUNCTION home_status_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO home_feed (account_id, status_id)
            SELECT h.account_id, NEW.id FROM home_floors h
            WHERE h.account_id = NEW.account_id AND NEW.id > h.floor ON CONFLICT DO NOTHING;
    INSERT INTO home_feed (account_id, status_id)
            SELECT f.follower_id, NEW.id FROM follows f
            JOIN home_floors h ON h.account_id = f.follower_id AND NEW.id > h.floor
            WHERE f.followed_id = NEW.account_id AND f.state = 'accepted' ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER home_status_added AFTER INSERT ON statuses FOR EACH ROW
EXECUTE FUNCTION home_status_added();

CREATE FUNCTION home_status_reassigned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO home_feed (account_id, status_id)
            SELECT h.account_id, NEW.id FROM home_floors h
            WHERE h.account_id = NEW.account_id AND NEW.id > h.floor ON CONFLICT DO NOTHING;
    INSERT INTO home_feed (account_id, status_id)
            SELECT f.follower_id, NEW.id FROM follows f
            JOIN home_floors h ON h.account_id = f.follower_id AND NEW.id > h.floor
            WHERE f.followed_id = NEW.account_id AND f.state = 'accepted' ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER home_status_reassigned AFTER UPDATE OF account_id ON statuses FOR EACH ROW
EXECUTE FUNCTION home_status_reassigned();

-- An accepted follow brings the followed account's statuses; an ended one takes them away.
CREATE FUNCTION home_follow_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO home_feed (account_id, status_id)
            SELECT h.account_id, s.id FROM home_floors h
            JOIN statuses s ON s.account_id = NEW.followed_id AND s.id > h.floor
            WHERE h.account_id = NEW.follower_id ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER home_follow_added AFTER INSERT ON follows FOR EACH ROW
WHEN (NEW.state = 'accepted')
EXECUTE FUNCTION home_follow_added();

CREATE FUNCTION home_follow_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO home_feed (account_id, status_id)
            SELECT h.account_id, s.id FROM home_floors h
            JOIN statuses s ON s.account_id = NEW.followed_id AND s.id > h.floor
            WHERE h.account_id = NEW.follower_id ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER home_follow_changed AFTER UPDATE OF state, follower_id, followed_id ON follows FOR EACH ROW
WHEN (NEW.state = 'accepted')
EXECUTE FUNCTION home_follow_changed();

CREATE FUNCTION home_follow_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM home_feed WHERE account_id = OLD.follower_id
            AND status_id IN (SELECT id FROM statuses WHERE account_id = OLD.followed_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER home_follow_removed AFTER DELETE ON follows FOR EACH ROW
WHEN (OLD.state = 'accepted')
EXECUTE FUNCTION home_follow_removed();

-- Mentions and followed hashtags (who follows a hashtag is looked up by its name).
CREATE INDEX tag_follows_name ON tag_follows (name);

CREATE FUNCTION home_mention_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO home_feed (account_id, status_id)
            SELECT h.account_id, NEW.status_id FROM home_floors h
            WHERE h.account_id = NEW.account_id AND NEW.status_id > h.floor ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER home_mention_added AFTER INSERT ON mentions FOR EACH ROW
EXECUTE FUNCTION home_mention_added();

CREATE FUNCTION home_tag_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO home_feed (account_id, status_id)
            SELECT tf.account_id, NEW.status_id FROM tag_follows tf
            JOIN home_floors h ON h.account_id = tf.account_id AND NEW.status_id > h.floor
            WHERE tf.name = NEW.name ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER home_tag_added AFTER INSERT ON status_tags FOR EACH ROW
EXECUTE FUNCTION home_tag_added();

CREATE FUNCTION home_tag_followed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO home_feed (account_id, status_id)
            SELECT h.account_id, t.status_id FROM home_floors h
            JOIN status_tags t ON t.name = NEW.name AND t.status_id > h.floor
            WHERE h.account_id = NEW.account_id ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER home_tag_followed AFTER INSERT ON tag_follows FOR EACH ROW
EXECUTE FUNCTION home_tag_followed();

-- Today's members: their feeds hold the instance's newest 20,000 statuses' worth; older pages
-- are read from the statuses as before.
INSERT INTO home_floors (account_id, floor)
    SELECT account_id, COALESCE((SELECT id FROM statuses ORDER BY id DESC LIMIT 1 OFFSET 20000), 0)
    FROM users;
