"""What a search finds besides people: hashtags by the start of their name, posts by their words
(the status_search full-text table) and a post by its address (ours, one this server holds, or
fetched from its origin when asked to resolve); each post shown only to a viewer who may see it
(fedi.statuses.visibility), as the client API and the search page show it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from fedi.context import Context
from fedi.core.html import tag_name
from fedi.core.ids import MAX_ID, parse_id
from fedi.core.models import Status, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import status_matches, statuses, tag_search
from fedi.db.fulltext import match_of
from fedi.federation.remote_posts import fetch_status, is_ours, status_by_uri
from fedi.statuses.batch import load
from fedi.statuses.visibility import visible_in, visible_to

_PAGE_PATH = re.compile(r"^/@[^/@]+/(\d{1,20})$")
# Matches looked at per window, and windows per search: a search costs at most this much
# however many posts match and however few of them the viewer may see.
WINDOW_MIN, WINDOW_MAX, WINDOWS = 40, 400, 4


@dataclass(frozen=True)
class PostQuery:
    """A full-text search of posts: its words, then Mastodon's parameters (account_id: by that
    account only; max_id and min_id: older than, newer than)."""

    text: str
    limit: int = 20
    offset: int = 0
    account_id: int | None = None
    max_id: int | None = None
    min_id: int | None = None


@dataclass(frozen=True)
class Kinds:
    """What a query is searched as (Mastodon's SearchService): a lone #hashtag or @handle is not
    words of posts, a #query names no one, and a query with an @ no hashtag."""

    people: bool
    hashtags: bool
    posts: bool


def kinds_of(query: str) -> Kinds:
    query = query.strip()
    lone = " " not in query and (query.startswith("#") or "@" in query)
    return Kinds(
        people=not (query.startswith("#") or ("@" in query and " " in query)),
        hashtags="@" not in query,
        posts=not lone,
    )


def is_address(query: str) -> bool:
    """An http(s) URL with a host (one that does not parse, such as "http://[::1", is words)."""
    if not query.startswith(("https://", "http://")):
        return False
    try:
        return bool(urlsplit(query).hostname)
    except ValueError:
        return False


async def find_hashtags(
    context: Context, query: str, limit: int = 10, offset: int = 0
) -> list[tuple[str, int]]:
    """(tag, uses) of the public tags starting with the query ("#name" or "name")."""
    name = tag_name(query)
    if name is None:
        return []
    async with context.db.read() as conn:
        return await tag_search.search(conn, name, limit, offset)


async def find_statuses(context: Context, query: PostQuery, viewer: User) -> list[Status]:
    """The posts with every word of the query (the last one also as the start of a word),
    newest first, that the viewer may see: found through the full-text index a window at a
    time, the window's rules applied in SQL (what the viewer may find, mutes, blocks, domain
    blocks, moderation), then each post of the window checked by fedi.statuses.visibility
    against a batch loaded once for the window (members-only spaces' posts for their members)."""
    match = match_of(query.text)
    if match is None:
        return []
    wanted = query.offset + query.limit
    size = min(max(2 * wanted, WINDOW_MIN), WINDOW_MAX)
    below, above = query.max_id or MAX_ID, query.min_id or 0
    found: list[Status] = []
    for _ in range(WINDOWS):
        async with context.db.read() as conn:
            window = await status_matches.window(
                conn, match, viewer.account.id, to_db(utcnow()), below=below, above=above,
                size=size, account_id=query.account_id,
            )  # fmt: skip
        if window.statuses:
            batch = await load(context, window.statuses, viewer.account)
            found += [s for s in window.statuses if visible_in(batch, s, viewer)]
        if len(found) >= wanted or not window.full or window.lowest is None:
            break
        below = window.lowest
    return found[query.offset : wanted]


async def status_at(context: Context, url: str, viewer: User, *, resolve: bool) -> Status | None:
    """The post with this address if the viewer may see it: fetched from its origin only when
    `resolve` (else only a post this server holds)."""
    if not is_address(url):
        return None
    status = await fetch_status(context, url) if resolve else await status_by_uri(context, url)
    if status is None and is_ours(context, url):
        status = await _by_page_address(context, url)
    if status is None or not await visible_to(context, status, viewer):
        return None
    return status


async def _by_page_address(context: Context, url: str) -> Status | None:
    """One of our posts by the address of its page (/@name/123) rather than its id."""
    path = url.split("://", 1)[-1].partition("/")[2]
    match = _PAGE_PATH.match(f"/{path}")
    status_id = parse_id(match[1]) if match else None
    if status_id is None:
        return None
    async with context.db.read() as conn:
        status = await statuses.get_by_id(conn, status_id)
    return status if status is not None and status.url == url else None
