"""The admin API for domain blocks, as Mastodon's (/api/v1/admin/domain_blocks): list (paged,
newest first, with Link headers), show, create (POST; 422 when the domain, or a parent domain,
already has a block at least as strict), update (PUT) and delete. Scopes
admin:read:domain_blocks and admin:write:domain_blocks; administrators and moderators only.
Every change goes through fedi.moderation.domain_rules (audited)."""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.admin.base import staff_only
from fedi.api.base import APIError, Caller, Params, ValidationFailed, routes
from fedi.api.paging import link_header, page_of
from fedi.core.ids import parse_id
from fedi.core.models import DomainBlock
from fedi.core.timeutil import to_api
from fedi.core.validation import BASE
from fedi.db import domain_rules as rules
from fedi.db.domain_rules import BlockFields
from fedi.moderation.domain_rules import (
    DomainRuleError,
    block_domain,
    checked_domain,
    unblock_domain,
    update_block,
)
from fedi.transport.domains import rule_for
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

MAX_PAGE = 500  # Mastodon: 100 by default, at most 500


def digest(domain: str) -> str:
    return hashlib.sha256(domain.encode()).hexdigest()


def block_json(block: DomainBlock) -> dict[str, Any]:
    return {
        "id": str(block.id),
        "domain": block.domain,
        "digest": digest(block.domain),
        "created_at": to_api(block.created_at),
        "severity": block.severity,
        "reject_media": block.reject_media,
        "reject_reports": block.reject_reports,
        "private_comment": block.private_comment or None,
        "public_comment": block.public_comment or None,
        "obfuscate": block.obfuscate,
    }


def stricter_than(new: BlockFields, other: DomainBlock) -> bool:
    """Mastodon's DomainBlock#stricter_than?."""
    if new.severity == "suspend":
        return True
    if other.severity == "suspend" or (other.severity == "silence" and new.severity == "noop"):
        return False
    return (new.reject_media or not other.reject_media) and (
        new.reject_reports or not other.reject_reports
    )


def fields_from(params: Params, current: DomainBlock | None) -> BlockFields:
    def text(name: str, default: str) -> str:
        value = params.get(name)
        return default if value is None else value.strip()

    return BlockFields(
        severity=text("severity", current.severity if current else "silence"),
        reject_media=params.get_bool("reject_media", current.reject_media if current else False),
        reject_reports=params.get_bool(
            "reject_reports", current.reject_reports if current else False
        ),
        obfuscate=params.get_bool("obfuscate", current.obfuscate if current else False),
        private_comment=text("private_comment", current.private_comment if current else ""),
        public_comment=text("public_comment", current.public_comment if current else ""),
    )


async def found_block(request: Request) -> DomainBlock:
    block_id = parse_id(request.path_params["block_id"])
    async with context_of(request).db.read() as conn:
        block = await rules.get_block(conn, block_id) if block_id is not None else None
    if block is None:
        raise APIError(404, "Record not found")
    return block


@staff_only("admin:read:domain_blocks")
async def index(request: Request, caller: Caller) -> Response:
    page = page_of(caller.params, default=100, maximum=MAX_PAGE)
    async with context_of(request).db.read() as conn:
        found = await rules.blocks_page(conn, page)
    return JSONResponse(
        [block_json(b) for b in found], headers=link_header(request, [b.id for b in found])
    )


@staff_only("admin:read:domain_blocks")
async def show(request: Request, caller: Caller) -> Response:
    return JSONResponse(block_json(await found_block(request)))


@staff_only("admin:write:domain_blocks")
async def create(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    fields = fields_from(caller.params, None)
    try:
        domain = checked_domain(context, caller.params.get("domain") or "")
        async with context.db.read() as conn:
            existing = rule_for(domain, {b.domain: b for b in await rules.all_blocks(conn)})
        if existing is not None and (
            existing.domain == domain or not stricter_than(fields, existing)
        ):
            return JSONResponse(
                {
                    "error": f"You have already imposed stricter limits on {existing.domain}.",
                    "existing_domain_block": block_json(existing),
                },
                status_code=422,
            )
        block = await block_domain(context, caller.user.account, domain, fields)
    except DomainRuleError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return JSONResponse(block_json(block))


@staff_only("admin:write:domain_blocks")
async def update(request: Request, caller: Caller) -> Response:
    block = await found_block(request)
    try:
        changed = await update_block(
            context_of(request), caller.user.account, block, fields_from(caller.params, block)
        )
    except DomainRuleError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return JSONResponse(block_json(changed))


@staff_only("admin:write:domain_blocks")
async def destroy(request: Request, caller: Caller) -> Response:
    block = await found_block(request)
    await unblock_domain(context_of(request), caller.user.account, block)
    return JSONResponse({})


admin_domain_block_routes = [
    *routes("/api/v1/admin/domain_blocks", index, ["GET"]),
    *routes("/api/v1/admin/domain_blocks", create, ["POST"]),
    *routes("/api/v1/admin/domain_blocks/{block_id}", show, ["GET"]),
    *routes("/api/v1/admin/domain_blocks/{block_id}", update, ["PUT"]),
    *routes("/api/v1/admin/domain_blocks/{block_id}", destroy, ["DELETE"]),
]
