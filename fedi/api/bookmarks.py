"""A member's own lists and settings: bookmarks, pins, favourites, read markers, preferences and
the (empty) custom emoji list."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import Caller, Params, ValidationFailed, authorized, public, routes
from fedi.api.entities import status_entity, status_json
from fedi.api.interactions import visible_status
from fedi.api.paging import link_header, page_of
from fedi.core.timeutil import from_db, to_api, to_db, utcnow
from fedi.core.validation import BASE
from fedi.db import bookmarks, listings, preferences
from fedi.db.connection import Connection
from fedi.statuses.batch import load
from fedi.statuses.posting import pin_status
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


def _toggle(scope: str, add: bool, kind: str) -> Any:
    @authorized(scope)
    async def endpoint(request: Request, caller: Caller) -> Response:
        context = context_of(request)
        status = await visible_status(request, caller.user)
        account_id, now = caller.user.account.id, to_db(utcnow())
        if kind == "bookmark":
            if add:
                await context.db.write(
                    lambda conn: bookmarks.add_bookmark(conn, account_id, status.id, now)
                )
            else:
                await context.db.write(
                    lambda conn: bookmarks.remove_bookmark(conn, account_id, status.id)
                )
        elif add:
            if status.account_id != account_id:
                raise ValidationFailed.of(BASE, "ERR_INVALID", "only your own posts can be pinned")
            await pin_status(context, caller.user.account.username, status.id)
        else:
            await context.db.write(lambda conn: bookmarks.unpin(conn, account_id, status.id))
        return JSONResponse(await status_json(context, status, caller.user))

    return endpoint


def _listing(scope: str, query: Any) -> Any:
    @authorized(scope)
    async def endpoint(request: Request, caller: Caller) -> Response:
        context = context_of(request)
        async with context.db.read_now() as conn:
            rows = await query(conn, caller.user.account.id, page_of(caller.params))
        shown = [s for _, s in rows]
        batch = await load(context, shown, caller.user.account)
        body = [
            status_entity(context, batch, s, caller.user)
            for s in shown
            if batch.may_see_group_post(s) is not False  # left the group
        ]
        return JSONResponse(body, headers=link_header(request, [row_id for row_id, _ in rows]))

    return endpoint


@authorized("read:statuses")
async def get_markers(request: Request, caller: Caller) -> Response:
    wanted = set(caller.params.get_list("timeline")) or {"home", "notifications"}
    async with context_of(request).db.read_now() as conn:
        rows = await bookmarks.markers(conn, caller.user.account.id)
    return JSONResponse(
        {
            timeline: {
                "last_read_id": last,
                "version": version,
                "updated_at": to_api(from_db(updated)),
            }
            for timeline, last, version, updated in rows
            if timeline in wanted
        }
    )


@authorized("write:statuses")
async def set_markers(request: Request, caller: Caller) -> Response:
    now = to_db(utcnow())
    account_id = caller.user.account.id
    updates: list[tuple[str, str]] = []
    for timeline in ("home", "notifications"):
        last = caller.params.get(f"{timeline}[last_read_id]")
        if last:
            if not last.isdigit() or len(last) > 20:
                raise ValidationFailed.of(
                    f"{timeline}[last_read_id]", "ERR_INVALID", "is not an id"
                )
            updates.append((timeline, last))

    def write(conn: Connection) -> None:
        for timeline, last in updates:
            bookmarks.set_marker(conn, account_id, timeline, last, now)

    await context_of(request).db.write(write)
    return await get_markers(request)


@authorized("read:accounts")
async def posting_preferences(request: Request, caller: Caller) -> Response:
    async with context_of(request).db.read_now() as conn:
        defaults = await preferences.posting_defaults(conn, caller.user.account.id)
    return JSONResponse(
        {
            "posting:default:visibility": defaults.visibility,
            "posting:default:sensitive": defaults.sensitive,
            "posting:default:language": defaults.language,
            "reading:expand:media": "default",
            "reading:expand:spoilers": False,
        }
    )


@public
async def custom_emojis(request: Request, params: Params) -> Response:
    return JSONResponse([])  # this server defines no custom emoji


bookmark_routes = [
    *routes(
        "/api/v1/statuses/{status_id}/bookmark",
        _toggle("write:bookmarks", True, "bookmark"),
        ["POST"],
    ),
    *routes(
        "/api/v1/statuses/{status_id}/unbookmark",
        _toggle("write:bookmarks", False, "bookmark"),
        ["POST"],
    ),
    *routes("/api/v1/statuses/{status_id}/pin", _toggle("write:accounts", True, "pin"), ["POST"]),
    *routes(
        "/api/v1/statuses/{status_id}/unpin", _toggle("write:accounts", False, "pin"), ["POST"]
    ),
    *routes("/api/v1/bookmarks", _listing("read:bookmarks", listings.bookmarks), ["GET"]),
    *routes("/api/v1/favourites", _listing("read:favourites", listings.favourites), ["GET"]),
    *routes("/api/v1/markers", get_markers, ["GET"]),
    *routes("/api/v1/markers", set_markers, ["POST"]),
    *routes("/api/v1/preferences", posting_preferences, ["GET"]),
    *routes("/api/v1/custom_emojis", custom_emojis, ["GET"]),
]
