"""SQL for what a group's pages show: its posts, and the shared library of documents and images
attached to them. Everyone sees a public group's public and unlisted posts; a private group's
members see the group's posts and its own copies of members' submissions (never a direct
message, and not a member's original submission when the group holds a copy of it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fedi.core.models import Status
from fedi.core.timeutil import from_db
from fedi.db.connection import Reader, Row
from fedi.db.walk import Page, Source, Sql, Timeline, ordered, read

# Which posts of a group a reader sees: `?1` is the group's id.
_PUBLIC_POSTS = (
    "(s.group_id = ?1 OR s.account_id = ?1) AND s.reblog_of_id IS NULL"
    " AND s.visibility IN ('public', 'unlisted')"
)
_MEMBERS_POSTS = (
    "(s.group_id = ?1 OR s.account_id = ?1) AND s.reblog_of_id IS NULL"
    " AND s.visibility <> 'direct'"
    " AND NOT EXISTS (SELECT 1 FROM statuses c WHERE c.account_id = ?1"
    "   AND c.submission_uri = s.uri)"
)
# The same rules for a page read through fedi.db.walk (plain parameters, in this order: none
# for the public view, the group's id for the members' view).
_PUBLIC_RULES = " AND s.reblog_of_id IS NULL AND s.visibility IN ('public', 'unlisted')"
_MEMBERS_RULES = (
    " AND s.reblog_of_id IS NULL AND s.visibility <> 'direct'"
    " AND NOT EXISTS (SELECT 1 FROM statuses c WHERE c.account_id = ?"
    "   AND c.submission_uri = s.uri)"
)


def _group_sources(group_id: int) -> tuple[Source, ...]:
    """The posts a group holds as their group (index statuses_group) and those its account
    wrote, never its boosts (index statuses_account_posts), each newest first."""
    return (
        ordered("statuses s INDEXED BY statuses_group", "s.id", ("s.group_id = ?", [group_id])),
        ordered(
            "statuses s INDEXED BY statuses_account_posts", "s.id",
            ("s.account_id = ? AND s.reblog_of_id IS NULL", [group_id]),
        ),
    )  # fmt: skip


# What goes in the library: images, and documents (PDF, text, office and OpenDocument files).
_LIBRARY_TYPES = (
    "(m.media_type LIKE 'image/%' OR m.media_type LIKE 'text/%'"
    " OR m.media_type IN ('application/pdf', 'application/rtf', 'application/msword',"
    "   'application/vnd.ms-excel', 'application/vnd.ms-powerpoint')"
    " OR m.media_type LIKE 'application/vnd.openxmlformats-officedocument.%'"
    " OR m.media_type LIKE 'application/vnd.oasis.opendocument.%')"
)


@dataclass(frozen=True)
class LibraryItem:
    """One file of the library and the post that shared it."""

    id: int
    media_type: str
    file: str | None
    remote_url: str | None
    description: str
    size: int | None
    status_id: int
    status_uri: str
    status_url: str | None
    shared_by_id: int  # who wrote the post (for a private group's copy: the member)
    shared_at: datetime
    file_name: str | None = None  # an uploaded document's original name

    @property
    def title(self) -> str:
        """What the library calls the file: its name, else its description, else its type."""
        return self.file_name or self.description or self.media_type


def _visible(members_view: bool) -> str:
    return _MEMBERS_POSTS if members_view else _PUBLIC_POSTS


async def posts_page(
    conn: Reader,
    group_id: int,
    max_id: int | None,
    limit: int,
    *,
    members_view: bool,
) -> list[Status]:
    """The group's posts, newest first, below max_id: those it holds as their group and those
    it wrote, each read in index order."""
    rules: Sql = (_MEMBERS_RULES, [group_id]) if members_view else (_PUBLIC_RULES, [])
    timeline = Timeline(member=None, rules=rules, sources=_group_sources(group_id))
    return await read(conn, timeline, Page(max_id=max_id, limit=limit))


def _item(row: Row) -> LibraryItem:
    return LibraryItem(
        id=row[0],
        media_type=row[1],
        file=row[2],
        remote_url=row[3],
        description=row[4],
        size=row[5],
        status_id=row[6],
        status_uri=row[7],
        status_url=row[8],
        shared_by_id=row[9],
        shared_at=from_db(row[10]),
        file_name=row[11],
    )


async def library_page(
    conn: Reader,
    group_id: int,
    max_id: int | None,
    limit: int,
    *,
    members_view: bool,
) -> list[LibraryItem]:
    """The library's files, newest first, below max_id (an attachment id)."""
    cursor = await conn.execute(
        "SELECT m.id, m.media_type, m.file, m.remote_url, m.description, m.file_size, s.id,"
        " s.uri, s.url, COALESCE(s.submitted_by_id, s.account_id), s.created_at, m.file_name"
        " FROM media_attachments m JOIN statuses s ON s.id = m.status_id"
        f" WHERE {_visible(members_view)} AND {_LIBRARY_TYPES}"
        " AND (?2 IS NULL OR m.id < ?2) ORDER BY m.id DESC LIMIT ?3",
        (group_id, max_id, limit),
    )
    return [_item(row) for row in await cursor.fetchall()]


async def library_count(conn: Reader, group_id: int, *, members_view: bool) -> int:
    cursor = await conn.execute(
        "SELECT count(*) FROM media_attachments m JOIN statuses s ON s.id = m.status_id"
        f" WHERE {_visible(members_view)} AND {_LIBRARY_TYPES}",
        (group_id,),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0
