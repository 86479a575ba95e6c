"""A filter's keywords and statuses from the API (Mastodon's /api/v2/filters/:id/keywords and
/statuses, and /api/v2/filters/keywords/:id and /statuses/:id). Every id is looked up among the
caller's own filters, so another member's keyword or status filter is not found (404)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import Caller, authorized, owned_by_caller, routes
from fedi.api.filters import (
    MAX_KEYWORDS,
    TOO_MANY_KEYWORDS,
    bool_of,
    keyword_text,
    not_found,
    owned_filter,
)
from fedi.api.statuses import visible_to
from fedi.core.ids import parse_id
from fedi.core.timeutil import to_db, utcnow
from fedi.core.validation import Invalid
from fedi.db import filters as filters_db
from fedi.db import statuses
from fedi.db.connection import Connection
from fedi.db.filters import FilterStatus, Keyword
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

MAX_STATUSES = 200  # per filter


def keyword_json(keyword: Keyword) -> dict[str, Any]:
    return {"id": str(keyword.id), "keyword": keyword.keyword, "whole_word": keyword.whole_word}


def status_json(row: FilterStatus) -> dict[str, Any]:
    return {"id": str(row.id), "status_id": str(row.status_id)}


async def _keyword(request: Request, caller: Caller) -> Keyword:
    return await owned_by_caller(request, caller, "keyword_id", filters_db.get_keyword)


async def _status(request: Request, caller: Caller) -> FilterStatus:
    return await owned_by_caller(request, caller, "row_id", filters_db.get_status)


@authorized("read:filters")
async def keywords(request: Request, caller: Caller) -> Response:
    found = await owned_filter(request, caller)
    return JSONResponse([keyword_json(k) for k in found.keywords])


@authorized("write:filters")
async def add_keyword(request: Request, caller: Caller) -> Response:
    found = await owned_filter(request, caller)
    word = keyword_text(caller.params.get("keyword"))
    whole = bool_of(caller.params.get("whole_word"), True)
    now = to_db(utcnow())

    def write(conn: Connection) -> Keyword:
        if filters_db.count_keywords(conn, found.id) >= MAX_KEYWORDS:
            raise Invalid.of("keywords", "ERR_TOO_LONG", TOO_MANY_KEYWORDS)
        return filters_db.insert_keyword(conn, found.id, word, whole, now)

    created = await context_of(request).db.write(write)  # past a limit: Invalid, a 422
    return JSONResponse(keyword_json(created))


@authorized("read:filters")
async def show_keyword(request: Request, caller: Caller) -> Response:
    return JSONResponse(keyword_json(await _keyword(request, caller)))


@authorized("write:filters")
async def update_keyword(request: Request, caller: Caller) -> Response:
    found = await _keyword(request, caller)
    params = caller.params
    word = keyword_text(params.get("keyword")) if params.get("keyword") is not None else None
    whole = bool_of(params.get("whole_word"), True) if params.get("whole_word") else None
    await context_of(request).db.write(
        lambda conn: filters_db.update_keyword(conn, found.filter_id, found.id, word, whole)
    )
    return JSONResponse(keyword_json(await _keyword(request, caller)))


@authorized("write:filters")
async def delete_keyword(request: Request, caller: Caller) -> Response:
    found = await _keyword(request, caller)
    await context_of(request).db.write(
        lambda conn: filters_db.delete_keyword(conn, found.filter_id, found.id)
    )
    return JSONResponse({})


@authorized("read:filters")
async def filter_statuses(request: Request, caller: Caller) -> Response:
    found = await owned_filter(request, caller)
    return JSONResponse([status_json(s) for s in found.statuses])


@authorized("write:filters")
async def add_status(request: Request, caller: Caller) -> Response:
    found = await owned_filter(request, caller)
    status_id = parse_id(caller.params.get("status_id") or "")
    async with context_of(request).db.read() as conn:
        status = await statuses.get_by_id(conn, status_id) if status_id is not None else None
    if status is None or not await visible_to(request, status, caller.user):
        raise not_found()
    now = to_db(utcnow())

    def write(conn: Connection) -> int:
        if len(found.statuses) >= MAX_STATUSES:
            limit = f"is too long (maximum is {MAX_STATUSES} statuses)"
            raise Invalid.of("statuses", "ERR_TOO_LONG", limit)
        return filters_db.insert_status(conn, found.id, status.id, now)

    row_id = await context_of(request).db.write(write)  # past a limit: Invalid, a 422
    return JSONResponse(status_json(FilterStatus(row_id, found.id, status.id)))


@authorized("read:filters")
async def show_status(request: Request, caller: Caller) -> Response:
    return JSONResponse(status_json(await _status(request, caller)))


@authorized("write:filters")
async def delete_status(request: Request, caller: Caller) -> Response:
    found = await _status(request, caller)
    await context_of(request).db.write(
        lambda conn: filters_db.delete_status(conn, found.filter_id, found.id)
    )
    return JSONResponse({})


# Before the /api/v2/filters/{filter_id} routes, so `keywords` and `statuses` are not ids.
filter_rule_routes = [
    *routes("/api/v2/filters/keywords/{keyword_id}", show_keyword, ["GET"]),
    *routes("/api/v2/filters/keywords/{keyword_id}", update_keyword, ["PUT"]),
    *routes("/api/v2/filters/keywords/{keyword_id}", delete_keyword, ["DELETE"]),
    *routes("/api/v2/filters/statuses/{row_id}", show_status, ["GET"]),
    *routes("/api/v2/filters/statuses/{row_id}", delete_status, ["DELETE"]),
    *routes("/api/v2/filters/{filter_id}/keywords", keywords, ["GET"]),
    *routes("/api/v2/filters/{filter_id}/keywords", add_keyword, ["POST"]),
    *routes("/api/v2/filters/{filter_id}/statuses", filter_statuses, ["GET"]),
    *routes("/api/v2/filters/{filter_id}/statuses", add_status, ["POST"]),
]
