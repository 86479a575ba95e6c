-- Full-text search (PostgreSQL): the words of each post (title, content warning, text and poll
-- options, as plain text folded by fedi.db.status_search.indexed_text and without diacritics,
-- as FTS5's remove_diacritics does on SQLite), by the status's id, kept by db.statuses when a
-- post is stored or edited and going with the post. Matched with the 'simple' configuration
-- (lower case, no stemming): every word of a query, the last also as the start of a word
-- (fedi.db.fulltext.tsquery_of). Boosts carry no words of their own. A database made on
-- PostgreSQL holds no post before this migration, so there is nothing to index yet.
CREATE TABLE status_search (
    id BIGINT PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    words tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED
);
CREATE INDEX status_search_words ON status_search USING gin (words);

-- People by the words of their username and display name, by the account's id, kept by
-- triggers whatever writes the account.
CREATE TABLE account_search (
    id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    username tsvector NOT NULL,
    names tsvector NOT NULL
);
CREATE INDEX account_search_username ON account_search USING gin (username);
CREATE INDEX account_search_names ON account_search USING gin (names);

CREATE FUNCTION account_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_search (id, username, names)
    VALUES (NEW.id, to_tsvector('simple', NEW.username),
            to_tsvector('simple', NEW.username || ' ' || NEW.display_name))
    ON CONFLICT (id) DO UPDATE SET username = excluded.username, names = excluded.names;
    RETURN NULL;
END
$$;
CREATE TRIGGER account_search_made AFTER INSERT ON accounts FOR EACH ROW
EXECUTE FUNCTION account_search_words();
CREATE TRIGGER account_search_renamed AFTER UPDATE OF username, display_name ON accounts
FOR EACH ROW EXECUTE FUNCTION account_search_words();

INSERT INTO account_search (id, username, names)
SELECT id, to_tsvector('simple', username), to_tsvector('simple', username || ' ' || display_name)
FROM accounts;
