"""SQL for direct conversations: the threads of direct posts a member wrote or was mentioned in,
with how far they have read each and whether they removed it from their list."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.core.models import Account
from fedi.db.accounts import ACCOUNT_COLUMNS, account_from_row
from fedi.db.connection import Connection, Reader, Row
from fedi.db.timelines import Page, paging


@dataclass(frozen=True)
class Conversation:
    id: int  # the first direct post of the thread the member can see: stable while it exists
    thread: str
    last_status_id: int
    unread: bool


# Direct posts the member (bound twice) can see: their own, and those that mention them.
_SEES = (
    "s.visibility = 'direct' AND (s.account_id = ?"
    " OR EXISTS (SELECT 1 FROM mentions m WHERE m.status_id = s.id AND m.account_id = ?))"
)

# Unread: someone else wrote after the member last read or wrote in the thread.
_GROUPS = (
    "SELECT g.thread_key, g.first_id, g.last_id,"
    " g.last_from_others > MAX(COALESCE(c.read_up_to, 0), g.last_own)"
    " FROM (SELECT COALESCE(s.thread_uri, s.uri) AS thread_key, MIN(s.id) AS first_id,"
    "   MAX(s.id) AS last_id, MAX(CASE WHEN s.account_id != ? THEN s.id ELSE 0 END)"
    "   AS last_from_others, MAX(CASE WHEN s.account_id = ? THEN s.id ELSE 0 END) AS last_own"
    f"   FROM statuses s WHERE {_SEES} GROUP BY thread_key) g"
    " LEFT JOIN conversation_marks c ON c.account_id = ? AND c.thread = g.thread_key"
)


def _conversation(row: Row) -> Conversation:
    return Conversation(id=row[1], thread=row[0], last_status_id=row[2], unread=bool(row[3]))


async def page_of(conn: Reader, account_id: int, page: Page) -> list[Conversation]:
    """The member's conversations, most recently active first, paged by their last post."""
    clause, args, order = paging(page, "g.last_id")
    cursor = await conn.execute(
        f"{_GROUPS} WHERE g.last_id > COALESCE(c.hidden_up_to, 0){clause}"
        f" ORDER BY g.last_id {order} LIMIT ?",
        (account_id, account_id, account_id, account_id, account_id, *args, page.limit),
    )
    rows = [_conversation(row) for row in await cursor.fetchall()]
    return rows if order == "DESC" else rows[::-1]


async def get(conn: Reader, account_id: int, conversation_id: int) -> Conversation | None:
    cursor = await conn.execute(
        f"{_GROUPS} WHERE g.first_id = ?",
        (account_id, account_id, account_id, account_id, account_id, conversation_id),
    )
    row = await cursor.fetchone()
    return _conversation(row) if row else None


async def of_thread(conn: Reader, account_id: int, thread: str) -> Conversation | None:
    cursor = await conn.execute(
        f"{_GROUPS} WHERE g.thread_key = ?",
        (account_id, account_id, account_id, account_id, account_id, thread),
    )
    row = await cursor.fetchone()
    return _conversation(row) if row else None


async def participants(conn: Reader, account_id: int, thread: str) -> list[Account]:
    """Everyone else who wrote or was mentioned in the thread's direct posts the member sees."""
    return (await participants_of(conn, account_id, [thread]))[thread]


async def participants_of(
    conn: Reader, account_id: int, threads: list[str]
) -> dict[str, list[Account]]:
    """participants for several threads in one statement, by thread."""
    found: dict[str, list[Account]] = {t: [] for t in threads}
    if not threads:
        return found
    marks = ", ".join("?" for _ in threads)
    cursor = await conn.execute(
        f"SELECT p.thread_key, {ACCOUNT_COLUMNS} FROM ("
        "  SELECT COALESCE(s.thread_uri, s.uri) AS thread_key, s.account_id AS account_id"
        f"  FROM statuses s WHERE COALESCE(s.thread_uri, s.uri) IN ({marks}) AND {_SEES}"
        "  UNION SELECT COALESCE(s.thread_uri, s.uri), m2.account_id FROM mentions m2"
        "  JOIN statuses s ON s.id = m2.status_id"
        f"  WHERE COALESCE(s.thread_uri, s.uri) IN ({marks}) AND {_SEES}"
        ") p JOIN accounts a ON a.id = p.account_id WHERE a.id != ? ORDER BY p.thread_key, a.id",
        (*threads, account_id, account_id, *threads, account_id, account_id, account_id),
    )
    for row in await cursor.fetchall():
        found[row[0]].append(account_from_row(row))
    return found


def mark(conn: Connection, account_id: int, thread: str, *, read: int = 0, hidden: int = 0) -> None:
    """Raise how far the member has read the thread and/or up to where they removed it."""
    conn.execute(
        "INSERT INTO conversation_marks (account_id, thread, read_up_to, hidden_up_to)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (account_id, thread) DO UPDATE SET"
        " read_up_to = MAX(conversation_marks.read_up_to, excluded.read_up_to),"
        " hidden_up_to = MAX(conversation_marks.hidden_up_to, excluded.hidden_up_to)",
        (account_id, thread, read, hidden),
    )
