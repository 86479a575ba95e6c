"""SQL writing the posts' full-text table (status_search, FTS5): a post's words when it is
stored or edited (db.statuses calls here; a trigger removes them with the post). Reading it:
db.status_matches."""

from __future__ import annotations

import json
import sqlite3

from fedi.core.html import words_of
from fedi.core.models import NewStatus
from fedi.db.fulltext import fold


def indexed_text(title: str | None, spoiler: str | None, content: str | None,
                 options: str | None) -> str:  # fmt: skip
    """What a post is found by: its title, content warning, text (plain) and poll options.
    Registered as an SQL function for migration 0036, which indexes the posts stored before."""
    parts = [title, spoiler, words_of(content) if content else None, options]
    return fold("\n".join(part for part in parts if part))


def _options(new: NewStatus) -> str | None:
    return " ".join(o.title for o in new.poll.options) if new.poll is not None else None


def index(conn: sqlite3.Connection, new: NewStatus) -> None:
    """A stored post's words (a boost has none of its own)."""
    if new.reblog_of_id is None:
        text = indexed_text(new.title, new.spoiler_text, new.content, _options(new))
        conn.execute("INSERT INTO status_search (rowid, text) VALUES (?, ?)", (new.id, text))


def reindex(conn: sqlite3.Connection, new: NewStatus) -> None:
    """An edited post's words in place of its old ones; an edit without a poll keeps the poll
    the post has (read after the edit's details are written)."""
    options = _options(new)
    if options is None:
        row = conn.execute("SELECT options FROM polls WHERE status_id = ?", (new.id,)).fetchone()
        options = " ".join(str(o.get("title", "")) for o in json.loads(row[0])) if row else None
    text = indexed_text(new.title, new.spoiler_text, new.content, options)
    conn.execute("DELETE FROM status_search WHERE rowid = ?", (new.id,))
    conn.execute("INSERT INTO status_search (rowid, text) VALUES (?, ?)", (new.id, text))
