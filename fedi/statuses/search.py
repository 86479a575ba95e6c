"""What a search finds besides people: hashtags by the start of their name, and a post by its
address (ours, one this server holds, or fetched from its origin when asked to resolve), shown
only to a viewer who may see it (fedi.statuses.visibility), as the client API shows it."""

from __future__ import annotations

import re

from fedi.context import Context
from fedi.core.html import tag_name
from fedi.core.ids import parse_id
from fedi.core.models import Status, User
from fedi.db import statuses, tag_search
from fedi.federation.remote_posts import fetch_status, is_ours, status_by_uri
from fedi.statuses.visibility import visible_to

_PAGE_PATH = re.compile(r"^/@[^/@]+/(\d{1,20})$")


def is_address(query: str) -> bool:
    return query.startswith(("https://", "http://"))


async def find_hashtags(context: Context, query: str, limit: int = 10) -> list[tuple[str, int]]:
    """(tag, uses) of the public tags starting with the query ("#name" or "name")."""
    name = tag_name(query)
    if name is None:
        return []
    async with context.db.read() as conn:
        return await tag_search.search(conn, name, limit)


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
