"""Hashtags for members: a hashtag's page (the public posts carrying it, here and from other
servers, read by the same query as the client API's hashtag timeline and judged by the member's
mutes, blocks and public-context filters; the compose box starts with the tag; a Follow or
Unfollow form), and the page of the hashtags the member follows, each with an Unfollow form.
Following goes through fedi.relationships.tag_follows, as the client API's does."""

from __future__ import annotations

from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.html import tag_name
from fedi.db import timelines
from fedi.relationships import tag_follows
from fedi.relationships.tag_follows import TagError
from fedi.web.member.feeds import compose_for, feed_page, older_url, page_asked
from fedi.web.member.gate import back, member_form, member_or_sign_in
from fedi.web.state import context_of, pages_of

# A tag is text members wrote: isolated (FSI ... PDI) where markup cannot go, as in <title>.
ISOLATED = "\u2068#{}\u2069"
HERE = "/tags"


async def tag_page(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    name = tag_name(request.path_params["name"])
    if name is None:
        raise HTTPException(404, "no such hashtag")
    context = context_of(request)
    query = timelines.TagQuery(any=(name,))
    async with context.db.read_now() as conn:
        items = await timelines.tag(conn, query, page_asked(request), viewer.account.id)
    return await feed_page(
        request, viewer, items, "public", title=ISOLATED.format(name),
        compose=await compose_for(request, viewer, text=f"#{name} "),
        template="member/tag.html", tag=name,
        following=await tag_follows.is_following(context, viewer, name),
    )  # fmt: skip


async def followed_tags(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    rows = await tag_follows.followed(context_of(request), viewer, page_asked(request))
    locale = pages_of(request).locale_for(request)
    return pages_of(request).render(
        request,
        "member/tags.html",
        viewer=viewer,
        title=locale.gettext("Followed hashtags"),
        names=[row.name for row in rows],
        older=older_url(request, [row.id for row in rows]),
        here=HERE,
    )


async def change_following(request: Request) -> Response:
    """Follow or unfollow, then back to the page the form was on (the hashtag's by default)."""
    verb = request.path_params["verb"]
    if verb not in ("follow", "unfollow"):
        raise HTTPException(404, "no such action")
    found = await member_form(request)
    if isinstance(found, Response):
        return found
    viewer, form = found
    change = tag_follows.follow if verb == "follow" else tag_follows.unfollow
    try:
        name = await change(context_of(request), viewer, request.path_params["name"])
    except TagError:
        raise HTTPException(404, "no such hashtag") from None
    return back(form, f"/tags/{quote(name, safe='')}")


routes = [
    Route("/tags", followed_tags, methods=["GET"]),
    Route("/tags/{name}", tag_page, methods=["GET"]),
    Route("/tags/{name}/{verb}", change_following, methods=["POST"]),
]
