"""SQL for the newsletter: its issues and their texts in each language, and what an issue
gathers by itself (recent public posts of public spaces)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader, Row
from fedi.db.rows import opt_time


@dataclass(frozen=True)
class IssueText:
    title: str
    body: str


@dataclass(frozen=True)
class Issue:
    id: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    status_id: int | None
    texts: dict[str, IssueText] = field(default_factory=dict)  # by language code


_COLUMNS = "id, created_at, updated_at, published_at, status_id"


async def _with_texts(conn: Reader, rows: list[Row]) -> list[Issue]:
    """The issues of `rows` with their texts: one more statement, whatever their number."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    cursor = await conn.execute(
        "SELECT issue_id, language, title, body FROM newsletter_texts"
        f" WHERE issue_id IN ({', '.join('?' for _ in ids)}) ORDER BY language",
        ids,
    )
    texts: dict[int, dict[str, IssueText]] = {}
    for issue_id, language, title, body in await cursor.fetchall():
        texts.setdefault(issue_id, {})[language] = IssueText(title, body)
    return [
        Issue(
            id=row["id"],
            created_at=from_db(row["created_at"]),
            updated_at=from_db(row["updated_at"]),
            published_at=opt_time(row["published_at"]),
            status_id=row["status_id"],
            texts=texts.get(row["id"], {}),
        )
        for row in rows
    ]


async def get_issue(conn: Reader, issue_id: int) -> Issue | None:
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM newsletter_issues WHERE id = ?", (issue_id,)
    )
    found = await _with_texts(conn, list(await cursor.fetchall()))
    return found[0] if found else None


async def all_issues(conn: Reader, limit: int) -> list[Issue]:
    """Drafts and published issues, the newest first (for staff)."""
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM newsletter_issues ORDER BY id DESC LIMIT ?", (limit,)
    )
    return await _with_texts(conn, list(await cursor.fetchall()))


async def published_issues(conn: Reader, limit: int, before: int | None = None) -> list[Issue]:
    """Published issues, the most recently published first (the archive and the feed)."""
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM newsletter_issues WHERE published_at IS NOT NULL"
        " AND id < ? ORDER BY published_at DESC, id DESC LIMIT ?",
        (before if before is not None else 2**63 - 1, limit),
    )
    return await _with_texts(conn, list(await cursor.fetchall()))


def insert_issue(conn: Connection, issue_id: int, created_by: int, now: str) -> None:
    conn.execute(
        "INSERT INTO newsletter_issues (id, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?)",
        (issue_id, created_by, now, now),
    )


def is_draft(conn: Connection, issue_id: int) -> bool | None:
    """True for a draft, False for a published issue, None when there is no such issue."""
    row = conn.execute(
        "SELECT published_at FROM newsletter_issues WHERE id = ?", (issue_id,)
    ).fetchone()
    return None if row is None else row[0] is None


def save_texts(conn: Connection, issue_id: int, texts: dict[str, IssueText], now: str) -> None:
    """Replace the issue's texts by `texts` (a language left out has no text any more)."""
    conn.execute("DELETE FROM newsletter_texts WHERE issue_id = ?", (issue_id,))
    conn.executemany(
        "INSERT INTO newsletter_texts (issue_id, language, title, body) VALUES (?, ?, ?, ?)",
        [(issue_id, language, t.title, t.body) for language, t in sorted(texts.items())],
    )
    conn.execute("UPDATE newsletter_issues SET updated_at = ? WHERE id = ?", (now, issue_id))


def mark_published(conn: Connection, issue_id: int, status_id: int, now: str) -> bool:
    """Publish a draft; False when it was published already (or is gone)."""
    cursor = conn.execute(
        "UPDATE newsletter_issues SET published_at = ?, status_id = ?, updated_at = ?"
        " WHERE id = ? AND published_at IS NULL",
        (now, status_id, now, issue_id),
    )
    return cursor.rowcount == 1


def delete_draft(conn: Connection, issue_id: int) -> bool:
    cursor = conn.execute(
        "DELETE FROM newsletter_issues WHERE id = ? AND published_at IS NULL", (issue_id,)
    )
    return cursor.rowcount == 1


async def public_space_posts(conn: Reader, since: str, limit: int) -> list[int]:
    """Ids of recent public posts that belong to a public space (never a members-only one),
    newest first."""
    cursor = await conn.execute(
        "SELECT s.id FROM statuses s JOIN groups g ON g.account_id = s.group_id"
        " WHERE s.group_id IS NOT NULL AND g.is_private = 0 AND g.is_local_only = 0"
        " AND s.visibility = 'public' AND s.reblog_of_id IS NULL AND s.is_local_only = 0"
        " AND s.created_at > ? ORDER BY s.id DESC LIMIT ?",
        (since, limit),
    )
    return [row[0] for row in await cursor.fetchall()]


async def to_mail(conn: Reader, limit: int) -> list[tuple[int, int]]:
    """(issue id, last member mailed) of published issues not mailed to everyone yet."""
    cursor = await conn.execute(
        "SELECT id, mailed_up_to FROM newsletter_issues WHERE published_at IS NOT NULL"
        " AND mailed_at IS NULL ORDER BY published_at, id LIMIT ?",
        (limit,),
    )
    return [(row[0], row[1]) for row in await cursor.fetchall()]


def mailed_to(conn: Connection, issue_id: int, account_id: int) -> None:
    conn.execute(
        "UPDATE newsletter_issues SET mailed_up_to = ? WHERE id = ? AND mailed_up_to < ?",
        (account_id, issue_id, account_id),
    )


def mailed_to_everyone(conn: Connection, issue_id: int, now: str) -> None:
    conn.execute("UPDATE newsletter_issues SET mailed_at = ? WHERE id = ?", (now, issue_id))
