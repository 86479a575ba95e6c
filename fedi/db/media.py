"""SQL for members' uploads in media_attachments: stored unattached, attached to a post in the
order given, let go by an edit or a deletion, and cleaned up when nobody used them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fedi.core.models import Attachment
from fedi.db.connection import Connection, Reader

# The same columns, in the same order, as statuses.details reads for a post.
_COLUMNS = (
    "id, media_type, COALESCE(remote_url, ''), description, blurhash, width, height, file,"
    " preview_file, preview_width, preview_height, file_size, focus_x, focus_y, file_name"
)


@dataclass(frozen=True)
class NewUpload:
    """An image (with its preview, size and BlurHash) or a document (with the name it had)."""

    id: int
    account_id: int
    media_type: str
    file: str
    size: int
    description: str
    focus: tuple[float, float]
    created_at: str
    preview_file: str | None = None
    width: int | None = None
    height: int | None = None
    preview_width: int | None = None
    preview_height: int | None = None
    blurhash: str | None = None
    file_name: str | None = None


def insert_upload(conn: Connection, new: NewUpload) -> None:
    conn.execute(
        "INSERT INTO media_attachments (id, status_id, account_id, media_type, file, preview_file,"
        " width, height, preview_width, preview_height, file_size, description, blurhash,"
        " focus_x, focus_y, created_at, file_name)"
        " VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (new.id, new.account_id, new.media_type, new.file, new.preview_file, new.width,
         new.height, new.preview_width, new.preview_height, new.size, new.description,
         new.blurhash, *new.focus, new.created_at, new.file_name),
    )  # fmt: skip


async def file_name_of(conn: Reader, file: str) -> str | None:
    """The name an uploaded document had on the member's device, by the name we stored it as."""
    cursor = await conn.execute(
        "SELECT file_name FROM media_attachments WHERE file = ? LIMIT 1", (file,)
    )
    row = await cursor.fetchone()
    return row[0] if row else None


async def get_unattached(conn: Reader, account_id: int, media_id: int) -> Attachment | None:
    """One of the member's own uploads that no post holds yet (Mastodon shows only those)."""
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM media_attachments WHERE id = ? AND account_id = ?"
        " AND status_id IS NULL AND file IS NOT NULL",
        (media_id, account_id),
    )
    row = await cursor.fetchone()
    return Attachment(*row) if row else None


def update_upload(
    conn: Connection,
    account_id: int,
    media_id: int,
    description: str | None,
    focus: tuple[float, float] | None,
) -> None:
    conn.execute(
        "UPDATE media_attachments SET description = COALESCE(?, description),"
        " focus_x = COALESCE(?, focus_x), focus_y = COALESCE(?, focus_y)"
        " WHERE id = ? AND account_id = ? AND status_id IS NULL",
        (description, *(focus or (None, None)), media_id, account_id),
    )


async def attachable(
    conn: Reader, account_id: int, media_ids: Sequence[int], status_id: int | None,
    scheduled_id: int | None = None,
) -> set[int]:  # fmt: skip
    """Which of media_ids are the member's uploads that are free, or already on status_id (and
    not kept for a scheduled post, unless it is scheduled_id's)."""
    if not media_ids:
        return set()
    marks = ", ".join("?" for _ in media_ids)
    cursor = await conn.execute(
        f"SELECT id FROM media_attachments WHERE id IN ({marks}) AND account_id = ?"
        " AND file IS NOT NULL AND (status_id IS NULL OR status_id = ?)"
        " AND (scheduled_status_id IS NULL OR scheduled_status_id = ?)",
        (*media_ids, account_id, status_id, scheduled_id),
    )
    return {row[0] for row in await cursor.fetchall()}


def attach(
    conn: Connection, account_id: int, status_id: int, media_ids: Sequence[int], now: str
) -> bool:
    """Make media_ids (in this order) the uploads of a post, letting go of any others it had.
    False when one of them was taken meanwhile: the caller's transaction must not commit."""
    marks = ", ".join("?" for _ in media_ids)
    keeping = f" AND id NOT IN ({marks})" if media_ids else ""
    conn.execute(
        "UPDATE media_attachments SET status_id = NULL, detached_at = ?"
        f" WHERE status_id = ? AND file IS NOT NULL{keeping}",
        (now, status_id, *media_ids),
    )
    for position, media_id in enumerate(media_ids):
        # space_id: the space of the post, kept after a detachment (fedi.library.access).
        cursor = conn.execute(
            "UPDATE media_attachments SET status_id = ?, position = ?, detached_at = NULL,"
            " scheduled_status_id = NULL, space_id = (SELECT group_id FROM statuses WHERE id = ?)"
            " WHERE id = ? AND account_id = ? AND file IS NOT NULL"
            " AND (status_id IS NULL OR status_id = ?)",
            (status_id, position, status_id, media_id, account_id, status_id),
        )
        if cursor.rowcount != 1:
            return False
    return True


def detach_all(conn: Connection, status_id: int, now: str) -> None:
    """A post goes: its uploads stay a while, so that "delete and redraft" can use them again."""
    conn.execute(
        "UPDATE media_attachments SET status_id = NULL, detached_at = ?"
        " WHERE status_id = ? AND file IS NOT NULL",
        (now, status_id),
    )


async def stale_uploads(conn: Reader, before: str, limit: int) -> list[tuple[int, str, str | None]]:
    """(id, file, preview_file) of uploads no post has held since before `before`."""
    cursor = await conn.execute(
        "SELECT id, file, preview_file FROM media_attachments WHERE status_id IS NULL"
        " AND scheduled_status_id IS NULL AND file IS NOT NULL"
        " AND COALESCE(detached_at, created_at) < ? ORDER BY id LIMIT ?",
        (before, limit),
    )
    return [(row[0], row[1], row[2]) for row in await cursor.fetchall()]


def delete_uploads(conn: Connection, ids: Sequence[int]) -> None:
    """Forget uploads, unless a post took one meanwhile."""
    conn.executemany(
        "DELETE FROM media_attachments WHERE id = ? AND status_id IS NULL"
        " AND scheduled_status_id IS NULL",
        [(i,) for i in ids],
    )


def set_profile_image(
    conn: Connection, account_id: int, which: str, name: str | None, now: str
) -> str | None:
    """Set avatar_file or header_file; returns the file it replaces."""
    column = {"avatar": "avatar_file", "header": "header_file"}[which]
    row = conn.execute(f"SELECT {column} FROM accounts WHERE id = ?", (account_id,)).fetchone()
    conn.execute(
        f"UPDATE accounts SET {column} = ?, updated_at = ? WHERE id = ?", (name, now, account_id)
    )
    return row[0] if row else None


async def referenced_files(conn: Reader, names: Sequence[str]) -> set[str]:
    """Which of these file names a row still refers to."""
    if not names:
        return set()
    marks = ", ".join("?" for _ in names)
    cursor = await conn.execute(
        f"SELECT file FROM media_attachments WHERE file IN ({marks})"
        f" UNION SELECT preview_file FROM media_attachments WHERE preview_file IN ({marks})"
        f" UNION SELECT avatar_file FROM accounts WHERE avatar_file IN ({marks})"
        f" UNION SELECT header_file FROM accounts WHERE header_file IN ({marks})",
        (*names, *names, *names, *names),
    )
    return {row[0] for row in await cursor.fetchall()}
