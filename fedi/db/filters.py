"""SQL for a member's filters (Mastodon CustomFilter): a title, the contexts it applies in, an
action (warn or hide), an optional expiry, and its keywords and statuses. Every read names the
owner, so another member's ids are simply not found."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fedi.core.ids import new_id
from fedi.db.connection import Connection, Reader, Row
from fedi.db.rows import json_list


@dataclass(frozen=True)
class Keyword:
    id: int
    filter_id: int
    keyword: str
    whole_word: bool


@dataclass(frozen=True)
class FilterStatus:
    id: int
    filter_id: int
    status_id: int


@dataclass(frozen=True)
class Filter:
    id: int
    account_id: int
    title: str
    contexts: tuple[str, ...]
    action: str
    expires_at: str | None
    keywords: tuple[Keyword, ...] = ()
    statuses: tuple[FilterStatus, ...] = ()


@dataclass(frozen=True)
class FilterChange:
    """Fields to set on a filter; None leaves the field as it is (expires_at: "" clears it)."""

    title: str | None = None
    contexts: tuple[str, ...] | None = None
    action: str | None = None
    expires_at: str | None = None


def insert_filter(
    conn: Connection, owner_id: int, title: str, contexts: tuple[str, ...], action: str,
    expires_at: str | None, now: str,
) -> int:  # fmt: skip
    filter_id = new_id()
    conn.execute(
        "INSERT INTO filters (id, account_id, title, contexts, action, expires_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (filter_id, owner_id, title, json.dumps(list(contexts)), action, expires_at, now),
    )
    return filter_id


def update_filter(conn: Connection, filter_id: int, change: FilterChange) -> None:
    if change.title is not None:
        conn.execute("UPDATE filters SET title = ? WHERE id = ?", (change.title, filter_id))
    if change.contexts is not None:
        conn.execute(
            "UPDATE filters SET contexts = ? WHERE id = ?",
            (json.dumps(list(change.contexts)), filter_id),
        )
    if change.action is not None:
        conn.execute("UPDATE filters SET action = ? WHERE id = ?", (change.action, filter_id))
    if change.expires_at is not None:
        conn.execute(
            "UPDATE filters SET expires_at = ? WHERE id = ?", (change.expires_at or None, filter_id)
        )


def delete_filter(conn: Connection, owner_id: int, filter_id: int) -> int:
    return conn.execute(
        "DELETE FROM filters WHERE id = ? AND account_id = ?", (filter_id, owner_id)
    ).rowcount


def count_filters(conn: Connection, owner_id: int) -> int:
    row = conn.execute("SELECT count(*) FROM filters WHERE account_id = ?", (owner_id,)).fetchone()
    return int(row[0]) if row else 0


def count_keywords(conn: Connection, filter_id: int) -> int:
    row = conn.execute(
        "SELECT count(*) FROM filter_keywords WHERE filter_id = ?", (filter_id,)
    ).fetchone()
    return int(row[0]) if row else 0


def insert_keyword(
    conn: Connection, filter_id: int, keyword: str, whole_word: bool, now: str
) -> Keyword:
    keyword_id = new_id()
    conn.execute(
        "INSERT INTO filter_keywords (id, filter_id, keyword, whole_word, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (keyword_id, filter_id, keyword, int(whole_word), now),
    )
    return Keyword(keyword_id, filter_id, keyword, whole_word)


def update_keyword(
    conn: Connection, filter_id: int, keyword_id: int, keyword: str | None,
    whole_word: bool | None,
) -> int:  # fmt: skip
    """Change a keyword of this filter; 0 when the keyword belongs to another filter."""
    return conn.execute(
        "UPDATE filter_keywords SET keyword = COALESCE(?, keyword),"
        " whole_word = COALESCE(?, whole_word) WHERE id = ? AND filter_id = ?",
        (keyword, None if whole_word is None else int(whole_word), keyword_id, filter_id),
    ).rowcount


def delete_keyword(conn: Connection, filter_id: int, keyword_id: int) -> int:
    return conn.execute(
        "DELETE FROM filter_keywords WHERE id = ? AND filter_id = ?", (keyword_id, filter_id)
    ).rowcount


def insert_status(conn: Connection, filter_id: int, status_id: int, now: str) -> int:
    """The filter-status id, existing or new."""
    row = conn.execute(
        "SELECT id FROM filter_statuses WHERE filter_id = ? AND status_id = ?",
        (filter_id, status_id),
    ).fetchone()
    if row is not None:
        return int(row[0])
    row_id = new_id()
    conn.execute(
        "INSERT INTO filter_statuses (id, filter_id, status_id, created_at) VALUES (?, ?, ?, ?)",
        (row_id, filter_id, status_id, now),
    )
    return row_id


def delete_status(conn: Connection, filter_id: int, row_id: int) -> int:
    return conn.execute(
        "DELETE FROM filter_statuses WHERE id = ? AND filter_id = ?", (row_id, filter_id)
    ).rowcount


def _filter(row: Row | tuple[object, ...]) -> Filter:
    contexts = tuple(str(c) for c in json_list(str(row[3])))
    expires = None if row[5] is None else str(row[5])
    return Filter(int(str(row[0])), int(str(row[1])), str(row[2]), contexts, str(row[4]), expires)


async def _with_rules(conn: Reader, found: list[Filter]) -> list[Filter]:
    if not found:
        return []
    marks = ", ".join("?" for _ in found)
    ids = [f.id for f in found]
    cursor = await conn.execute(
        "SELECT id, filter_id, keyword, whole_word FROM filter_keywords"
        f" WHERE filter_id IN ({marks}) ORDER BY id",
        ids,
    )
    words: dict[int, list[Keyword]] = {}
    for r in await cursor.fetchall():
        words.setdefault(r[1], []).append(Keyword(r[0], r[1], r[2], bool(r[3])))
    cursor = await conn.execute(
        f"SELECT id, filter_id, status_id FROM filter_statuses WHERE filter_id IN ({marks})"
        " ORDER BY id",
        ids,
    )
    posts: dict[int, list[FilterStatus]] = {}
    for r in await cursor.fetchall():
        posts.setdefault(r[1], []).append(FilterStatus(r[0], r[1], r[2]))
    return [
        Filter(
            f.id,
            f.account_id,
            f.title,
            f.contexts,
            f.action,
            f.expires_at,
            tuple(words.get(f.id, ())),
            tuple(posts.get(f.id, ())),
        )
        for f in found
    ]


_COLUMNS = "f.id, f.account_id, f.title, f.contexts, f.action, f.expires_at"


async def filters_of(conn: Reader, owner_id: int, active_at: str | None = None) -> list[Filter]:
    """The member's filters with their keywords and statuses; with active_at, only those not
    expired at that moment."""
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM filters f WHERE f.account_id = ?"
        " AND (? IS NULL OR f.expires_at IS NULL OR f.expires_at > ?) ORDER BY f.id",
        (owner_id, active_at, active_at),
    )
    return await _with_rules(conn, [_filter(r) for r in await cursor.fetchall()])


async def get_filter(conn: Reader, owner_id: int, filter_id: int) -> Filter | None:
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM filters f WHERE f.id = ? AND f.account_id = ?",
        (filter_id, owner_id),
    )
    row = await cursor.fetchone()
    found = await _with_rules(conn, [_filter(row)]) if row else []
    return found[0] if found else None


async def get_keyword(conn: Reader, owner_id: int, keyword_id: int) -> Keyword | None:
    cursor = await conn.execute(
        "SELECT k.id, k.filter_id, k.keyword, k.whole_word FROM filter_keywords k"
        " JOIN filters f ON f.id = k.filter_id WHERE k.id = ? AND f.account_id = ?",
        (keyword_id, owner_id),
    )
    row = await cursor.fetchone()
    return Keyword(row[0], row[1], row[2], bool(row[3])) if row else None


async def get_status(conn: Reader, owner_id: int, row_id: int) -> FilterStatus | None:
    cursor = await conn.execute(
        "SELECT fs.id, fs.filter_id, fs.status_id FROM filter_statuses fs"
        " JOIN filters f ON f.id = fs.filter_id WHERE fs.id = ? AND f.account_id = ?",
        (row_id, owner_id),
    )
    row = await cursor.fetchone()
    return FilterStatus(row[0], row[1], row[2]) if row else None
