"""Filters v2 from the API: a member's filters with their keywords (created and edited through
`keywords_attributes[]`, `_destroy` removing one); and the v1 view, where each keyword is a
filter of its own (Mastodon 4.2 still serves it). Another member's filter is not found (404)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import (
    APIError,
    Caller,
    Params,
    ValidationFailed,
    authorized,
    owned_by_caller,
    routes,
)  # fmt: skip
from fedi.api.filtering import filter_json
from fedi.core.ids import parse_id
from fedi.core.timeutil import from_db, to_api, to_db, utcnow
from fedi.core.validation import BASE, Invalid, too_long
from fedi.db import filters as filters_db
from fedi.db.connection import Connection
from fedi.db.filters import Filter, FilterChange, Keyword
from fedi.statuses.timeline_rules import WHERE
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

MAX_TITLE = 256
MAX_KEYWORD = 256
MAX_FILTERS = 200  # per member
MAX_KEYWORDS = 200  # per filter
MAX_EXPIRES_IN = 100 * 366 * 86400
ACTIONS = ("warn", "hide")
TOO_MANY_FILTERS = f"You cannot have more than {MAX_FILTERS} filters"
TOO_MANY_KEYWORDS = f"is too long (maximum is {MAX_KEYWORDS} keywords)"


def not_found() -> APIError:
    return APIError(404, "Record not found")


def text_param(params: Params, name: str, cap: int) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise ValidationFailed.of(name, "ERR_BLANK", "can't be blank")
    if len(value) > cap:
        raise ValidationFailed.of(name, "ERR_TOO_LONG", too_long(cap))
    return value


def contexts_param(params: Params, required: bool) -> tuple[str, ...] | None:
    given = params.get_list("context")
    if not given:
        if required:
            raise ValidationFailed.of("context", "ERR_BLANK", "can't be blank")
        return None
    wanted = tuple(dict.fromkeys(str(c) for c in given[: len(WHERE) * 2]))
    if any(c not in WHERE for c in wanted) or len(given) > len(WHERE) * 2:
        raise ValidationFailed.of("context", "ERR_INCLUSION", "contains invalid values")
    return wanted


def expires_param(params: Params) -> str | None:
    """None: not given; "": never expires; else the moment it expires."""
    if "expires_in" not in params.values:
        return None
    raw = params.get("expires_in") or ""
    if raw.strip() in ("", "null"):
        return ""
    if not raw.strip().isdigit() or len(raw.strip()) > 12:
        raise ValidationFailed.of("expires_in", "ERR_INVALID", "must be a number of seconds")
    seconds = min(int(raw), MAX_EXPIRES_IN)
    return to_db(utcnow() + timedelta(seconds=seconds))


def action_param(params: Params) -> str | None:
    action = params.get("filter_action")
    if action is not None and action not in ACTIONS:
        raise ValidationFailed.of("filter_action", "ERR_INCLUSION", "is not included in the list")
    return action


def bool_of(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "on", "yes")


_ITEM = re.compile(r"^\[(\d{0,4})\]\[(\w{1,20})\]$")


def keyword_attributes(params: Params) -> list[dict[str, Any]]:
    """`keywords_attributes[]` as a list of hashes: JSON objects, or Rails form keys
    (`keywords_attributes[][keyword]=…` or `keywords_attributes[0][keyword]=…`)."""
    items = [i for i in params.values.get("keywords_attributes[]", []) if isinstance(i, dict)]
    by_index: dict[str, dict[str, Any]] = {}
    for key, values in params.nested("keywords_attributes").items():
        match = _ITEM.match(key)
        if match is None:
            continue
        index, field = match[1], match[2]
        for position, value in enumerate(values):
            slot = index if index else f"#{position}"
            by_index.setdefault(slot, {})[field] = value
    items += [by_index[k] for k in sorted(by_index, key=lambda k: (k[0] == "#", len(k), k))]
    if len(items) > MAX_KEYWORDS:
        raise ValidationFailed.of("keywords", "ERR_TOO_LONG", TOO_MANY_KEYWORDS)
    return items


def keyword_text(value: Any) -> str:
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValidationFailed.of("keyword", "ERR_BLANK", "can't be blank")
    if len(text) > MAX_KEYWORD:
        raise ValidationFailed.of("keyword", "ERR_TOO_LONG", too_long(MAX_KEYWORD))
    return text


async def owned_filter(request: Request, caller: Caller, name: str = "filter_id") -> Filter:
    return await owned_by_caller(request, caller, name, filters_db.get_filter)


async def _reload(request: Request, caller: Caller, filter_id: int) -> Filter:
    async with context_of(request).db.read() as conn:
        found = await filters_db.get_filter(conn, caller.user.account.id, filter_id)
    if found is None:
        raise not_found()
    return found


@authorized("read:filters")
async def index(request: Request, caller: Caller) -> Response:
    async with context_of(request).db.read() as conn:
        found = await filters_db.filters_of(conn, caller.user.account.id)
    return JSONResponse([filter_json(f) for f in found])


@authorized("read:filters")
async def show(request: Request, caller: Caller) -> Response:
    return JSONResponse(filter_json(await owned_filter(request, caller)))


@authorized("write:filters")
async def create(request: Request, caller: Caller) -> Response:
    params = caller.params
    title = text_param(params, "title", MAX_TITLE)
    if title is None:
        raise ValidationFailed.of("title", "ERR_BLANK", "can't be blank")
    contexts = contexts_param(params, required=True)
    assert contexts is not None
    action = action_param(params) or "warn"
    expires = expires_param(params) or None
    words = [
        (keyword_text(item.get("keyword")), bool_of(item.get("whole_word"), True))
        for item in keyword_attributes(params)
    ]
    owner, now = caller.user.account.id, to_db(utcnow())

    def write(conn: Connection) -> int:
        if filters_db.count_filters(conn, owner) >= MAX_FILTERS:
            raise Invalid.of(BASE, "ERR_INVALID", TOO_MANY_FILTERS)
        filter_id = filters_db.insert_filter(conn, owner, title, contexts, action, expires, now)
        for word, whole in words:
            filters_db.insert_keyword(conn, filter_id, word, whole, now)
        return filter_id

    filter_id = await context_of(request).db.write(write)  # past a limit: Invalid, a 422
    return JSONResponse(filter_json(await _reload(request, caller, filter_id)))


@authorized("write:filters")
async def update(request: Request, caller: Caller) -> Response:
    found = await owned_filter(request, caller)
    params = caller.params
    change = FilterChange(
        title=text_param(params, "title", MAX_TITLE),
        contexts=contexts_param(params, required=False),
        action=action_param(params),
        expires_at=expires_param(params),
    )
    edits: list[tuple[int | None, str | None, bool | None, bool]] = []
    for item in keyword_attributes(params):
        keyword_id = parse_id(str(item["id"])) if item.get("id") not in (None, "") else None
        if item.get("id") not in (None, "") and keyword_id is None:
            raise not_found()
        if bool_of(item.get("_destroy"), False):
            edits.append((keyword_id, None, None, True))
            continue
        given = "keyword" in item or keyword_id is None
        word = keyword_text(item.get("keyword")) if given else None
        whole = bool_of(item.get("whole_word"), True) if "whole_word" in item else None
        edits.append((keyword_id, word, whole, False))
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        filters_db.update_filter(conn, found.id, change)
        for keyword_id, word, whole, destroy in edits:
            if keyword_id is None:
                if not destroy and word is not None:
                    filters_db.insert_keyword(
                        conn, found.id, word, True if whole is None else whole, now
                    )
            elif destroy:
                filters_db.delete_keyword(conn, found.id, keyword_id)
            elif not filters_db.update_keyword(conn, found.id, keyword_id, word, whole):
                raise LookupError(keyword_id)  # another filter's keyword: not found
        if filters_db.count_keywords(conn, found.id) > MAX_KEYWORDS:
            raise Invalid.of("keywords", "ERR_TOO_LONG", TOO_MANY_KEYWORDS)

    try:
        await context_of(request).db.write(write)
    except LookupError:
        raise not_found() from None
    return JSONResponse(filter_json(await _reload(request, caller, found.id)))


@authorized("write:filters")
async def destroy(request: Request, caller: Caller) -> Response:
    found = await owned_filter(request, caller)
    owner = caller.user.account.id
    await context_of(request).db.write(lambda conn: filters_db.delete_filter(conn, owner, found.id))
    return JSONResponse({})


# v1: one filter per keyword, its id the keyword's id (Mastodon 4's compatibility view).


def v1_json(found: Filter, keyword: Keyword) -> dict[str, Any]:
    return {
        "id": str(keyword.id),
        "phrase": keyword.keyword,
        "context": list(found.contexts),
        "whole_word": keyword.whole_word,
        "expires_at": to_api(from_db(found.expires_at)) if found.expires_at else None,
        "irreversible": found.action == "hide",
    }


async def _v1_owned(request: Request, caller: Caller) -> tuple[Filter, Keyword]:
    keyword_id = parse_id(request.path_params["keyword_id"])
    owner = caller.user.account.id
    async with context_of(request).db.read() as conn:
        keyword = await filters_db.get_keyword(conn, owner, keyword_id) if keyword_id else None
        found = await filters_db.get_filter(conn, owner, keyword.filter_id) if keyword else None
    if keyword is None or found is None:
        raise not_found()
    return found, keyword


@authorized("read:filters")
async def v1_index(request: Request, caller: Caller) -> Response:
    async with context_of(request).db.read() as conn:
        found = await filters_db.filters_of(conn, caller.user.account.id)
    return JSONResponse([v1_json(f, k) for f in found for k in f.keywords])


@authorized("read:filters")
async def v1_show(request: Request, caller: Caller) -> Response:
    return JSONResponse(v1_json(*await _v1_owned(request, caller)))


@authorized("write:filters")
async def v1_create(request: Request, caller: Caller) -> Response:
    params = caller.params
    phrase = keyword_text(params.get("phrase"))
    contexts = contexts_param(params, required=True)
    assert contexts is not None
    action = "hide" if params.get_bool("irreversible") else "warn"
    expires = expires_param(params) or None
    whole = params.get_bool("whole_word", default=True)
    owner, now = caller.user.account.id, to_db(utcnow())

    def write(conn: Connection) -> int:
        if filters_db.count_filters(conn, owner) >= MAX_FILTERS:
            raise Invalid.of(BASE, "ERR_INVALID", TOO_MANY_FILTERS)
        filter_id = filters_db.insert_filter(conn, owner, phrase, contexts, action, expires, now)
        return filters_db.insert_keyword(conn, filter_id, phrase, whole, now).id

    keyword_id = await context_of(request).db.write(write)  # past a limit: Invalid, a 422
    async with context_of(request).db.read() as conn:
        keyword = await filters_db.get_keyword(conn, owner, keyword_id)
        found = await filters_db.get_filter(conn, owner, keyword.filter_id) if keyword else None
    if keyword is None or found is None:
        raise not_found()
    return JSONResponse(v1_json(found, keyword))


@authorized("write:filters")
async def v1_update(request: Request, caller: Caller) -> Response:
    found, keyword = await _v1_owned(request, caller)
    params = caller.params
    phrase = keyword_text(params.get("phrase")) if params.get("phrase") is not None else None
    whole = params.get_bool("whole_word") if params.get("whole_word") is not None else None
    irreversible = params.get("irreversible")
    change = FilterChange(
        contexts=contexts_param(params, required=False),
        action=None
        if irreversible is None
        else ("hide" if params.get_bool("irreversible") else "warn"),
        expires_at=expires_param(params),
    )
    if len(found.keywords) > 1 and (change.contexts or change.action or change.expires_at):
        # A v2 filter with several keywords cannot be reshaped through one of them.
        raise ValidationFailed.of(
            BASE, "ERR_UNSUPPORTED", "this filter has several keywords: change it through v2"
        )

    def write(conn: Connection) -> None:
        filters_db.update_keyword(conn, found.id, keyword.id, phrase, whole)
        filters_db.update_filter(conn, found.id, change)

    await context_of(request).db.write(write)
    found, keyword = await _v1_owned(request, caller)
    return JSONResponse(v1_json(found, keyword))


@authorized("write:filters")
async def v1_destroy(request: Request, caller: Caller) -> Response:
    found, keyword = await _v1_owned(request, caller)
    owner = caller.user.account.id

    def write(conn: Connection) -> None:
        filters_db.delete_keyword(conn, found.id, keyword.id)
        if len(found.keywords) == 1 and not found.statuses:
            filters_db.delete_filter(conn, owner, found.id)  # nothing left of a v1 filter

    await context_of(request).db.write(write)
    return JSONResponse({})


filter_routes = [
    *routes("/api/v2/filters", index, ["GET"]),
    *routes("/api/v2/filters", create, ["POST"]),
    *routes("/api/v2/filters/{filter_id}", show, ["GET"]),
    *routes("/api/v2/filters/{filter_id}", update, ["PUT"]),
    *routes("/api/v2/filters/{filter_id}", destroy, ["DELETE"]),
    *routes("/api/v1/filters", v1_index, ["GET"]),
    *routes("/api/v1/filters", v1_create, ["POST"]),
    *routes("/api/v1/filters/{keyword_id}", v1_show, ["GET"]),
    *routes("/api/v1/filters/{keyword_id}", v1_update, ["PUT"]),
    *routes("/api/v1/filters/{keyword_id}", v1_destroy, ["DELETE"]),
]
