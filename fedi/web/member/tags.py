"""A hashtag's page for members: the public posts carrying it, here and from other servers, read
by the same query as the client API's hashtag timeline (fedi.db.timelines.tag) and judged by the
member's mutes, blocks and public-context filters; the compose box starts with the tag."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.html import tag_name
from fedi.db import timelines
from fedi.web.member.feeds import compose_for, feed_page, page_asked
from fedi.web.member.gate import member_or_sign_in
from fedi.web.state import context_of

# A tag is text members wrote: isolated (FSI ... PDI) where markup cannot go, as in <title>.
ISOLATED = "\u2068#{}\u2069"


async def tag_page(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    name = tag_name(request.path_params["name"])
    if name is None:
        raise HTTPException(404, "no such hashtag")
    query = timelines.TagQuery(any=(name,))
    async with context_of(request).db.read_now() as conn:
        items = await timelines.tag(conn, query, page_asked(request), viewer.account.id)
    return await feed_page(
        request, viewer, items, "public", title=ISOLATED.format(name),
        compose=await compose_for(request, viewer, text=f"#{name} "),
        template="member/tag.html", tag=name,
    )  # fmt: skip


routes = [Route("/tags/{name}", tag_page, methods=["GET"])]
