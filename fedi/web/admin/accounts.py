"""The accounts pages (/admin/accounts): search and list local and remote accounts; an account's
page with its warnings and reports, warn/limit/unlimit/suspend/unsuspend and, for administrators,
its role. The audit log (/admin/audit_log, administrators only), filtered by moderator or action.
Forms carry CSRF tokens and come back to their page (303, ?done=)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.accounts.members import MemberError
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import ROLES, Account, User
from fedi.db import account_warnings, admin_accounts, audit_log, reports
from fedi.db.admin_accounts import AccountQuery, StaffView
from fedi.db.reports import ReportQuery
from fedi.moderation import account_actions as moderation
from fedi.moderation.audit import ACTIONS as AUDIT_ACTIONS
from fedi.moderation.roles import change_role
from fedi.moderation.staff import is_admin
from fedi.web.admin.base import render_admin, staff_viewer
from fedi.web.forms import check_csrf, read_form
from fedi.web.people import people, person
from fedi.web.state import context_of

Take = Callable[[Context, moderation.Decision, Account], Awaitable[object]]
ACTIONS: dict[str, Take] = {
    "warn": moderation.warn,
    "silence": moderation.silence,
    "unsilence": moderation.unsilence,
    "suspend": moderation.suspend,
    "unsuspend": moderation.unsuspend,
}


async def list_accounts(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    query = request.query_params
    origin = query.get("origin") if query.get("origin") in ("local", "remote") else None
    status = query.get("status") if query.get("status") in admin_accounts.STATUSES else None
    text = (query.get("q") or "").strip()[:100]
    username, _, domain = text.lstrip("@").partition("@")
    async with context.db.read() as conn:
        found = await admin_accounts.search(
            conn, AccountQuery(origin=origin, status=status, username=username or None,
                               by_domain=domain or None, limit=100),
        )  # fmt: skip
    return render_admin(
        request, "accounts.html", viewer, "accounts", views=found, q=text, origin=origin or "",
        status=status or "", who=lambda v: person(v.account, context),
    )  # fmt: skip


async def _view(request: Request) -> StaffView:
    account_id = parse_id(request.path_params["account_id"])
    async with context_of(request).db.read() as conn:
        view = await admin_accounts.get(conn, account_id) if account_id else None
    if view is None or (view.account.is_local and view.role is None):
        raise HTTPException(404, "no such account")
    return view


async def show_account(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    return await _render(request, viewer, await _view(request))


async def _render(
    request: Request, viewer: User, view: StaffView, error: str = "", status_code: int = 200
) -> Response:
    context = context_of(request)
    async with context.db.read() as conn:
        warnings = await account_warnings.of_account(conn, view.account.id)
        about = await reports.page(conn, ReportQuery(target_account_id=view.account.id, limit=50))
    return render_admin(
        request, "accounts_show.html", viewer, "accounts", status_code, view=view,
        person=person(view.account, context), warnings=warnings, reports=about,
        names=await people(context, {w.account_id for w in warnings}), roles=ROLES, error=error,
    )  # fmt: skip


async def account_action(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    view = await _view(request)
    action = request.path_params["action"]
    if action == "role":
        if not is_admin(viewer):
            raise HTTPException(403, "only administrators change roles")
        if not view.account.is_local:
            raise HTTPException(404, "no such account")
        try:
            await change_role(context, viewer.account, view.account.username, form.get("role", ""))
        except MemberError as exc:
            return await _render(request, viewer, view, str(exc), 422)
        return RedirectResponse(f"/admin/accounts/{view.account.id}?done=role", 303)
    take = ACTIONS.get(action)
    if take is None:
        raise HTTPException(404, "no such action")
    decision = moderation.Decision(actor=viewer.account, text=form.get("text", "").strip())
    try:
        await take(context, decision, view.account)
    except moderation.ModerationError as exc:
        return await _render(request, viewer, view, str(exc), 422)
    return RedirectResponse(f"/admin/accounts/{view.account.id}?done={action}", 303)


async def show_audit_log(request: Request) -> Response:
    viewer = await staff_viewer(request, admin=True)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    moderator = parse_id(request.query_params.get("account_id", ""))
    action = request.query_params.get("action", "")
    async with context.db.read() as conn:
        entries = await audit_log.entries(
            conn, limit=200, account_id=moderator,
            action=action if action in AUDIT_ACTIONS else None,
        )  # fmt: skip
    return render_admin(
        request, "audit_log.html", viewer, "audit_log", entries=entries, actions=AUDIT_ACTIONS,
        action=action, account_id=moderator,
    )  # fmt: skip


routes = [
    Route("/admin/accounts", list_accounts, methods=["GET"]),
    Route("/admin/accounts/{account_id}", show_account, methods=["GET"]),
    Route("/admin/accounts/{account_id}/{action}", account_action, methods=["POST"]),
    Route("/admin/audit_log", show_audit_log, methods=["GET"]),
]
