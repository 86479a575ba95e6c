"""POST /api/v1/reports: a member reports an account and some of its posts (Mastodon's Report
entity back). The posts must be the account's and visible to the reporter; anything else is the
same 404 as a missing post."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, authorized, routes
from fedi.api.entities import account_json
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Account
from fedi.core.timeutil import to_api
from fedi.db import accounts, reports
from fedi.db.reports import Report
from fedi.moderation.reports import NoSuchPost, ReportForm, file_report, reported_posts
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


def report_fields(report: Report) -> dict[str, Any]:
    """What the Report and AdminReport entities share."""
    return {
        "id": str(report.id),
        "action_taken": report.is_resolved,
        "action_taken_at": to_api(report.action_taken_at),
        "category": report.category,
        "comment": report.comment,
        "forwarded": report.is_forwarded,
        "created_at": to_api(report.created_at),
    }


async def report_json(context: Context, report: Report, target: Account) -> dict[str, Any]:
    return report_fields(report) | {
        "status_ids": [str(s) for s in report.status_ids] or None,
        "rule_ids": list(report.rule_ids) or None,
        "target_account": await account_json(context, target),
    }


@authorized("write:reports")
async def create_report(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    params = caller.params
    target_id = parse_id(params.get("account_id") or "")
    async with context.db.read() as conn:
        target = await accounts.get_by_id(conn, target_id) if target_id else None
    if target is None or (target.is_local and target.actor_type == "Application"):
        raise APIError(404, "Record not found")
    try:
        reported = await reported_posts(context, caller.user, target, params.get_list("status_ids"))
    except NoSuchPost:
        raise APIError(404, "Record not found") from None
    form = ReportForm(
        comment=params.get("comment") or "",
        category=params.get("category") or ("violation" if params.get_list("rule_ids") else
                                            "other"),
        rule_ids=tuple(str(r) for r in params.get_list("rule_ids"))[:20],
        forward=params.get_bool("forward"),
        forward_to_domains=tuple(str(d) for d in params.get_list("forward_to_domains"))[:20],
    )  # fmt: skip
    # A ReportError is the route's 422, with its details.
    report_id = await file_report(context, caller.user, target, reported, form)
    async with context.db.read() as conn:
        report = await reports.get(conn, report_id)
    assert report is not None
    return JSONResponse(await report_json(context, report, target))


report_routes = [*routes("/api/v1/reports", create_report, ["POST"])]
