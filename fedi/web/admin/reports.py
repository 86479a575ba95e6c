"""The reports pages (/admin/reports): open and resolved lists, and a report's page with the
reported posts, notes, assign/unassign/resolve/reopen, and actions on the reported account
(warn, limit, suspend, delete the reported posts). Staff only; forms carry CSRF tokens and come
back to the report's page (303, ?done=)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Account, User
from fedi.db import reports, statuses
from fedi.db.reports import Report, ReportQuery
from fedi.moderation import account_actions as moderation
from fedi.moderation import report_workflow
from fedi.moderation.reports import ReportError
from fedi.web.admin.base import render_admin, staff_viewer
from fedi.web.forms import check_csrf, read_form
from fedi.web.people import people
from fedi.web.state import context_of
from fedi.web.views import post_view

STEPS = {
    "assign": report_workflow.assign_to_self,
    "unassign": report_workflow.unassign,
    "resolve": report_workflow.resolve,
    "reopen": report_workflow.reopen,
}
Take = Callable[[Context, moderation.Decision, Account], Awaitable[object]]
ACTIONS: dict[str, Take] = {
    "warn": moderation.warn,
    "silence": moderation.silence,
    "suspend": moderation.suspend,
    "delete_posts": moderation.delete_reported_posts,
}


async def list_reports(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    resolved = request.query_params.get("resolved") == "1"
    async with context.db.read() as conn:
        found = await reports.page(conn, ReportQuery(resolved=resolved, limit=200))
    ids: set[int | None] = set()
    for r in found:
        ids |= {r.account_id, r.target_account_id, r.assigned_account_id}
    return render_admin(
        request, "reports.html", viewer, "reports", reports=found, resolved=resolved,
        names=await people(context, ids),
    )  # fmt: skip


async def _report(request: Request) -> Report:
    try:
        return await report_workflow.get_report(
            context_of(request), parse_id(request.path_params["report_id"]) or 0
        )
    except report_workflow.ReportNotFound:
        raise HTTPException(404, "no such report") from None


async def show_report(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    return await _render(request, viewer, await _report(request))


async def _render(
    request: Request, viewer: User, report: Report, error: str = "", status_code: int = 200
) -> Response:
    context = context_of(request)
    async with context.db.read() as conn:
        found = [await statuses.get_by_id(conn, s) for s in report.status_ids]
        notes = await reports.notes(conn, report.id)
    ids = {report.account_id, report.target_account_id, report.assigned_account_id,
           report.action_taken_by_account_id, *(n.account_id for n in notes)}  # fmt: skip
    return render_admin(
        request, "reports_show.html", viewer, "reports", status_code, report=report,
        posts=[post_view(s) for s in found if s is not None], notes=notes,
        names=await people(context, ids), error=error,
    )  # fmt: skip


async def _form(request: Request) -> dict[str, str]:
    form = await read_form(request)
    check_csrf(request, form, context_of(request).settings.base_url)
    return form


async def report_step(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    form = await _form(request)
    report = await _report(request)
    step = request.path_params["step"]
    context = context_of(request)
    if step == "note":
        try:
            await report_workflow.add_note(context, report.id, viewer.account, form.get("note", ""))
        except ReportError as exc:
            return await _render(request, viewer, report, str(exc), 422)
    elif step in STEPS:
        await STEPS[step](context, report.id, viewer.account)
    else:
        raise HTTPException(404, "no such step")
    return RedirectResponse(f"/admin/reports/{report.id}?done={step}", 303)


async def report_action(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    form = await _form(request)
    report = await _report(request)
    context = context_of(request)
    take = ACTIONS.get(form.get("action", ""))
    target = await moderation.get_account(context, report.target_account_id)
    if take is None or target is None:
        return await _render(request, viewer, report, "unknown action", 422)
    decision = moderation.Decision(
        actor=viewer.account, text=form.get("text", "").strip(), report_id=report.id
    )
    try:
        await take(context, decision, target)
    except moderation.ModerationError as exc:
        return await _render(request, viewer, report, str(exc), 422)
    return RedirectResponse(f"/admin/reports/{report.id}?done={form['action']}", 303)


routes = [
    Route("/admin/reports", list_reports, methods=["GET"]),
    Route("/admin/reports/{report_id}", show_report, methods=["GET"]),
    Route("/admin/reports/{report_id}/action", report_action, methods=["POST"]),
    Route("/admin/reports/{report_id}/{step}", report_step, methods=["POST"]),
]
