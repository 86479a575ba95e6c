"""The timeline queries as they were before fedi.db.walk: each one statement that gathers every
candidate, filters it and sorts it. Slow on a large instance, and kept here as the oracle that
the fast queries must match row for row (test_timeline_rows.py)."""

from __future__ import annotations

from fedi.core.models import Status
from fedi.core.timeutil import to_db, utcnow
from fedi.db import statuses
from fedi.db.connection import Reader
from fedi.db.group_pages import _MEMBERS_POSTS, _PUBLIC_POSTS
from fedi.db.lists import UserList, exclusive_clause
from fedi.db.moderated import moderated_status_clause
from fedi.db.mutes import hidden_status_clause
from fedi.db.statuses import COLUMNS, status_from_row
from fedi.db.timelines import TagQuery
from fedi.db.walk import Page, paging

HAS_MEDIA = " AND EXISTS (SELECT 1 FROM media_attachments ma WHERE ma.status_id = s.id)"


def _viewer_rules(viewer_id: int | None, *, public: bool = False) -> tuple[str, list[object]]:
    """What the viewer hides (mutes, blocks, domain blocks) and what moderators took out of
    view (fedi.db.moderated), as SQL so that pages stay full."""
    moderated, moderated_args = moderated_status_clause(viewer_id, public=public)
    if viewer_id is None:
        return moderated, moderated_args
    hidden, hidden_args = hidden_status_clause(viewer_id, to_db(utcnow()))
    return hidden + moderated, [*hidden_args, *moderated_args]


def _local_only_rule(viewer_id: int | None) -> str:
    """Local-only posts are for signed-in members of this instance (every viewer with an id is
    one); anyone else's public timelines leave them out."""
    return "" if viewer_id is not None else " AND s.is_local_only = 0"


async def home(conn: Reader, account_id: int, page: Page) -> list[Status]:
    """With the public posts of followed hashtags, the rule written as plainly as the rest."""
    clause, args, order = paging(page)
    hidden, hidden_args = _viewer_rules(account_id)
    exclusive, exclusive_args = exclusive_clause(account_id)
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE ("
        "   s.account_id = ?"
        "   OR (s.account_id IN (SELECT followed_id FROM follows"
        "         WHERE follower_id = ? AND state = 'accepted')"
        "       AND s.visibility IN ('public', 'unlisted', 'private'))"
        "   OR s.id IN (SELECT status_id FROM mentions WHERE account_id = ?)"
        "   OR (s.visibility = 'public' AND s.reblog_of_id IS NULL AND s.id IN ("
        "         SELECT st.status_id FROM status_tags st JOIN tag_follows tf ON tf.name = st.name"
        "         WHERE tf.account_id = ?))"
        f"){hidden}{exclusive}{clause} ORDER BY s.id {order} LIMIT ?",
        (account_id, account_id, account_id, account_id, *hidden_args, *exclusive_args, *args,
         page.limit),
    )  # fmt: skip
    rows = [status_from_row(row) for row in await cursor.fetchall()]
    return rows if order == "DESC" else rows[::-1]


async def public(
    conn: Reader,
    local: bool | None,
    page: Page,
    viewer_id: int | None = None,
    only_media: bool = False,
) -> list[Status]:
    clause, args, order = paging(page)
    hidden, hidden_args = _viewer_rules(viewer_id, public=True)
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE s.visibility = 'public'"
        " AND s.reblog_of_id IS NULL AND (? IS NULL OR s.is_local = ?)"
        f"{_local_only_rule(viewer_id)}{HAS_MEDIA if only_media else ''}{hidden}{clause}"
        f" ORDER BY s.id {order} LIMIT ?",
        (None if local is None else int(local), None if local is None else int(local),
         *hidden_args, *args, page.limit),
    )  # fmt: skip
    rows = [status_from_row(row) for row in await cursor.fetchall()]
    return rows if order == "DESC" else rows[::-1]


async def tag(conn: Reader, query: TagQuery, page: Page, viewer_id: int | None) -> list[Status]:
    clause, args, order = paging(page)
    hidden, hidden_args = _viewer_rules(viewer_id, public=True)
    marks = ", ".join("?" for _ in query.any)
    every = "".join(
        " AND EXISTS (SELECT 1 FROM status_tags t WHERE t.status_id = s.id AND t.name = ?)"
        for _ in query.all
    )
    without = (
        " AND NOT EXISTS (SELECT 1 FROM status_tags t WHERE t.status_id = s.id AND t.name IN"
        f" ({', '.join('?' for _ in query.none)}))"
        if query.none
        else ""
    )
    local = None if query.local is None else int(query.local)
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE s.visibility = 'public'"
        " AND s.reblog_of_id IS NULL AND (? IS NULL OR s.is_local = ?)"
        f" AND s.id IN (SELECT status_id FROM status_tags WHERE name IN ({marks}))"
        f"{_local_only_rule(viewer_id)}{every}{without}{HAS_MEDIA if query.only_media else ''}"
        f"{hidden}{clause} ORDER BY s.id {order} LIMIT ?",
        (local, local, *query.any, *query.all, *query.none, *hidden_args, *args, page.limit),
    )
    rows = [status_from_row(row) for row in await cursor.fetchall()]
    return rows if order == "DESC" else rows[::-1]


def _list_condition(owned: UserList) -> tuple[str, list[object]]:
    """Posts and boosts by the list's members (followed, not merely requested) that the owner
    may see, with replies kept as the list's replies_policy says (Mastodon FeedManager): a
    self-reply or a reply to the owner always; `followed`: replies to accounts the owner
    follows; `list`: replies to list members; `none`: no other replies."""
    owner = owned.account_id
    return (
        "s.account_id IN ("
        "   SELECT la.account_id FROM list_accounts la LEFT JOIN follows f ON f.id = la.follow_id"
        "   WHERE la.list_id = ? AND (la.follow_id IS NULL OR f.state = 'accepted'))"
        " AND (s.visibility IN ('public', 'unlisted', 'private') OR s.account_id = ?"
        "      OR s.id IN (SELECT status_id FROM mentions WHERE account_id = ?))"
        " AND ((s.in_reply_to_id IS NULL AND s.in_reply_to_uri IS NULL)"
        "      OR s.in_reply_to_account_id = s.account_id OR s.in_reply_to_account_id = ?"
        "      OR (? = 'followed' AND s.in_reply_to_account_id IN (SELECT followed_id FROM follows"
        "          WHERE follower_id = ? AND state = 'accepted'))"
        "      OR (? = 'list' AND s.in_reply_to_account_id IN (SELECT account_id FROM list_accounts"
        "          WHERE list_id = ?)))",
        [owned.id, owner, owner, owner, owned.replies_policy, owner, owned.replies_policy,
         owned.id],
    )  # fmt: skip


async def list_timeline(conn: Reader, owned: UserList, page: Page) -> list[Status]:
    """A list's timeline, newest first (see _list_condition), without what the owner hides."""
    clause, args, order = paging(page)
    condition, condition_args = _list_condition(owned)
    hidden, hidden_args = _viewer_rules(owned.account_id)
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE {condition}{hidden}{clause}"
        f" ORDER BY s.id {order} LIMIT ?",
        (*condition_args, *hidden_args, *args, page.limit),
    )
    rows = [status_from_row(row) for row in await cursor.fetchall()]
    return rows if order == "DESC" else rows[::-1]


async def in_list(conn: Reader, owned: UserList, status_id: int) -> bool:
    """Whether a post belongs on the list's timeline (for its live stream)."""
    condition, condition_args = _list_condition(owned)
    cursor = await conn.execute(
        f"SELECT 1 FROM statuses s WHERE {condition} AND s.id = ?", (*condition_args, status_id)
    )
    return await cursor.fetchone() is not None


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
) -> list[Status]:
    """An author's own public and unlisted posts (and followers-only ones, for a follower), no
    boosts, newest first, below max_id; optionally without replies, or only those with media.
    Local-only posts only with_local_only (a signed-in member of this instance asks)."""
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE s.account_id = ? AND s.reblog_of_id IS NULL"
        " AND (s.visibility IN ('public', 'unlisted') OR (? = 1 AND s.visibility = 'private'))"
        " AND (? = 1 OR s.is_local_only = 0)"
        " AND (? = 0 OR s.in_reply_to_uri IS NULL)"
        " AND (? = 0 OR EXISTS (SELECT 1 FROM media_attachments m WHERE m.status_id = s.id))"
        " AND (? IS NULL OR s.id < ?) ORDER BY s.id DESC LIMIT ?",
        (account_id, int(with_private), int(with_local_only), int(without_replies),
         int(only_media), max_id, max_id, limit),
    )  # fmt: skip
    return [status_from_row(row) for row in await cursor.fetchall()]


async def posts_page(
    conn: Reader,
    group_id: int,
    max_id: int | None,
    limit: int,
    *,
    members_view: bool,
) -> list[Status]:
    """The group's posts, newest first, below max_id."""
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s"
        f" WHERE {_MEMBERS_POSTS if members_view else _PUBLIC_POSTS}"
        " AND (?2 IS NULL OR s.id < ?2) ORDER BY s.id DESC LIMIT ?3",
        (group_id, max_id, limit),
    )
    return [status_from_row(row) for row in await cursor.fetchall()]


async def thread_of(
    conn: Reader, status: Status, limit: int = 200
) -> tuple[list[Status], list[Status]]:
    """Ancestors (oldest first, following in_reply_to_id) and descendants (by id order)."""
    ancestors: list[Status] = []
    current = status
    seen = {status.id}
    while current.in_reply_to_id is not None and len(ancestors) < limit:
        parent = await statuses.get_by_id(conn, current.in_reply_to_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        ancestors.append(parent)
        current = parent
    descendants: list[Status] = []
    frontier = [status.id]
    while frontier and len(descendants) < limit:
        marks = ", ".join("?" for _ in frontier)
        cursor = await conn.execute(
            f"SELECT {COLUMNS} FROM statuses s WHERE s.in_reply_to_id IN ({marks}) ORDER BY s.id",
            frontier,
        )
        children = [status_from_row(r) for r in await cursor.fetchall() if r["id"] not in seen]
        seen.update(c.id for c in children)
        descendants.extend(children)
        frontier = [c.id for c in children]
    return ancestors[::-1], descendants[:limit]
