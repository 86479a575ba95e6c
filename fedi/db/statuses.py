"""SQL for statuses and what hangs off them: mentions, hashtags, attachments, polls, edit history
and tombstones (pins are in db.pins, idempotency keys in db.idempotency_keys)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from fedi.core.ids import MAX_ID, new_id
from fedi.core.models import (
    NewStatus,
    Status,
    StatusDetails,
)
from fedi.core.timeutil import from_db
from fedi.db import status_search
from fedi.db.connection import Connection, Reader
from fedi.db.rows import opt_time
from fedi.db.status_details import details_of
from fedi.db.status_rows import COLUMNS as COLUMNS
from fedi.db.status_rows import KEYS as KEYS
from fedi.db.status_rows import status_from_row as status_from_row
from fedi.db.status_rows import versioned


def as_stored(new: NewStatus) -> Status:
    """The status that insert_status(new) stores, as get_by_id would read it back: for a caller
    that has just inserted it, without the read."""
    return Status(
        id=new.id, uri=new.uri, url=new.url, account_id=new.account_id,
        visibility=new.visibility, content=new.content, spoiler_text=new.spoiler_text,
        is_sensitive=new.is_sensitive, language=new.language,
        in_reply_to_uri=new.in_reply_to_uri, created_at=from_db(new.created_at),
        edited_at=opt_time(new.edited_at), is_local=new.is_local, object_type=new.object_type,
        title=new.title, in_reply_to_id=new.in_reply_to_id,
        in_reply_to_account_id=new.in_reply_to_account_id, reblog_of_id=new.reblog_of_id,
        thread_uri=new.thread_uri, source_text=new.source_text, group_id=new.group_id,
        submitted_by_id=new.submitted_by_id, submission_uri=new.submission_uri,
        is_local_only=new.is_local_only,
    )  # fmt: skip


def insert_status(conn: Connection, new: NewStatus) -> None:
    conn.execute(
        "INSERT INTO statuses (id, uri, url, account_id, visibility, content, source_text,"
        " spoiler_text, is_sensitive, language, in_reply_to_id, in_reply_to_uri,"
        " in_reply_to_account_id, reblog_of_id, is_local, object_type, title, thread_uri,"
        " reply_depth, created_at, edited_at, group_id, submitted_by_id, submission_uri,"
        " is_local_only) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?)",
        (
            new.id, new.uri, new.url, new.account_id, new.visibility, new.content,
            new.source_text, new.spoiler_text, int(new.is_sensitive), new.language,
            new.in_reply_to_id, new.in_reply_to_uri, new.in_reply_to_account_id,
            new.reblog_of_id, int(new.is_local), new.object_type, new.title, new.thread_uri,
            new.reply_depth, new.created_at, new.edited_at, new.group_id, new.submitted_by_id,
            new.submission_uri, int(new.is_local_only),
        ),
    )  # fmt: skip
    _write_details(conn, new)
    status_search.index(conn, new)


def _write_details(conn: Connection, new: NewStatus) -> None:
    # Most posts have no tags and no attachments: their statements are not even run.
    conn.executemany(
        "INSERT OR IGNORE INTO mentions (status_id, account_id) VALUES (?, ?)",
        [(new.id, account_id) for account_id in new.mentions],
    )
    if new.tags:
        conn.executemany(
            "INSERT OR IGNORE INTO status_tags (status_id, name) VALUES (?, ?)",
            [(new.id, tag) for tag in new.tags],
        )
    if new.attachments:
        conn.executemany(
            "INSERT INTO media_attachments (id, status_id, account_id, media_type, remote_url,"
            " description, blurhash, width, height, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (new_id(), new.id, new.account_id, a.media_type, a.remote_url, a.description,
                 a.blurhash, a.width, a.height, new.created_at)
                for a in new.attachments
            ],
        )  # fmt: skip
    if new.poll is not None:
        options = [{"title": o.title, "votes": o.votes} for o in new.poll.options]
        expires = new.poll.expires_at.isoformat() if new.poll.expires_at else None
        # An upsert, not a replace: an edit keeps the poll's own state (hidden totals, closing).
        conn.execute(
            "INSERT INTO polls (status_id, options, is_multiple, voters_count, expires_at,"
            " hide_totals) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (status_id) DO UPDATE SET"
            " options = excluded.options, is_multiple = excluded.is_multiple,"
            " voters_count = excluded.voters_count, expires_at = excluded.expires_at",
            (new.id, json.dumps(options), int(new.poll.is_multiple), new.poll.voters_count,
             expires, int(new.poll.hide_totals)),
        )  # fmt: skip


def apply_edit(conn: Connection, status: Status, new: NewStatus) -> None:
    """Keep the current version in the history, then replace content and details."""
    conn.execute(
        "INSERT INTO status_edits (id, status_id, content, spoiler_text, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (new_id(), status.id, status.content, status.spoiler_text,
         (status.edited_at or status.created_at).isoformat()),
    )  # fmt: skip
    conn.execute(
        "UPDATE statuses SET content = ?, spoiler_text = ?, is_sensitive = ?, language = ?,"
        " title = ?, source_text = COALESCE(?, source_text), edited_at = ? WHERE id = ?",
        (new.content, new.spoiler_text, int(new.is_sensitive), new.language, new.title,
         new.source_text, new.edited_at, status.id),
    )  # fmt: skip
    for table in ("mentions", "status_tags"):
        conn.execute(f"DELETE FROM {table} WHERE status_id = ?", (status.id,))
    # Local uploads stay: fedi.media.media attaches and detaches them (a remote one has no file).
    conn.execute("DELETE FROM media_attachments WHERE status_id = ? AND file IS NULL", (status.id,))
    edited = NewStatus(**{**new.__dict__, "id": status.id})
    _write_details(conn, edited)
    status_search.reindex(conn, edited)


def delete_status(conn: Connection, status: Status, now: str) -> None:
    """Replace a post by a tombstone: its id is never reused, and boosts of it go too."""
    conn.execute(
        "INSERT OR IGNORE INTO tombstones (uri, account_id, deleted_at) VALUES (?, ?, ?)",
        (status.uri, status.account_id, now),
    )
    conn.execute("DELETE FROM statuses WHERE id = ?", (status.id,))


def any_local_only(conn: Connection, uris: list[str]) -> bool:
    """Whether any of these ids is a local-only post (or a boost of one)."""
    if not uris:
        return False
    marks = ", ".join("?" for _ in uris)
    row = conn.execute(
        f"SELECT 1 FROM statuses WHERE is_local_only = 1 AND uri IN ({marks}) LIMIT 1", uris
    ).fetchone()
    return row is not None


async def is_tombstoned(conn: Reader, uri: str) -> bool:
    cursor = await conn.execute("SELECT 1 FROM tombstones WHERE uri = ?", (uri,))
    return await cursor.fetchone() is not None


async def get_by_id(conn: Reader, status_id: int) -> Status | None:
    cursor = await conn.execute(f"SELECT {COLUMNS} FROM statuses s WHERE s.id = ?", (status_id,))
    row = await cursor.fetchone()
    return status_from_row(row) if row else None


async def get_many(conn: Reader, status_ids: Iterable[int]) -> dict[int, Status]:
    """The statuses with these ids (those that exist), by id."""
    ids = list(dict.fromkeys(status_ids))
    if not ids:
        return {}
    cursor = await conn.execute(
        f"SELECT {KEYS} FROM statuses s WHERE s.id IN ({', '.join('?' for _ in ids)})", ids
    )
    return {status.id: status for status in await versioned(conn, await cursor.fetchall())}


async def get_by_uri(conn: Reader, uri: str) -> Status | None:
    cursor = await conn.execute(f"SELECT {COLUMNS} FROM statuses s WHERE s.uri = ?", (uri,))
    row = await cursor.fetchone()
    return status_from_row(row) if row else None


async def get_of_account(conn: Reader, account_id: int, status_id: int) -> Status | None:
    """One of an author's own posts (not a boost), whatever its visibility."""
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE s.id = ? AND s.account_id = ?"
        " AND s.reblog_of_id IS NULL",
        (status_id, account_id),
    )
    row = await cursor.fetchone()
    return status_from_row(row) if row else None


async def get_public(conn: Reader, account_id: int, status_id: int) -> Status | None:
    """One of an author's own public or unlisted posts."""
    status = await get_of_account(conn, account_id, status_id)
    return status if status and status.visibility in ("public", "unlisted") else None


async def get_reblog(conn: Reader, account_id: int, reblog_of_id: int) -> Status | None:
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE s.account_id = ? AND s.reblog_of_id = ?",
        (account_id, reblog_of_id),
    )
    row = await cursor.fetchone()
    return status_from_row(row) if row else None


async def public_page(
    conn: Reader,
    account_id: int,
    max_id: int | None,
    limit: int,
    *,
    with_private: bool = False,
    with_local_only: bool = False,
    without_replies: bool = False,
    only_media: bool = False,
    with_reblogs: bool = False,
) -> list[Status]:
    """An author's own public and unlisted posts (and followers-only ones, for a follower),
    newest first, below max_id; optionally without replies, or only those with media; with
    their boosts of public and unlisted posts when with_reblogs (Mastodon's account statuses).
    Local-only posts only with_local_only (a signed-in member of this instance asks). Read
    through the statuses_account index, newest first."""
    own = (
        "s.reblog_of_id IS NULL"
        " AND (s.visibility IN ('public', 'unlisted') OR (? = 1 AND s.visibility = 'private'))"
        " AND (? = 0 OR s.in_reply_to_uri IS NULL)"
        " AND (? = 0 OR EXISTS (SELECT 1 FROM media_attachments m WHERE m.status_id = s.id))"
    )
    own_args = [int(with_private), int(without_replies), int(only_media)]
    below = MAX_ID if max_id is None else max_id
    if not with_reblogs or only_media:  # its posts alone, never walking past its boosts
        cursor = await conn.execute(
            f"SELECT {KEYS} FROM statuses s INDEXED BY statuses_account_posts"
            f" WHERE s.account_id = ? AND s.id < ? AND (? = 1 OR s.is_local_only = 0) AND {own}"
            " ORDER BY s.id DESC LIMIT ?",
            (account_id, below, int(with_local_only), *own_args, limit),
        )
        return await versioned(conn, await cursor.fetchall())
    boosts = (
        "s.reblog_of_id IS NOT NULL AND EXISTS (SELECT 1 FROM statuses o"
        "  WHERE o.id = s.reblog_of_id AND o.visibility IN ('public', 'unlisted')"
        "  AND (? = 1 OR o.is_local_only = 0))"
    )
    cursor = await conn.execute(
        f"SELECT {KEYS} FROM statuses s WHERE s.account_id = ? AND s.id < ?"
        f" AND (? = 1 OR s.is_local_only = 0) AND (({own}) OR ({boosts}))"
        " ORDER BY s.id DESC LIMIT ?",
        (account_id, below, int(with_local_only), *own_args, int(with_local_only), limit),
    )
    return await versioned(conn, await cursor.fetchall())


async def count_public(conn: Reader, account_id: int, *, with_private: bool = False) -> int:
    """What the outbox holds: never local-only posts."""
    cursor = await conn.execute(
        "SELECT count(*) FROM statuses WHERE account_id = ? AND reblog_of_id IS NULL"
        " AND (visibility IN ('public', 'unlisted') OR (? = 1 AND visibility = 'private'))"
        " AND is_local_only = 0",
        (account_id, int(with_private)),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def replies_page(
    conn: Reader, status_id: int, max_id: int | None, limit: int
) -> list[Status]:
    """Public and unlisted direct replies to a post, oldest first, above max_id (a cursor); for
    the ActivityPub replies collection, so never local-only ones."""
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE s.in_reply_to_id = ?"
        " AND s.visibility IN ('public', 'unlisted') AND s.is_local_only = 0"
        " AND (? IS NULL OR s.id > ?) ORDER BY s.id LIMIT ?",
        (status_id, max_id, max_id, limit),
    )
    return [status_from_row(row) for row in await cursor.fetchall()]


async def count_replies(conn: Reader, status_id: int, *, with_local_only: bool = False) -> int:
    cursor = await conn.execute(
        "SELECT count(*) FROM statuses WHERE in_reply_to_id = ?"
        " AND visibility IN ('public', 'unlisted') AND (? = 1 OR is_local_only = 0)",
        (status_id, int(with_local_only)),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def edits(conn: Reader, status_id: int) -> list[tuple[str, str, str]]:
    """(content, spoiler_text, created_at) of earlier versions, oldest first."""
    cursor = await conn.execute(
        "SELECT content, spoiler_text, created_at FROM status_edits WHERE status_id = ?"
        " ORDER BY id",
        (status_id,),
    )
    return [(row[0], row[1], row[2]) for row in await cursor.fetchall()]


async def details(conn: Reader, status_id: int) -> StatusDetails:
    return (await details_of(conn, [status_id]))[status_id]


async def mentioned_account_ids(conn: Reader, status_id: int) -> list[int]:
    cursor = await conn.execute("SELECT account_id FROM mentions WHERE status_id = ?", (status_id,))
    return [row[0] for row in await cursor.fetchall()]


def delete_reblog(conn: Connection, reblog_id: int) -> None:
    """A boost is undone without a tombstone: its Announce id may be sent again."""
    conn.execute("DELETE FROM statuses WHERE id = ? AND reblog_of_id IS NOT NULL", (reblog_id,))


def tombstone_only(conn: Connection, uri: str, account_id: int, now: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO tombstones (uri, account_id, deleted_at) VALUES (?, ?, ?)",
        (uri, account_id, now),
    )


async def reblogged_by(conn: Reader, status_id: int, limit: int) -> list[int]:
    cursor = await conn.execute(
        "SELECT account_id FROM statuses WHERE reblog_of_id = ? ORDER BY id DESC LIMIT ?",
        (status_id, limit),
    )
    return [row[0] for row in await cursor.fetchall()]


async def thread_of(
    conn: Reader, status: Status, limit: int = 200
) -> tuple[list[Status], list[Status]]:
    """Ancestors (oldest first, following in_reply_to_id) and descendants (level by level, by
    id within a level), at most `limit` of each: two statements whatever the thread's size."""
    cursor = await conn.execute(
        "WITH RECURSIVE up(id, depth) AS (SELECT ?, 0 UNION ALL"
        "  SELECT s.in_reply_to_id, up.depth + 1 FROM up JOIN statuses s ON s.id = up.id"
        "  WHERE s.in_reply_to_id IS NOT NULL AND up.depth < ?)"
        f" SELECT {COLUMNS} FROM up JOIN statuses s ON s.id = up.id"
        " WHERE up.depth > 0 ORDER BY up.depth",
        (status.id, limit),
    )
    ancestors: list[Status] = []
    seen = {status.id}
    for row in await cursor.fetchall():
        if row["id"] in seen:
            break  # a loop of replies (only a forged thread has one): stop where it closes
        seen.add(row["id"])
        ancestors.append(status_from_row(row))
    cursor = await conn.execute(
        "WITH RECURSIVE down(id, depth) AS (SELECT ?, 0 UNION"
        "  SELECT s.id, down.depth + 1 FROM down JOIN statuses s ON s.in_reply_to_id = down.id"
        "  WHERE down.depth < ?)"
        f" SELECT {COLUMNS}, min(down.depth) AS level FROM down JOIN statuses s"
        " ON s.id = down.id WHERE down.depth > 0 GROUP BY s.id ORDER BY level, s.id LIMIT ?",
        (status.id, limit, limit + len(seen)),
    )
    descendants = [status_from_row(r) for r in await cursor.fetchall() if r["id"] not in seen]
    return ancestors[::-1], descendants[:limit]
