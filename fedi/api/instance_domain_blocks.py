"""GET /api/v1/instance/domain_blocks, as Mastodon's: the domains this server limits or
suspends (domain, digest, severity, comment), an obfuscated rule shown obfuscated. Who may read
it is the instance setting show_domain_blocks: 'all', 'users' (a valid token) or 'none'; a reader
who may not gets Mastodon's 404."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.oauth import token_for
from fedi.api.admin.domain_blocks import digest
from fedi.api.base import APIError, Params, bearer_of, public, routes
from fedi.core.models import DomainBlock
from fedi.db import domain_rules as rules
from fedi.moderation.domain_rules import show_domain_blocks
from fedi.transport.domains import obfuscate
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

SEVERITY_ORDER = {"suspend": 0, "silence": 1}


def public_json(block: DomainBlock) -> dict[str, Any]:
    return {
        "domain": obfuscate(block.domain) if block.obfuscate else block.domain,
        "digest": digest(block.domain),
        "severity": block.severity,
        "comment": block.public_comment or None,
    }


@public
async def domain_blocks(request: Request, params: Params) -> Response:
    context = context_of(request)
    shown = await show_domain_blocks(context)
    if shown == "none":
        raise APIError(404, "Record not found")
    if shown == "users":
        bearer = bearer_of(request)
        token = await token_for(context, bearer) if bearer else None
        if token is None or token.user is None:
            raise APIError(404, "Record not found")
    async with context.db.read() as conn:
        found = [b for b in await rules.all_blocks(conn) if b.severity in SEVERITY_ORDER]
    found.sort(key=lambda b: (SEVERITY_ORDER[b.severity], b.domain))
    return JSONResponse([public_json(b) for b in found])


instance_domain_block_routes = routes("/api/v1/instance/domain_blocks", domain_blocks, ["GET"])
