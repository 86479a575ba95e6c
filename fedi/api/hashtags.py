"""Mastodon's tags and followed_tags resources: a hashtag's Tag entity (with `following` for a
signed-in caller), following and unfollowing it, and the caller's followed hashtags, paged by
when they were followed. A name that cannot be a hashtag is a 404, as Mastodon answers it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, Params, authorized, public_read, routes
from fedi.api.filtering import optional_viewer
from fedi.api.paging import link_header, page_of
from fedi.context import Context
from fedi.relationships import tag_follows
from fedi.relationships.tag_follows import Tag, TagError
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

FOLLOWED_PER_PAGE = 100  # Mastodon's FollowedTagsController::TAGS_LIMIT (twice that at most)


def _midnight(day: str) -> str:
    """A day (YYYY-MM-DD, UTC) as Mastodon's history gives it: its midnight's Unix time."""
    return str(int(datetime.combine(date.fromisoformat(day), time(), UTC).timestamp()))


def tag_json(context: Context, found: Tag) -> dict[str, Any]:
    """Mastodon's Tag entity (counts as strings, as Mastodon sends them)."""
    body: dict[str, Any] = {
        "name": found.name,
        "url": context.urls.tag(found.name),
        "history": [
            {"day": _midnight(d.day), "accounts": str(d.accounts), "uses": str(d.uses)}
            for d in found.history
        ],
    }
    if found.following is not None:
        body["following"] = found.following
    return body


def _name(request: Request) -> str:
    try:
        return tag_follows.normal_name(request.path_params["name"])
    except TagError:
        raise APIError(404, "Record not found") from None


@public_read
async def show(request: Request, params: Params) -> Response:
    context = context_of(request)
    name = _name(request)
    viewer = await optional_viewer(request)
    return JSONResponse(tag_json(context, await tag_follows.tag(context, name, viewer)))


def _following(follow: bool) -> Any:
    @authorized("write:follows")
    async def endpoint(request: Request, caller: Caller) -> Response:
        context = context_of(request)
        name = _name(request)
        change = tag_follows.follow if follow else tag_follows.unfollow
        await change(context, caller.user, name)
        return JSONResponse(tag_json(context, await tag_follows.tag(context, name, caller.user)))

    return endpoint


@authorized("read:follows")
async def followed_tags(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    page = page_of(caller.params, FOLLOWED_PER_PAGE, 2 * FOLLOWED_PER_PAGE)
    rows = await tag_follows.followed(context, caller.user, page)
    found = await tag_follows.tags(context, [row.name for row in rows], caller.user)
    return JSONResponse(
        [tag_json(context, t) for t in found],
        headers=link_header(request, [row.id for row in rows]),
    )


hashtag_routes = [
    *routes("/api/v1/followed_tags", followed_tags, ["GET"]),
    *routes("/api/v1/tags/{name}", show, ["GET"]),
    *routes("/api/v1/tags/{name}/follow", _following(True), ["POST"]),
    *routes("/api/v1/tags/{name}/unfollow", _following(False), ["POST"]),
]
