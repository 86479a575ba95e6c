"""The admin API for allowed domains, as Mastodon's (/api/v1/admin/domain_allows: list, show,
create, delete; scopes admin:read:domain_allows and admin:write:domain_allows), and one route of
our own, for administrators only:

    GET /api/v1/admin/federation          (admin:read:domain_allows)  -> {"mode": "open"}
    PUT /api/v1/admin/federation {"mode": "open"|"allowlist"}  (admin:write:domain_allows)

switches limited federation (allowlist mode) at run time; Mastodon only has it as a
configuration flag. Every change goes through fedi.moderation.domain_rules (audited)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.admin.base import staff_only
from fedi.api.base import APIError, Caller, ValidationFailed, routes
from fedi.api.paging import link_header, page_of
from fedi.core.ids import parse_id
from fedi.core.models import DomainAllow
from fedi.core.timeutil import to_api
from fedi.core.validation import BASE
from fedi.db import domain_rules as rules
from fedi.moderation.domain_rules import (
    DomainRuleError,
    allow_domain,
    disallow_domain,
    set_allowlist_mode,
)
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


def allow_json(allow: DomainAllow) -> dict[str, Any]:
    return {"id": str(allow.id), "domain": allow.domain, "created_at": to_api(allow.created_at)}


async def found_allow(request: Request) -> DomainAllow:
    allow_id = parse_id(request.path_params["allow_id"])
    async with context_of(request).db.read() as conn:
        allow = await rules.get_allow(conn, allow_id) if allow_id is not None else None
    if allow is None:
        raise APIError(404, "Record not found")
    return allow


@staff_only("admin:read:domain_allows")
async def index(request: Request, caller: Caller) -> Response:
    page = page_of(caller.params, default=100, maximum=500)
    async with context_of(request).db.read() as conn:
        found = await rules.allows_page(conn, page)
    return JSONResponse(
        [allow_json(a) for a in found], headers=link_header(request, [a.id for a in found])
    )


@staff_only("admin:read:domain_allows")
async def show(request: Request, caller: Caller) -> Response:
    return JSONResponse(allow_json(await found_allow(request)))


@staff_only("admin:write:domain_allows")
async def create(request: Request, caller: Caller) -> Response:
    try:
        allow = await allow_domain(
            context_of(request), caller.user.account, caller.params.get("domain") or ""
        )
    except DomainRuleError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return JSONResponse(allow_json(allow))


@staff_only("admin:write:domain_allows")
async def destroy(request: Request, caller: Caller) -> Response:
    allow = await found_allow(request)
    await disallow_domain(context_of(request), caller.user.account, allow)
    return JSONResponse({})


async def _mode_json(request: Request) -> Response:
    async with context_of(request).db.read() as conn:
        on = await rules.get_setting(conn, rules.ALLOWLIST_MODE) == "on"
    return JSONResponse({"mode": "allowlist" if on else "open"})


@staff_only("admin:read:domain_allows", admin=True)
async def federation_mode(request: Request, caller: Caller) -> Response:
    return await _mode_json(request)


@staff_only("admin:write:domain_allows", admin=True)
async def set_federation_mode(request: Request, caller: Caller) -> Response:
    mode = caller.params.get("mode")
    if mode not in ("open", "allowlist"):
        raise ValidationFailed.of("mode", "ERR_INCLUSION", "is not included in the list")
    await set_allowlist_mode(context_of(request), caller.user.account, mode == "allowlist")
    return await _mode_json(request)


admin_domain_allow_routes = [
    *routes("/api/v1/admin/domain_allows", index, ["GET"]),
    *routes("/api/v1/admin/domain_allows", create, ["POST"]),
    *routes("/api/v1/admin/domain_allows/{allow_id}", show, ["GET"]),
    *routes("/api/v1/admin/domain_allows/{allow_id}", destroy, ["DELETE"]),
    *routes("/api/v1/admin/federation", federation_mode, ["GET"]),
    *routes("/api/v1/admin/federation", set_federation_mode, ["PUT"]),
]
