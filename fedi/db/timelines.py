"""SQL for timelines: a member's home (the accounts and hashtags they follow, and what is
addressed to them), lists, hashtags and the public timelines, paged by id as Mastodon pages them
(max_id, since_id, min_id). Each is a condition and the index-ordered ways to its rows, read by
fedi.db.walk at a cost that depends on the page, not on how many statuses the instance holds."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.core.models import Status
from fedi.core.timeutil import to_db, utcnow
from fedi.db import home_feed
from fedi.db.connection import Reader
from fedi.db.home_feed import FOLLOWERS_SEE, PUBLIC
from fedi.db.lists import UserList, exclusive_clause
from fedi.db.moderated import moderated_status_clause
from fedi.db.mutes import hidden_status_clause
from fedi.db.walk import Bounds, Source, Sql, Timeline, by_account, by_accounts, each, ordered, read
from fedi.db.walk import Page as Page
from fedi.db.walk import paging as paging

HAS_MEDIA = " AND EXISTS (SELECT 1 FROM media_attachments ma WHERE ma.status_id = s.id)"
SHOWN_TO_FOLLOWERS = f" AND {FOLLOWERS_SEE}"


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


def _mentions_of(account_id: int) -> Source:
    """The statuses that mention an account, newest first (index mentions_account_status)."""
    rows = "mentions mn CROSS JOIN statuses s ON s.id = mn.status_id"
    return ordered(rows, "mn.status_id", ("mn.account_id = ?", [account_id]))


def _with_media(condition: Sql) -> Source:
    """Statuses with an attachment, through the attachments' status index."""
    rows = "media_attachments m CROSS JOIN statuses s ON s.id = m.status_id"
    return ordered(rows, "m.status_id", condition, distinct=True)


def _tagged(name: str, condition: Sql) -> Source:
    """Statuses carrying one hashtag, newest first (index status_tags_name)."""
    rows = "status_tags t CROSS JOIN statuses s ON s.id = t.status_id"
    return ordered(rows, "t.status_id", (f"t.name = ? AND {condition[0]}", [name, *condition[1]]))


# Public posts carrying a hashtag the member follows (Mastodon's TagFollow, fanned out only for
# public posts that are not boosts; never a followers-only, direct or private group's post).
_FOLLOWED_TAG = (
    f" OR ({PUBLIC} AND EXISTS (SELECT 1 FROM status_tags ft WHERE ft.status_id = s.id"
    "     AND ft.name IN (SELECT name FROM tag_follows WHERE account_id = ?)))"
)


def _followed_tags_of(account_id: int) -> Source:
    """The public posts carrying each hashtag the member follows, each tag's read on its own
    through the status_tags_name index, newest first."""

    def source(rules: Sql, bounds: Bounds, wanted: int) -> Sql:
        within, within_args = bounds.on("t.status_id")
        return (
            each(
                "(SELECT name FROM tag_follows WHERE account_id = ?)",
                "SELECT t.status_id FROM status_tags t CROSS JOIN statuses s"
                f" ON s.id = t.status_id WHERE t.name = src.name AND {PUBLIC}"
                f"{rules[0]}{within} ORDER BY t.status_id {bounds.order} LIMIT ?",
            ),
            [account_id, *rules[1], *within_args, wanted],
        )

    return source


async def home(conn: Reader, account_id: int, page: Page) -> list[Status]:
    """One's own posts, the posts of accounts one follows (not their direct messages), posts
    that mention one, and public posts carrying a hashtag one follows, without what one hides:
    through the member's feed where it is complete (fedi.db.home_feed), else walked."""
    hidden, hidden_args = _viewer_rules(account_id)
    exclusive, exclusive_args = exclusive_clause(account_id)
    rules = (hidden + exclusive, [*hidden_args, *exclusive_args])
    floor = await home_feed.floor_of(conn, account_id)
    if floor is None:
        return await _walked_home(conn, account_id, rules, page)
    return await home_feed.read(
        conn,
        account_id,
        page,
        floor,
        rules,
        lambda older: _walked_home(conn, account_id, rules, older),
    )


async def _walked_home(conn: Reader, account_id: int, rules: Sql, page: Page) -> list[Status]:
    """The home page read from the statuses themselves (fedi.db.walk)."""
    followed = (
        "SELECT followed_id AS account_id FROM follows WHERE follower_id = ? AND state = 'accepted'"
    )
    timeline = Timeline(
        member=(
            f"s.account_id = ? OR (s.account_id IN ({followed}){SHOWN_TO_FOLLOWERS})"
            f" OR s.id IN (SELECT status_id FROM mentions WHERE account_id = ?){_FOLLOWED_TAG}",
            [account_id, account_id, account_id, account_id],
        ),
        rules=rules,
        sources=(
            by_account(account_id),
            by_accounts((followed, [account_id]), (SHOWN_TO_FOLLOWERS, [])),
            _mentions_of(account_id),
            _followed_tags_of(account_id),
        ),
    )
    return await read(conn, timeline, page)


async def public(
    conn: Reader,
    local: bool | None,
    page: Page,
    viewer_id: int | None = None,
    only_media: bool = False,
) -> list[Status]:
    hidden, hidden_args = _viewer_rules(viewer_id, public=True)
    if local is None:
        condition: Sql = (PUBLIC, [])
        index = "statuses_public"
    else:
        condition = (f"{PUBLIC} AND s.is_local = ?", [int(local)])
        index = "statuses_public_local"
    rules = (f"{_local_only_rule(viewer_id)}{hidden}", hidden_args)
    source = (
        _with_media(condition)
        if only_media
        else ordered(f"statuses s INDEXED BY {index}", "s.id", condition)
    )
    return await read(conn, Timeline(member=None, rules=rules, sources=(source,)), page)


@dataclass(frozen=True)
class TagQuery:
    """Mastodon's hashtag timeline: the tag or any of `any`, with all of `all`, none of `none`."""

    any: tuple[str, ...]
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    local: bool | None = None
    only_media: bool = False


async def tag(conn: Reader, query: TagQuery, page: Page, viewer_id: int | None) -> list[Status]:
    hidden, hidden_args = _viewer_rules(viewer_id, public=True)
    every = "".join(
        " AND EXISTS (SELECT 1 FROM status_tags t2 WHERE t2.status_id = s.id AND t2.name = ?)"
        for _ in query.all
    )
    without = (
        " AND NOT EXISTS (SELECT 1 FROM status_tags t3 WHERE t3.status_id = s.id AND t3.name IN"
        f" ({', '.join('?' for _ in query.none)}))"
        if query.none
        else ""
    )
    local = None if query.local is None else int(query.local)
    condition: Sql = (f"{PUBLIC} AND (? IS NULL OR s.is_local = ?)", [local, local])
    rules = (
        f"{_local_only_rule(viewer_id)}{every}{without}"
        f"{HAS_MEDIA if query.only_media else ''}{hidden}",
        [*query.all, *query.none, *hidden_args],
    )
    sources = tuple(_tagged(name, condition) for name in dict.fromkeys(query.any))
    return await read(conn, Timeline(member=None, rules=rules, sources=sources), page)


def _list_condition(owned: UserList) -> tuple[str, list[object]]:
    """Posts and boosts by the list's members (followed, not merely requested) that the owner
    may see, with replies kept as the list's replies_policy says (Mastodon FeedManager): a
    self-reply or a reply to the owner always; `followed`: replies to accounts the owner
    follows; `list`: replies to list members; `none`: no other replies."""
    owner = owned.account_id
    return (
        f"s.account_id IN ({_LIST_MEMBERS})"
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


_LIST_MEMBERS = (
    "SELECT la.account_id AS account_id FROM list_accounts la"
    " LEFT JOIN follows f ON f.id = la.follow_id"
    " WHERE la.list_id = ? AND (la.follow_id IS NULL OR f.state = 'accepted')"
)


async def list_timeline(conn: Reader, owned: UserList, page: Page) -> list[Status]:
    """A list's timeline, newest first (see _list_condition), without what the owner hides."""
    condition, condition_args = _list_condition(owned)
    hidden, hidden_args = _viewer_rules(owned.account_id)
    timeline = Timeline(
        member=(condition, condition_args),
        rules=(hidden, hidden_args),
        sources=(by_accounts((_LIST_MEMBERS, [owned.id]), (f" AND {condition}", condition_args)),),
    )
    return await read(conn, timeline, page)


async def in_list(conn: Reader, owned: UserList, status_id: int) -> bool:
    """Whether a post belongs on the list's timeline (for its live stream)."""
    condition, condition_args = _list_condition(owned)
    cursor = await conn.execute(
        f"SELECT 1 FROM statuses s WHERE {condition} AND s.id = ?", (*condition_args, status_id)
    )
    return await cursor.fetchone() is not None
