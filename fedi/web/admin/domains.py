"""The administration pages for domain rules: /admin/domain_blocks (the blocks with their
source; add, edit and delete) and /admin/federation (the allowlist switch, for administrators;
the allowed domains; who may read the public blocklist). Staff only; every form carries a CSRF
token; each POST makes one change through fedi.moderation.domain_rules and comes back (303)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.core.ids import parse_id
from fedi.core.models import User
from fedi.db import domain_rules as rules
from fedi.db.domain_rules import BlockFields
from fedi.moderation import domain_rules as moderation
from fedi.moderation.domain_rules import DomainRuleError
from fedi.web.admin.base import render_admin, staff_viewer
from fedi.web.forms import check_csrf, read_form
from fedi.web.state import context_of


def back(path: str, **query: str) -> Response:
    return RedirectResponse(f"{path}?{urlencode(query)}", 303)


async def checked_form(
    request: Request, *, admin: bool = False
) -> tuple[User, dict[str, str]] | Response:
    viewer = await staff_viewer(request, admin=admin)
    if isinstance(viewer, Response):
        return viewer
    form = await read_form(request)
    check_csrf(request, form, context_of(request).settings.base_url)
    return viewer, form


async def domain_blocks(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    async with context_of(request).db.read() as conn:
        blocks = await rules.all_blocks(conn)
    blocks.sort(key=lambda b: b.domain)
    edit_id = parse_id(request.query_params.get("edit", ""))
    editing = next((b for b in blocks if b.id == edit_id), None)
    return render_admin(
        request, "domain_blocks.html", viewer, "domain_blocks", blocks=blocks, editing=editing,
        severities=moderation.SEVERITIES, error=request.query_params.get("error", ""),
    )  # fmt: skip


async def save_block(request: Request) -> Response:
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    fields = BlockFields(
        severity=form.get("severity", ""),
        reject_media=form.get("reject_media") == "on",
        reject_reports=form.get("reject_reports") == "on",
        obfuscate=form.get("obfuscate") == "on",
        private_comment=form.get("private_comment", "").strip(),
        public_comment=form.get("public_comment", "").strip(),
    )
    try:
        await moderation.block_domain(
            context_of(request), viewer.account, form.get("domain", ""), fields
        )
    except DomainRuleError as exc:
        return back("/admin/domain_blocks", error=exc.code)
    return back("/admin/domain_blocks", done="saved")


async def delete_block(request: Request) -> Response:
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    block_id = parse_id(request.path_params["block_id"])
    context = context_of(request)
    async with context.db.read() as conn:
        block = await rules.get_block(conn, block_id) if block_id is not None else None
    if block is not None:
        await moderation.unblock_domain(context, viewer.account, block)
    return back("/admin/domain_blocks", done="deleted")


async def federation(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    async with context.db.read() as conn:
        allows = await rules.all_allows(conn)
        mode = await rules.get_setting(conn, rules.ALLOWLIST_MODE)
    allows.sort(key=lambda a: a.domain)
    return render_admin(
        request, "federation.html", viewer, "federation", allows=allows,
        allowlist=mode == "on", show=await moderation.show_domain_blocks(context),
        show_choices=moderation.SHOW_CHOICES, error=request.query_params.get("error", ""),
    )  # fmt: skip


async def set_mode(request: Request) -> Response:
    checked = await checked_form(request, admin=True)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    on = form.get("mode") == "allowlist"
    await moderation.set_allowlist_mode(context_of(request), viewer.account, on)
    return back("/admin/federation", done="mode")


async def set_show(request: Request) -> Response:
    checked = await checked_form(request, admin=True)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    try:
        await moderation.set_show_domain_blocks(
            context_of(request), viewer.account, form.get("show", "")
        )
    except DomainRuleError as exc:
        return back("/admin/federation", error=exc.code)
    return back("/admin/federation", done="show")


async def add_allow(request: Request) -> Response:
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    try:
        await moderation.allow_domain(context_of(request), viewer.account, form.get("domain", ""))
    except DomainRuleError as exc:
        return back("/admin/federation", error=exc.code)
    return back("/admin/federation", done="allowed")


async def delete_allow(request: Request) -> Response:
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    allow_id = parse_id(request.path_params["allow_id"])
    context = context_of(request)
    async with context.db.read() as conn:
        allow = await rules.get_allow(conn, allow_id) if allow_id is not None else None
    if allow is not None:
        await moderation.disallow_domain(context, viewer.account, allow)
    return back("/admin/federation", done="disallowed")


routes = [
    Route("/admin/domain_blocks", domain_blocks, methods=["GET"]),
    Route("/admin/domain_blocks", save_block, methods=["POST"]),
    Route("/admin/domain_blocks/{block_id}/delete", delete_block, methods=["POST"]),
    Route("/admin/federation", federation, methods=["GET"]),
    Route("/admin/federation/mode", set_mode, methods=["POST"]),
    Route("/admin/federation/show_domain_blocks", set_show, methods=["POST"]),
    Route("/admin/federation/allows", add_allow, methods=["POST"]),
    Route("/admin/federation/allows/{allow_id}/delete", delete_allow, methods=["POST"]),
]
