"""The admin API for reports, as Mastodon's: list (resolved, account_id, target_account_id,
paging), one, update (category, rule_ids), assign_to_self, unassign, resolve, reopen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.admin.base import staff_only
from fedi.api.admin.entities import admin_report_json
from fedi.api.base import APIError, Caller, Endpoint, routes
from fedi.api.paging import id_param, limit_of, link_header
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Account
from fedi.db import reports
from fedi.db.reports import Report, ReportQuery
from fedi.moderation import report_workflow
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


async def _report(request: Request) -> Report:
    report_id = parse_id(request.path_params["report_id"])
    try:
        return await report_workflow.get_report(context_of(request), report_id or 0)
    except report_workflow.ReportNotFound:
        raise APIError(404, "Record not found") from None


@staff_only("admin:read:reports")
async def list_reports(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    params = caller.params
    resolved = params.get_bool("resolved")
    query = ReportQuery(
        resolved=None if resolved and params.get_bool("unresolved") else resolved,
        account_id=id_param(params, "account_id"),
        target_account_id=id_param(params, "target_account_id"),
        max_id=id_param(params, "max_id"),
        min_id=id_param(params, "min_id"),
        since_id=id_param(params, "since_id"),
        limit=limit_of(params, 100, 200),
    )
    async with context.db.read() as conn:
        found = await reports.page(conn, query)
    body = [await admin_report_json(context, r, caller.user) for r in found]
    return JSONResponse(body, headers=link_header(request, [r.id for r in found]))


@staff_only("admin:read:reports")
async def one_report(request: Request, caller: Caller) -> Response:
    report = await _report(request)
    return JSONResponse(await admin_report_json(context_of(request), report, caller.user))


@staff_only("admin:write:reports")
async def update_report(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    report = await _report(request)
    params = caller.params
    rule_ids = params.get_list("rule_ids")
    category = params.get("category") or report.category
    changed = await report_workflow.update_category(
        context,
        report.id,
        caller.user.account,
        category,
        tuple(str(r) for r in rule_ids)[:20] if rule_ids else report.rule_ids,
    )  # fmt: skip  (a ReportError is the route's 422)
    return JSONResponse(await admin_report_json(context, changed, caller.user))


Change = Callable[[Context, int, Account], Awaitable[Report]]


def _step(name: str, change: Change) -> Endpoint:
    @staff_only("admin:write:reports")
    async def step(request: Request, caller: Caller) -> Response:
        context = context_of(request)
        report = await _report(request)
        changed = await change(context, report.id, caller.user.account)
        return JSONResponse(await admin_report_json(context, changed, caller.user))

    step.__name__ = name
    return step


admin_report_routes = [
    *routes("/api/v1/admin/reports", list_reports, ["GET"]),
    *routes("/api/v1/admin/reports/{report_id}", one_report, ["GET"]),
    *routes("/api/v1/admin/reports/{report_id}", update_report, ["PUT"]),
    *routes(
        "/api/v1/admin/reports/{report_id}/assign_to_self",
        _step("assign_to_self", report_workflow.assign_to_self),
        ["POST"],
    ),
    *routes(
        "/api/v1/admin/reports/{report_id}/unassign",
        _step("unassign", report_workflow.unassign),
        ["POST"],
    ),
    *routes(
        "/api/v1/admin/reports/{report_id}/resolve",
        _step("resolve", report_workflow.resolve),
        ["POST"],
    ),
    *routes(
        "/api/v1/admin/reports/{report_id}/reopen",
        _step("reopen", report_workflow.reopen),
        ["POST"],
    ),
]
