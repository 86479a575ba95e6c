"""The posts a member kept: their bookmarks and their favourites, newest saved first, read by the
same queries as the client API's lists (fedi.db.listings) and paged by when each was saved."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.models import Status
from fedi.db import listings
from fedi.db.connection import Reader
from fedi.db.timelines import Page
from fedi.web.member.feeds import feed_page, page_asked
from fedi.web.member.gate import member_or_sign_in
from fedi.web.state import context_of, pages_of


def _(message: str) -> str:
    """Marks a message for the catalogues; it is translated when the page is rendered."""
    return message


Listing = Callable[[Reader, int, Page], Awaitable[list[tuple[int, Status]]]]


async def _saved(request: Request, listing: Listing, kind: str, title: str) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    async with context_of(request).db.read_now() as conn:
        rows = await listing(conn, viewer.account.id, page_asked(request))
    locale = pages_of(request).locale_for(request)
    return await feed_page(
        request, viewer, [status for _, status in rows], None, title=locale.gettext(title),
        template="member/saved.html", page_ids=[row_id for row_id, _ in rows], kind=kind,
    )  # fmt: skip


async def bookmarked(request: Request) -> Response:
    return await _saved(request, listings.bookmarks, "bookmarks", _("Bookmarks"))


async def favourited(request: Request) -> Response:
    return await _saved(request, listings.favourites, "favourites", _("Favourites"))


routes = [
    Route("/bookmarks", bookmarked, methods=["GET"]),
    Route("/favourites", favourited, methods=["GET"]),
]
