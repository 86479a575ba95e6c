"""What moderators do with a report: assign it to themselves or unassign it, write notes, change
its category, resolve and reopen it. Every step is audited in the same transaction."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import reports
from fedi.db.connection import Connection
from fedi.db.reports import Report
from fedi.moderation.reports import ReportError, audit_report

MAX_NOTE = 500


class ReportNotFound(Exception):
    """No report has this id."""


async def get_report(context: Context, report_id: int) -> Report:
    async with context.db.read() as conn:
        report = await reports.get(conn, report_id)
    if report is None:
        raise ReportNotFound(report_id)
    return report


async def _change(
    context: Context, report_id: int, actor: Account, action: str, change: str
) -> Report:
    report = await get_report(context, report_id)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        if change == "assign":
            reports.set_assigned(conn, report.id, actor.id, now)
        elif change == "unassign":
            reports.set_assigned(conn, report.id, None, now)
        elif change == "resolve":
            reports.set_resolved(conn, report.id, actor.id, now, now)
        else:
            reports.set_resolved(conn, report.id, None, None, now)
        audit_report(conn, actor, action, report.id, now)

    await context.db.write(write)
    return await get_report(context, report_id)


async def assign_to_self(context: Context, report_id: int, actor: Account) -> Report:
    return await _change(context, report_id, actor, "assigned_to_self_report", "assign")


async def unassign(context: Context, report_id: int, actor: Account) -> Report:
    return await _change(context, report_id, actor, "unassigned_report", "unassign")


async def resolve(context: Context, report_id: int, actor: Account) -> Report:
    return await _change(context, report_id, actor, "resolve_report", "resolve")


async def reopen(context: Context, report_id: int, actor: Account) -> Report:
    return await _change(context, report_id, actor, "reopen_report", "reopen")


async def add_note(context: Context, report_id: int, actor: Account, content: str) -> None:
    report = await get_report(context, report_id)
    content = content.strip()
    if not content:
        raise ReportError.of("text", "ERR_BLANK", "a note cannot be empty", is_sentence=True)
    if len(content) > MAX_NOTE:
        raise ReportError.of(
            "text", "ERR_TOO_LONG", f"a note is at most {MAX_NOTE} characters", is_sentence=True
        )
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        reports.add_note(conn, report.id, actor.id, content, now)
        audit_report(conn, actor, "create_report_note", report.id, now)

    await context.db.write(write)


async def update_category(
    context: Context, report_id: int, actor: Account, category: str, rule_ids: tuple[str, ...]
) -> Report:
    report = await get_report(context, report_id)
    if category not in reports.CATEGORIES:
        raise ReportError.of("category", "ERR_INCLUSION", "is not included in the list")
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        reports.update_category(conn, report.id, category, rule_ids, now)
        audit_report(conn, actor, "update_report", report.id, now, reason=category)

    await context.db.write(write)
    return await get_report(context, report_id)
