"""SQL reading the posts that match a full-text search (the status_search table, written by
db.status_search): windows of matches, newest first, that a member may be shown, each then
checked by fedi.statuses.search against fedi.statuses.visibility."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.core.models import Status
from fedi.db.connection import Reader
from fedi.db.fulltext import tsquery_of
from fedi.db.moderated import moderated_status_clause
from fedi.db.mutes import hidden_status_clause
from fedi.db.postgres import is_postgresql
from fedi.db.statuses import COLUMNS, status_from_row


@dataclass(frozen=True)
class Window:
    """The posts of one window of matches that the viewer may be shown, newest first; `lowest`
    is the oldest match looked at, to go on below it when the window was `full`."""

    statuses: list[Status]
    lowest: int | None
    full: bool


def _may_find(viewer_id: int) -> tuple[str, list[object]]:
    """One's own posts, those addressed to one, those of accounts one follows (not their direct
    messages), and public or unlisted posts of accounts that let themselves be found
    (`indexable`, Mastodon's opt-in to full-text search, kept here as is_discoverable)."""
    return (
        " AND (s.account_id = ?"
        " OR EXISTS (SELECT 1 FROM mentions mn WHERE mn.status_id = s.id AND mn.account_id = ?)"
        " OR (s.visibility IN ('public', 'unlisted', 'private') AND EXISTS (SELECT 1 FROM follows"
        "     fo WHERE fo.follower_id = ? AND fo.followed_id = s.account_id"
        "     AND fo.state = 'accepted'))"
        " OR (s.visibility IN ('public', 'unlisted') AND EXISTS (SELECT 1 FROM accounts da"
        "     WHERE da.id = s.account_id AND da.is_discoverable = 1)))",
        [viewer_id, viewer_id, viewer_id],
    )


async def window(
    conn: Reader,
    match: str,
    viewer_id: int,
    now: str,
    *,
    below: int,
    above: int,
    size: int,
    account_id: int | None = None,
) -> Window:
    """Up to `size` matches of the FTS5 query `match` with ids between `above` and `below`,
    newest first, through the full-text index alone; each joined by its primary key to its
    post, kept when the viewer may find it and hides nothing of it (mutes, blocks, domain
    blocks, moderation)."""
    found, found_args = _may_find(viewer_id)
    hidden, hidden_args = hidden_status_clause(viewer_id, now)
    moderated, moderated_args = moderated_status_clause(viewer_id)
    by_account = " AND s.account_id = ?" if account_id is not None else ""
    hits = _PG_HITS if is_postgresql(conn) else _HITS
    if hits is _PG_HITS:
        match = tsquery_of(match)
    cursor = await conn.execute(
        f"SELECT hit.id AS hit_id, {COLUMNS} FROM ({hits})"
        " AS hit LEFT JOIN statuses s ON s.id = hit.id AND s.reblog_of_id IS NULL"
        f"{by_account}{found}{hidden}{moderated}",
        [match, below, above, size, *([account_id] if account_id is not None else []),
         *found_args, *hidden_args, *moderated_args],
    )  # fmt: skip
    rows = list(await cursor.fetchall())
    kept = sorted(
        (status_from_row(row) for row in rows if row["id"] is not None), key=lambda s: -s.id
    )
    return Window(kept, min((row["hit_id"] for row in rows), default=None), len(rows) == size)


_HITS = (
    "SELECT rowid AS id FROM status_search"
    " WHERE status_search MATCH ? AND rowid < ? AND rowid > ? ORDER BY rowid DESC LIMIT ?"
)
_PG_HITS = (
    "SELECT id FROM status_search WHERE words @@ to_tsquery('simple', ?)"
    " AND id < ? AND id > ? ORDER BY id DESC LIMIT ?"
)
