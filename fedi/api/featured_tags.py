"""Mastodon's featured_tags resource: the caller's featured hashtags (list, feature, unfeature,
suggestions) and any account's, for its profile."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import (
    APIError,
    Caller,
    Params,
    ValidationFailed,
    authorized,
    public_read,
    routes,
)
from fedi.api.relationships import target_account
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.validation import BASE
from fedi.db.featured_tags import Featured
from fedi.relationships import featured_tags
from fedi.relationships.featured_tags import FeatureError
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


def featured_json(context: Context, found: Featured) -> dict[str, Any]:
    """Mastodon's FeaturedTag entity."""
    return {
        "id": str(found.id),
        "name": found.name,
        "url": context.urls.tag(found.name),
        "statuses_count": str(found.statuses_count),
        "last_status_at": found.last_status_at,
    }


@authorized("read:accounts")
async def index(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    found = await featured_tags.featured_of(context, caller.user.account)
    return JSONResponse([featured_json(context, f) for f in found])


@authorized("write:accounts")
async def create(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    try:
        made = await featured_tags.feature(context, caller.user, caller.params.get("name") or "")
    except FeatureError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return JSONResponse(featured_json(context, made))


@authorized("write:accounts")
async def destroy(request: Request, caller: Caller) -> Response:
    feature_id = parse_id(request.path_params["feature_id"])
    if feature_id is None or not await featured_tags.unfeature(
        context_of(request), caller.user, feature_id
    ):
        raise APIError(404, "Record not found")
    return JSONResponse({})


@authorized("read:accounts")
async def suggestions(request: Request, caller: Caller) -> Response:
    """Mastodon lists Tag entities of the member's recently used hashtags."""
    context = context_of(request)
    names = await featured_tags.suggestions(context, caller.user)
    return JSONResponse([{"name": n, "url": context.urls.tag(n), "history": []} for n in names])


@public_read
async def of_account(request: Request, params: Params) -> Response:
    context = context_of(request)
    account = await target_account(request)
    found = await featured_tags.featured_of(context, account)
    return JSONResponse([featured_json(context, f) for f in found])


featured_routes = [
    *routes("/api/v1/featured_tags", index, ["GET"]),
    *routes("/api/v1/featured_tags", create, ["POST"]),
    *routes("/api/v1/featured_tags/suggestions", suggestions, ["GET"]),
    *routes("/api/v1/featured_tags/{feature_id}", destroy, ["DELETE"]),
    *routes("/api/v1/accounts/{account_id}/featured_tags", of_account, ["GET"]),
]
