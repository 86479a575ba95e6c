"""/admin/rules: administrators write the server's rules (add, edit, move up or down, delete),
each change audited; moderators read them. Every form carries a CSRF token and comes back (303)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.ids import parse_id
from fedi.moderation.instance_rules import (
    MAX_HINT,
    MAX_TEXT,
    Direction,
    RuleError,
    add_rule,
    delete_rule,
    edit_rule,
    list_rules,
    move_rule,
)
from fedi.web.admin.base import render_admin, staff_viewer
from fedi.web.admin.domains import back, checked_form
from fedi.web.state import context_of

PATH = "/admin/rules"


async def rules_page(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    rules = await list_rules(context_of(request))
    edit_id = parse_id(request.query_params.get("edit", ""))
    return render_admin(
        request, "rules.html", viewer, "rules", rules=rules,
        editing=next((r for r in rules if r.id == edit_id), None),
        error=request.query_params.get("error", ""), max_text=MAX_TEXT, max_hint=MAX_HINT,
    )  # fmt: skip


async def save_rule(request: Request) -> Response:
    checked = await checked_form(request, admin=True)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    context = context_of(request)
    text, hint = form.get("text", "")[:4000], form.get("hint", "")[:4000]
    rule_id = parse_id(form.get("rule_id", ""))
    try:
        if rule_id is None:
            await add_rule(context, viewer.account, text, hint)
        else:
            await edit_rule(context, viewer.account, rule_id, text, hint)
    except RuleError as exc:
        return back(PATH, error=exc.code)
    return back(PATH, done="saved")


async def _move(request: Request, direction: Direction) -> Response:
    checked = await checked_form(request, admin=True)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    rule_id = parse_id(request.path_params["rule_id"])
    if rule_id is not None:
        await move_rule(context_of(request), viewer.account, rule_id, direction)
    return back(PATH, done="moved")


async def move_up(request: Request) -> Response:
    return await _move(request, "up")


async def move_down(request: Request) -> Response:
    return await _move(request, "down")


async def delete(request: Request) -> Response:
    checked = await checked_form(request, admin=True)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    rule_id = parse_id(request.path_params["rule_id"])
    if rule_id is not None:
        await delete_rule(context_of(request), viewer.account, rule_id)
    return back(PATH, done="deleted")


routes = [
    Route(PATH, rules_page, methods=["GET"]),
    Route(PATH, save_rule, methods=["POST"]),
    Route(f"{PATH}/{{rule_id}}/move_up", move_up, methods=["POST"]),
    Route(f"{PATH}/{{rule_id}}/move_down", move_down, methods=["POST"]),
    Route(f"{PATH}/{{rule_id}}/delete", delete, methods=["POST"]),
]
