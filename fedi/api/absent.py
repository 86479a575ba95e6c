"""Features this server deliberately does not offer, answered the way Mastodon answers when it
has nothing to show, so that apps render an empty screen instead of an error:

- announcements: the instance publishes none;
- trends and follow suggestions: not computed, because they would expose what members read and
  whom they follow, which our members' safety forbids.

Each answers only what is true for this server; none of them accepts writes.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import Caller, Params, authorized, public, routes
from fedi.web.responses import JSONResponse


def _empty_for_members(scope: str, body: Any) -> Any:
    @authorized(scope)
    async def endpoint(request: Request, caller: Caller) -> Response:
        return JSONResponse(body)

    return endpoint


def _empty(body: Any) -> Any:
    @public
    async def endpoint(request: Request, params: Params) -> Response:
        return JSONResponse(body)

    return endpoint


absent_routes = [
    *routes("/api/v1/announcements", _empty_for_members("read", []), ["GET"]),
    *routes("/api/v2/suggestions", _empty_for_members("read", []), ["GET"]),
    *routes("/api/v1/suggestions", _empty_for_members("read", []), ["GET"]),
    *routes("/api/v1/trends", _empty([]), ["GET"]),
    *routes("/api/v1/trends/tags", _empty([]), ["GET"]),
    *routes("/api/v1/trends/statuses", _empty([]), ["GET"]),
    *routes("/api/v1/trends/links", _empty([]), ["GET"]),
]
