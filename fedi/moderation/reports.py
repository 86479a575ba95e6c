"""Opening reports: a local member's (through an app), forwarded to the reported account's
server as a Flag from the instance actor when asked, and another server's (an incoming Flag)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Account, Status, User
from fedi.core.timeutil import to_db, utcnow
from fedi.core.validation import BASE, Invalid, too_long
from fedi.db import reports, statuses
from fedi.db.connection import Connection
from fedi.federation.publish import enqueue
from fedi.moderation.audit import record
from fedi.moderation.report_flags import forwarded_flags
from fedi.statuses.visibility import visible_to
from fedi.transport.domains import host_name

log = logging.getLogger(__name__)

MAX_COMMENT = 1000


MAX_STATUSES = 100


class ReportError(Invalid):
    """A report cannot be filed; the problem says why (a 422 with its details for apps)."""


class NoSuchPost(ReportError):
    """A reported post is missing, not the reported account's, or not for the reporter's eyes:
    the same answer for each (a 404 for apps)."""


@dataclass(frozen=True)
class ReportForm:
    comment: str = ""
    category: str = "other"
    rule_ids: tuple[str, ...] = ()
    forward: bool = False
    forward_to_domains: tuple[str, ...] = ()


def check_form(form: ReportForm) -> None:
    if len(form.comment) > MAX_COMMENT:
        raise ReportError.of("comment", "ERR_TOO_LONG", too_long(MAX_COMMENT))
    if form.category not in reports.CATEGORIES:
        raise ReportError.of("category", "ERR_INCLUSION", "is not included in the list")


def forward_domains(target: Account, form: ReportForm) -> list[str]:
    """The servers a forwarded report goes to: the reported account's, and any of
    forward_to_domains where this server knows an account (as accounts.domain names it)."""
    if not form.forward or target.domain is None:
        return []
    wanted = {d.strip().lower().rstrip(".") for d in form.forward_to_domains if d.strip()}
    return [target.domain, *sorted(d for d in wanted if d != target.domain.lower())]


async def reported_posts(
    context: Context, reporter: User, target: Account, raw_ids: Iterable[object]
) -> list[Status]:
    """The posts a report names: each the target's own (written, or submitted to a group) and
    visible to the reporter."""
    listed = list(raw_ids)
    if len(listed) > MAX_STATUSES:
        raise ReportError.of(
            "status_ids", "ERR_TOO_LONG", f"is too long (maximum is {MAX_STATUSES} posts)"
        )
    found: list[Status] = []
    for value in dict.fromkeys(str(v) for v in listed):
        status_id = parse_id(value)
        async with context.db.read() as conn:
            status = await statuses.get_by_id(conn, status_id) if status_id else None
        if (
            status is None
            or target.id not in (status.account_id, status.submitted_by_id)
            or status.reblog_of_id is not None
            or not await visible_to(context, status, reporter)
        ):
            raise NoSuchPost.of(BASE, "ERR_INVALID", "Record not found")
        found.append(status)
    return found


async def file_report(
    context: Context, reporter: User, target: Account, reported: list[Status], form: ReportForm
) -> int:
    """Open the report and, when forwarded, queue one Flag per server
    (fedi.moderation.report_flags)."""
    check_form(form)
    if target.id == reporter.account.id:
        raise ReportError.of(BASE, "ERR_INVALID", "You cannot report yourself")
    domains = forward_domains(target, form)
    flags = await forwarded_flags(context, target, reported, form.comment, domains)
    now = to_db(utcnow())
    new = reports.NewReport(
        account_id=reporter.account.id, target_account_id=target.id, comment=form.comment,
        category=form.category, rule_ids=form.rule_ids,
        status_ids=tuple(s.id for s in reported), uri=None, is_forwarded=bool(flags), now=now,
    )  # fmt: skip

    def write(conn: Connection) -> int:
        report_id = reports.insert(conn, new)
        for activity, audience in flags:
            enqueue(conn, context.instance_actor.id, activity, audience, now)
        return report_id

    report_id = await context.db.write(write)
    if flags:
        context.wake.outbox.set()
    return report_id


async def receive_flag(
    context: Context,
    flag_uri: str,
    sender: Account,
    target: Account,
    reported: list[Status],
    comment: str,
) -> int | None:
    """Open a report from another server; None when its domain's reports are rejected or the
    Flag was already received."""
    if sender.domain is None:
        return None
    policy = await context.policy.refresh(context.db)
    if policy.rejects_reports(host_name(sender.domain)):
        log.info("ignoring Flag %s from %s: reports from there are rejected", flag_uri, sender.uri)
        return None
    now = to_db(utcnow())
    new = reports.NewReport(
        account_id=sender.id, target_account_id=target.id, comment=comment[:MAX_COMMENT * 5],
        category="other", rule_ids=(), status_ids=tuple(s.id for s in reported), uri=flag_uri,
        is_forwarded=False, now=now,
    )  # fmt: skip

    def write(conn: Connection) -> int | None:
        if reports.uri_taken(conn, flag_uri):
            return None
        return reports.insert(conn, new)

    return await context.db.write(write)


def audit_report(
    conn: Connection, actor: Account | None, action: str, report_id: int, now: str,
    reason: str = "",
) -> None:  # fmt: skip
    record(
        conn, actor, action, target_type="report", target_id=report_id,
        target_label=f"report #{report_id}", now=now, reason=reason,
    )  # fmt: skip
