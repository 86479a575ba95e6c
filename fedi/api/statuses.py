"""Statuses: post (with visibility, content warning, language and reply), get and delete; and
the home and public timelines with Link headers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.oauth import token_for
from fedi.api import paging
from fedi.api.base import (
    APIError,
    Caller,
    Params,
    ValidationFailed,
    authorized,
    bearer_of,
    public_read,
    routes,
)  # fmt: skip
from fedi.api.entities import status_json
from fedi.api.filtering import optional_viewer, statuses_body
from fedi.api.media import media_ids_param
from fedi.api.paging import id_param, page_of
from fedi.api.poll_fields import poll_request_from
from fedi.api.scheduled_statuses import scheduled_json
from fedi.core.ids import parse_id
from fedi.core.models import Status, User
from fedi.core.timeutil import from_db, to_api, to_db, utcnow
from fedi.db import idempotency_keys, preferences, statuses, timelines
from fedi.statuses import visibility
from fedi.statuses.posting import VISIBILITIES, delete_status, edit_status, post_status
from fedi.statuses.scheduled import schedule
from fedi.statuses.translation.languages import language_tag
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


def link_header(request: Request, items: list[Status]) -> dict[str, str]:
    """The Link header for a page of statuses, newest first."""
    return paging.link_header(request, [status.id for status in items])


async def visible_to(request: Request, status: Status, viewer: User | None) -> bool:
    """Whether the viewer (a member of this instance, or None for anyone) may see the post."""
    return await visibility.visible_to(context_of(request), status, viewer)


def local_only_param(params: Params) -> bool:
    """`local_only` (GoToSocial's name): true or false, as JSON, a form or the query string."""
    if params.values.get("local_only[]") or params.nested("local_only"):
        raise ValidationFailed.of("local_only", "ERR_INVALID", "must be true or false")
    raw = (params.get("local_only") or "").strip().lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise ValidationFailed.of("local_only", "ERR_INVALID", "must be true or false")


@authorized("write:statuses")
async def create(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    params = caller.params
    async with context.db.read_now() as conn:
        defaults = await preferences.posting_defaults(conn, caller.user.account.id)
    visibility = params.get("visibility") or defaults.visibility
    if visibility not in VISIBILITIES:
        raise ValidationFailed.of("visibility", "ERR_INCLUSION", "is not included in the list")
    poll = poll_request_from(params)
    local_only = local_only_param(params)
    # As Mastodon: a language that is no language code is ignored, and a post without one is in
    # the member's posting language, else their interface language, else the server's.
    language = (
        language_tag(params.get("language"))
        or defaults.language
        or caller.user.locale
        or context.settings.default_locale
    )
    if when := params.get("scheduled_at"):
        # Kept for later (at least five minutes ahead): never posted now (Mastodon).
        scheduled = await schedule(
            context, caller.user, when, text=params.get("status", "") or "",
            visibility=visibility, spoiler_text=params.get("spoiler_text", "") or "",
            language=language,
            in_reply_to_id=id_param(params, "in_reply_to_id"),
            media_ids=media_ids_param(params), poll=poll, local_only=local_only,
        )  # fmt: skip
        return JSONResponse((await scheduled_json(context, [scheduled]))[0])
    key = request.headers.get("idempotency-key", "")[:128]
    if key:
        # An app retrying after a lost answer gets the post it made, not a second one.
        async with context.db.read_now() as conn:
            earlier = await idempotency_keys.status_for(conn, caller.user.account.id, key)
            earlier_status = await statuses.get_by_id(conn, earlier) if earlier else None
        if earlier_status is not None:
            return JSONResponse(await status_json(context, earlier_status, caller.user))
    # A refused post (PostError, PollError) is the route's 422 with its details.
    status = await post_status(
        context,
        caller.user.account.username,
        params.get("status", "") or "",
        visibility,
        params.get("spoiler_text", "") or "",
        language,
        in_reply_to_id=id_param(params, "in_reply_to_id"),
        media_ids=media_ids_param(params),
        poll=poll,
        local_only=local_only,
    )
    if key:
        account_id, now = caller.user.account.id, to_db(utcnow())
        await context.db.write(
            lambda conn: idempotency_keys.remember(conn, account_id, key, status.id, now)
        )
    return JSONResponse(await status_json(context, status, caller.user))


@authorized("write:statuses")
async def edit(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    status = await _visible(request, caller.user)
    if status.account_id != caller.user.account.id:
        raise APIError(404, "Record not found")
    edited = await edit_status(
        context, caller.user.account.username, status.id,
        caller.params.get("status", "") or "", caller.params.get("spoiler_text", "") or "",
        media_ids=media_ids_param(caller.params),  # as Mastodon: none given removes them
    )  # fmt: skip
    return JSONResponse(await status_json(context, edited, caller.user))


@authorized("read:statuses")
async def source(request: Request, caller: Caller) -> Response:
    status = await _visible(request, caller.user)
    if status.account_id != caller.user.account.id:
        raise APIError(404, "Record not found")
    return JSONResponse(
        {
            "id": str(status.id),
            "text": status.source_text or "",
            "spoiler_text": status.spoiler_text,
        }
    )


@public_read
async def history(request: Request, params: Params) -> Response:
    """Every version of a post, oldest first, the current one last (Mastodon StatusEdit)."""
    context = context_of(request)
    bearer = bearer_of(request)
    token = await token_for(context, bearer) if bearer else None
    status = await _visible(request, token.user if token else None)
    current = await status_json(context, status, None)
    async with context.db.read_now() as conn:
        earlier = await statuses.edits(conn, status.id)
    versions = [
        {"content": content, "spoiler_text": spoiler, "sensitive": bool(spoiler),
         "created_at": to_api(from_db(created)), "account": current["account"],
         "media_attachments": [], "emojis": []}
        for content, spoiler, created in earlier
    ]  # fmt: skip
    versions.append(
        {key: current[key] for key in ("content", "spoiler_text", "sensitive", "account",
                                       "media_attachments", "emojis")}
        | {"created_at": current["edited_at"] or current["created_at"]}
    )  # fmt: skip
    return JSONResponse(versions)


async def _visible(request: Request, viewer: User | None) -> Status:
    status_id = parse_id(request.path_params["status_id"])
    async with context_of(request).db.read_now() as conn:
        status = await statuses.get_by_id(conn, status_id) if status_id is not None else None
    if status is None or not await visible_to(request, status, viewer):
        raise APIError(404, "Record not found")
    return status


@public_read
async def show(request: Request, params: Params) -> Response:
    bearer = bearer_of(request)
    token = await token_for(context_of(request), bearer) if bearer else None
    viewer = token.user if token else None
    status = await _visible(request, viewer)
    return JSONResponse(await status_json(context_of(request), status, viewer))


@authorized("write:statuses")
async def destroy(request: Request, caller: Caller) -> Response:
    status = await _visible(request, caller.user)
    if status.account_id != caller.user.account.id:
        raise APIError(404, "Record not found")
    context = context_of(request)
    body: dict[str, Any] = await status_json(context, status, caller.user)
    await delete_status(context, caller.user.account.username, status.id)
    body["text"] = status.source_text or ""
    return JSONResponse(body)


@authorized("read:statuses")
async def home(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    async with context.db.read_now() as conn:
        items = await timelines.home(conn, caller.user.account.id, page_of(caller.params))
    body = await statuses_body(context, items, caller.user, "home")
    return Response(body, media_type=JSONResponse.media_type, headers=link_header(request, items))


@public_read
async def public_timeline(request: Request, params: Params) -> Response:
    context = context_of(request)
    local = True if params.get_bool("local") else (False if params.get_bool("remote") else None)
    viewer = await optional_viewer(request)
    async with context.db.read_now() as conn:
        items = await timelines.public(
            conn, local, page_of(params), viewer.account.id if viewer else None,
            params.get_bool("only_media"),
        )  # fmt: skip
    body = await statuses_body(context, items, viewer, "public")
    return Response(body, media_type=JSONResponse.media_type, headers=link_header(request, items))


status_routes = [
    *routes("/api/v1/statuses", create, ["POST"]),
    *routes("/api/v1/statuses/{status_id}", show, ["GET"]),
    *routes("/api/v1/statuses/{status_id}", destroy, ["DELETE"]),
    *routes("/api/v1/statuses/{status_id}", edit, ["PUT"]),
    *routes("/api/v1/statuses/{status_id}/source", source, ["GET"]),
    *routes("/api/v1/statuses/{status_id}/history", history, ["GET"]),
    *routes("/api/v1/timelines/home", home, ["GET"]),
    *routes("/api/v1/timelines/public", public_timeline, ["GET"]),
]
