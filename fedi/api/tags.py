"""The hashtag timeline: public posts with a tag (or any of `any[]`, with all of `all[]`, none
of `none[]`), local or remote, with media only; open to anyone, as Mastodon's is by default. A
logged-in viewer's mutes, blocks and public-context filters apply."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import Params, public_read, routes
from fedi.api.filtering import optional_viewer, statuses_json
from fedi.api.paging import page_of
from fedi.api.statuses import link_header
from fedi.db import timelines
from fedi.statuses.search import tag_name
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

PER_MODE = 4  # Mastodon's TagFeed::LIMIT_PER_MODE


def _tags(params: Params, name: str) -> tuple[str, ...]:
    found = [tag_name(t) for t in params.get_list(name)[:PER_MODE]]
    return tuple(dict.fromkeys(t for t in found if t))


@public_read
async def tag_timeline(request: Request, params: Params) -> Response:
    context = context_of(request)
    viewer = await optional_viewer(request)
    main = tag_name(request.path_params["hashtag"])
    if main is None:
        return JSONResponse([])
    local = True if params.get_bool("local") else (False if params.get_bool("remote") else None)
    query = timelines.TagQuery(
        any=tuple(dict.fromkeys((main, *_tags(params, "any")))),
        all=_tags(params, "all"),
        none=_tags(params, "none"),
        local=local,
        only_media=params.get_bool("only_media"),
    )
    async with context.db.read_now() as conn:
        items = await timelines.tag(
            conn, query, page_of(params), viewer.account.id if viewer else None
        )
    body = await statuses_json(context, items, viewer, "public")
    return JSONResponse(body, headers=link_header(request, items))


tag_routes = [*routes("/api/v1/timelines/tag/{hashtag}", tag_timeline, ["GET"])]
