"""A statuses row as a model: the columns pages read (COLUMNS) and the model built from them,
kept between requests by the row's version for the pages that read only KEYS
(fedi.db.row_memo)."""

from __future__ import annotations

from collections.abc import Iterable

from fedi.core.models import Status, Visibility
from fedi.core.timeutil import from_db
from fedi.db.connection import Reader, Row
from fedi.db.row_memo import VersionMemo
from fedi.db.rows import opt_time

_FIELDS = (
    "id", "uri", "url", "account_id", "visibility", "content", "spoiler_text", "is_sensitive",
    "language", "in_reply_to_uri", "created_at", "edited_at", "is_local", "object_type", "title",
    "in_reply_to_id", "in_reply_to_account_id", "reblog_of_id", "thread_uri", "source_text",
    "group_id", "submitted_by_id", "submission_uri", "is_local_only",
)  # fmt: skip
COLUMNS = ", ".join(f"s.{name}" for name in _FIELDS)


def status_from_row(row: Row) -> Status:
    visibility: Visibility = row["visibility"]
    return Status(
        id=row["id"],
        uri=row["uri"],
        url=row["url"],
        account_id=row["account_id"],
        visibility=visibility,
        content=row["content"],
        spoiler_text=row["spoiler_text"],
        is_sensitive=bool(row["is_sensitive"]),
        language=row["language"],
        in_reply_to_uri=row["in_reply_to_uri"],
        created_at=from_db(row["created_at"]),
        edited_at=opt_time(row["edited_at"]),
        is_local=bool(row["is_local"]),
        object_type=row["object_type"],
        title=row["title"],
        in_reply_to_id=row["in_reply_to_id"],
        in_reply_to_account_id=row["in_reply_to_account_id"],
        reblog_of_id=row["reblog_of_id"],
        thread_uri=row["thread_uri"],
        source_text=row["source_text"],
        group_id=row["group_id"],
        submitted_by_id=row["submitted_by_id"],
        submission_uri=row["submission_uri"],
        is_local_only=bool(row["is_local_only"]),
    )


# The statuses pages show, by (id, row_version): pages read KEYS, then versioned().
KEYS = "s.id, s.row_version"
_by_version: VersionMemo[Status] = VersionMemo(4096)


async def versioned(conn: Reader, keys: Iterable[Row]) -> list[Status]:
    """The statuses of rows of KEYS, in their order: the models kept for those versions, the
    others read in one statement (a status deleted meanwhile is left out)."""
    wanted = [(int(row[0]), int(row[1])) for row in keys]

    async def read(ids: list[int]) -> list[tuple[int, int, Status]]:
        cursor = await conn.execute(
            f"SELECT {COLUMNS}, s.row_version FROM statuses s"
            f" WHERE s.id IN ({', '.join('?' for _ in ids)})",
            ids,
        )
        rows = await cursor.fetchall()
        return [(row["id"], row["row_version"], status_from_row(row)) for row in rows]

    found = await _by_version.kept_or_read(wanted, read)
    return [found[key[0]] for key in wanted if key[0] in found]
