-- Full-text search (SQLite FTS5). The words of each post (title, content warning, text and poll
-- options, as plain text folded by fedi.db.status_search.indexed_text), by the status's id: kept
-- by db.statuses when a post is stored or edited, and by a trigger when it goes (a deletion,
-- or an account's statuses going with it). Boosts carry no words of their own.
CREATE VIRTUAL TABLE status_search USING fts5 (
    text,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO status_search (rowid, text)
SELECT s.id, indexed_text(s.title, s.spoiler_text, s.content,
    (SELECT group_concat(json_extract(o.value, '$.title'), ' ')
     FROM polls p, json_each(p.options) o WHERE p.status_id = s.id))
FROM statuses s WHERE s.reblog_of_id IS NULL;

CREATE TRIGGER status_search_removed AFTER DELETE ON statuses BEGIN
    DELETE FROM status_search WHERE rowid = OLD.id;
END;

-- People by the words of their username and display name, by the account's id, kept by
-- triggers whatever writes the account; prefix indexes for the first letters typed.
CREATE VIRTUAL TABLE account_search USING fts5 (
    username,
    display_name,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

INSERT INTO account_search (rowid, username, display_name)
SELECT id, username, display_name FROM accounts;

CREATE TRIGGER account_search_made AFTER INSERT ON accounts BEGIN
    INSERT INTO account_search (rowid, username, display_name)
    VALUES (NEW.id, NEW.username, NEW.display_name);
END;

CREATE TRIGGER account_search_renamed AFTER UPDATE OF username, display_name ON accounts
BEGIN
    DELETE FROM account_search WHERE rowid = OLD.id;
    INSERT INTO account_search (rowid, username, display_name)
    VALUES (NEW.id, NEW.username, NEW.display_name);
END;

CREATE TRIGGER account_search_removed AFTER DELETE ON accounts BEGIN
    DELETE FROM account_search WHERE rowid = OLD.id;
END;
