-- Reads whose cost depends on the page, not on history: ordered ways to a timeline's rows
-- (fedi.db.walk), and account counters kept as statuses and follows change instead of counted
-- on every read (Mastodon keeps account_stats likewise).

-- The statuses that mention an account, newest first (the home timeline's mentions).
CREATE INDEX mentions_account_status ON mentions (account_id, status_id);

DROP INDEX mentions_account;

-- Public posts without boosts: the public timelines, walked by id, all or local or remote.
CREATE INDEX statuses_public ON statuses (id)
    WHERE visibility = 'public' AND reblog_of_id IS NULL;

CREATE INDEX statuses_public_local ON statuses (is_local, id)
    WHERE visibility = 'public' AND reblog_of_id IS NULL;

-- What an account shows beside its name: its statuses (boosts included, direct messages not),
-- its accepted followers and the accounts it follows (accepted).
CREATE TABLE account_stats (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    statuses_count BIGINT NOT NULL DEFAULT 0,
    followers_count BIGINT NOT NULL DEFAULT 0,
    following_count BIGINT NOT NULL DEFAULT 0
);

INSERT INTO account_stats (account_id, statuses_count, followers_count, following_count)
SELECT a.id,
    (SELECT count(*) FROM statuses s WHERE s.account_id = a.id AND s.visibility <> 'direct'),
    (SELECT count(*) FROM follows f WHERE f.followed_id = a.id AND f.state = 'accepted'),
    (SELECT count(*) FROM follows f WHERE f.follower_id = a.id AND f.state = 'accepted')
FROM accounts a;

CREATE FUNCTION account_stats_made() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_stats (account_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER account_stats_made AFTER INSERT ON accounts FOR EACH ROW
EXECUTE FUNCTION account_stats_made();

CREATE FUNCTION account_stats_status_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_stats SET statuses_count = statuses_count + 1
        WHERE account_id = NEW.account_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER account_stats_status_added AFTER INSERT ON statuses FOR EACH ROW
WHEN (NEW.visibility <> 'direct')
EXECUTE FUNCTION account_stats_status_added();

CREATE FUNCTION account_stats_status_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_stats SET statuses_count = statuses_count - 1
        WHERE account_id = OLD.account_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER account_stats_status_removed AFTER DELETE ON statuses FOR EACH ROW
WHEN (OLD.visibility <> 'direct')
EXECUTE FUNCTION account_stats_status_removed();

CREATE FUNCTION account_stats_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_stats SET statuses_count = statuses_count - (OLD.visibility <> 'direct')::int
        WHERE account_id = OLD.account_id;
    UPDATE account_stats SET statuses_count = statuses_count + (NEW.visibility <> 'direct')::int
        WHERE account_id = NEW.account_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER account_stats_status_changed AFTER UPDATE OF account_id, visibility ON statuses FOR EACH ROW
EXECUTE FUNCTION account_stats_status_changed();

CREATE FUNCTION account_stats_follow_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_stats SET followers_count = followers_count + 1
        WHERE account_id = NEW.followed_id;
    UPDATE account_stats SET following_count = following_count + 1
        WHERE account_id = NEW.follower_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER account_stats_follow_added AFTER INSERT ON follows FOR EACH ROW
WHEN (NEW.state = 'accepted')
EXECUTE FUNCTION account_stats_follow_added();

CREATE FUNCTION account_stats_follow_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_stats SET followers_count = followers_count - 1
        WHERE account_id = OLD.followed_id;
    UPDATE account_stats SET following_count = following_count - 1
        WHERE account_id = OLD.follower_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER account_stats_follow_removed AFTER DELETE ON follows FOR EACH ROW
WHEN (OLD.state = 'accepted')
EXECUTE FUNCTION account_stats_follow_removed();

CREATE FUNCTION account_stats_follow_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_stats SET followers_count = followers_count - (OLD.state = 'accepted')::int
        WHERE account_id = OLD.followed_id;
    UPDATE account_stats SET following_count = following_count - (OLD.state = 'accepted')::int
        WHERE account_id = OLD.follower_id;
    UPDATE account_stats SET followers_count = followers_count + (NEW.state = 'accepted')::int
        WHERE account_id = NEW.followed_id;
    UPDATE account_stats SET following_count = following_count + (NEW.state = 'accepted')::int
        WHERE account_id = NEW.follower_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER account_stats_follow_changed AFTER UPDATE OF state, follower_id, followed_id ON follows FOR EACH ROW
EXECUTE FUNCTION account_stats_follow_changed();

-- A member's pins, newest first (their profile's featured posts).
CREATE INDEX status_pins_account ON status_pins (account_id, created_at);

-- An account's own posts without its boosts, newest first: its outbox and profile, and a
-- group's own posts (a public group's account holds little else than boosts).
CREATE INDEX statuses_account_posts ON statuses (account_id, id) WHERE reblog_of_id IS NULL;

-- A member's favourites and bookmarks, newest first (their own lists of them).
CREATE INDEX favourites_account ON favourites (account_id, id);

CREATE INDEX bookmarks_account ON bookmarks (account_id, id);
