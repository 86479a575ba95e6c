"""The member's feeds: home (whom they follow, their lists' members, their own posts) and the
instance's public posts; both read by the same queries as the client API's timelines."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.db import timelines
from fedi.web.member.feeds import compose_for, feed_page, page_asked
from fedi.web.member.gate import member_or_sign_in
from fedi.web.state import context_of, pages_of


async def home(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    async with context.db.read_now() as conn:
        items = await timelines.home(conn, viewer.account.id, page_asked(request))
    locale = pages_of(request).locale_for(request)
    return await feed_page(
        request, viewer, items, "home", title=locale.gettext("Home"),
        compose=await compose_for(request, viewer), live=True,
    )  # fmt: skip


async def local(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    async with context.db.read_now() as conn:
        items = await timelines.public(conn, True, page_asked(request), viewer.account.id)
    locale = pages_of(request).locale_for(request)
    return await feed_page(
        request, viewer, items, "public", title=locale.gettext("This server"),
        compose=await compose_for(request, viewer), live=False,
    )  # fmt: skip


routes = [
    Route("/home", home, methods=["GET"]),
    Route("/local", local, methods=["GET"]),
]
