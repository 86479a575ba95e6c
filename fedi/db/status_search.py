"""SQL writing the posts' full-text table (status_search, FTS5): a post's words when it is
stored or edited (db.statuses calls here; a trigger removes them with the post). Reading it:
db.status_matches.

The words wait in the writer connection's own in-memory table (temp.status_search_pending,
made by prepare_writer) until the end of the write batch that stored them, then go into the
index with one statement (flush, run before every commit): FTS5 writes its pending terms out
at every savepoint, and the writer opens one per job, SQLite one per statement that fires
triggers, so words inserted one post at a time became an index segment each, about a third of
the cost of storing a post. Searches read the index after the commit, when the words are in it;
the temporary table rolls back with the job that wrote it, like any other. PostgreSQL's index
(a GIN index of tsvectors, migrations/postgresql/0036) takes each post's words at once."""

from __future__ import annotations

import json

from fedi.core.html import words_of
from fedi.core.models import NewStatus
from fedi.db.connection import Connection
from fedi.db.fulltext import fold, without_diacritics
from fedi.db.postgres import is_postgresql


def indexed_text(title: str | None, spoiler: str | None, content: str | None,
                 options: str | None) -> str:  # fmt: skip
    """What a post is found by: its title, content warning, text (plain) and poll options.
    Registered as an SQL function for migration 0036, which indexes the posts stored before."""
    parts = [title, spoiler, words_of(content) if content else None, options]
    return fold("\n".join(part for part in parts if part))


def _options(new: NewStatus) -> str | None:
    return " ".join(o.title for o in new.poll.options) if new.poll is not None else None


def index(conn: Connection, new: NewStatus) -> None:
    """A stored post's words (a boost has none of its own)."""
    if new.reblog_of_id is None:
        text = indexed_text(new.title, new.spoiler_text, new.content, _options(new))
        if is_postgresql(conn):
            conn.execute(_PG_INDEX, (new.id, without_diacritics(text)))
        else:
            conn.execute(_PENDING, (new.id, text))


def reindex(conn: Connection, new: NewStatus) -> None:
    """An edited post's words in place of its old ones; an edit without a poll keeps the poll
    the post has (read after the edit's details are written)."""
    options = _options(new)
    if options is None:
        row = conn.execute("SELECT options FROM polls WHERE status_id = ?", (new.id,)).fetchone()
        options = " ".join(str(o.get("title", "")) for o in json.loads(row[0])) if row else None
    text = indexed_text(new.title, new.spoiler_text, new.content, options)
    if is_postgresql(conn):
        conn.execute(_PG_INDEX, (new.id, without_diacritics(text)))
        return
    conn.execute("DELETE FROM status_search WHERE rowid = ?", (new.id,))
    conn.execute(_PENDING, (new.id, text))


_PENDING = "INSERT OR REPLACE INTO temp.status_search_pending (id, text) VALUES (?, ?)"
_PG_INDEX = (
    "INSERT INTO status_search (id, text) VALUES (?, ?)"
    " ON CONFLICT (id) DO UPDATE SET text = excluded.text"
)


def prepare_writer(conn: Connection) -> None:
    """The connection's pending words: a temporary table, with a temporary trigger that drops a
    deleted post's words from it as status_search_removed (0036) drops them from the index."""
    conn.execute("CREATE TEMP TABLE status_search_pending (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute(
        "CREATE TEMP TRIGGER status_search_pending_removed AFTER DELETE ON main.statuses BEGIN"
        " DELETE FROM status_search_pending WHERE id = OLD.id; END"
    )


def flush(conn: Connection) -> None:
    """Move the words written since the last commit into the index, all in one statement (a
    commit hook of every Database: run in each write batch, before its commit)."""
    if conn.execute("SELECT 1 FROM temp.status_search_pending LIMIT 1").fetchone() is None:
        return
    conn.execute("INSERT INTO status_search (rowid, text) SELECT id, text"
                 " FROM temp.status_search_pending ORDER BY id")  # fmt: skip
    conn.execute("DELETE FROM temp.status_search_pending")
