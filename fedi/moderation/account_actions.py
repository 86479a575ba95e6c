"""What moderators do to an account, local or remote, usually answering a report: warn it,
limit (silence) it, suspend it, lift those, delete the reported posts. Each step is audited with
the moderator and the reason, and recorded as a warning (Mastodon's AccountWarning) that a local
member is notified of and can read on /settings/warnings. How a limited or suspended account is
then hidden is the timelines' business (accounts.silenced_at and suspended_at)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fedi.accounts import members
from fedi.context import Context
from fedi.core.models import Account, Status
from fedi.core.timeutil import to_db, utcnow
from fedi.db import account_warnings, accounts, admin_accounts, reports, sessions, statuses
from fedi.db import groups as group_rows
from fedi.db.connection import Connection
from fedi.groups.copies import delete_copy
from fedi.moderation.audit import record
from fedi.statuses import posting

# Mastodon's admin account actions (POST /api/v1/admin/accounts/:id/action `type`) this server
# takes; `disable` (sign-in only) and `sensitive` (media) have no counterpart here yet.
ACTIONS = ("none", "silence", "suspend")
MAX_TEXT = 5000


class ModerationError(Exception):
    """The action cannot be taken; the message says why (a 422 for apps)."""


@dataclass(frozen=True)
class Decision:
    """Who acts, on which report (if any), with what text for the account and whether a local
    member is notified."""

    actor: Account
    text: str = ""
    report_id: int | None = None
    notify: bool = True


def _label(account: Account) -> str:
    return f"@{account.username}" + (f"@{account.domain}" if account.domain else "")


def _audit(
    conn: Connection, decision: Decision, action: str, target: Account, now: str,
    details: dict[str, object] | None = None,
) -> None:  # fmt: skip
    record(
        conn, decision.actor, action, target_type="account", target_id=target.id,
        target_label=_label(target), now=now, reason=decision.text,
        details={**(details or {}), **({"report_id": decision.report_id}
                                         if decision.report_id else {})},
    )  # fmt: skip


def _warn(
    conn: Connection, decision: Decision, target: Account, action: str, now: str,
    status_ids: tuple[int, ...] = (),
) -> None:  # fmt: skip
    account_warnings.insert(
        conn, account_id=decision.actor.id, target_account_id=target.id,
        report_id=decision.report_id, action=action, text=decision.text, status_ids=status_ids,
        now=now, notify=decision.notify and target.is_local,
    )  # fmt: skip
    if decision.report_id is not None:
        reports.set_resolved(conn, decision.report_id, decision.actor.id, now, now)


async def _check(context: Context, decision: Decision, target: Account) -> None:
    if len(decision.text) > MAX_TEXT:
        raise ModerationError(f"the text is at most {MAX_TEXT} characters")
    if target.actor_type == "Application" and target.is_local:
        raise ModerationError("the instance's own actor cannot be moderated")
    if target.id == decision.actor.id:
        raise ModerationError("moderators cannot act on their own account")
    if decision.report_id is not None:
        async with context.db.read() as conn:
            report = await reports.get(conn, decision.report_id)
        if report is None or report.target_account_id != target.id:
            raise ModerationError("the report is not about this account")


async def get_account(context: Context, account_id: int) -> Account | None:
    async with context.db.read() as conn:
        return await accounts.get_by_id(conn, account_id)


async def warn(context: Context, decision: Decision, target: Account) -> None:
    await _check(context, decision, target)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        _warn(conn, decision, target, "none", now)
        _audit(conn, decision, "warn_account", target, now)

    await context.db.write(write)


async def silence(context: Context, decision: Decision, target: Account) -> None:
    await _check(context, decision, target)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        if target.silenced_at is None:
            accounts.set_silenced(conn, target.id, now)
        _warn(conn, decision, target, "silence", now)
        _audit(conn, decision, "silence_account", target, now)

    await context.db.write(write)


async def unsilence(context: Context, decision: Decision, target: Account) -> None:
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        accounts.set_silenced(conn, target.id, None)
        _audit(conn, decision, "unsilence_account", target, now)

    await context.db.write(write)


async def suspend(context: Context, decision: Decision, target: Account) -> None:
    """A local member: fedi.accounts.members' suspension (signed out everywhere). A remote account:
    suspended here, and follows between it and anyone end both ways."""
    await _check(context, decision, target)
    if target.is_local and not target.is_suspended:
        try:
            await members.set_suspended(context, target.username, True)
        except members.MemberError as exc:
            raise ModerationError(str(exc)) from None
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        if not target.is_local:
            if target.suspended_at is None:
                accounts.set_suspended(conn, target.id, now)
            admin_accounts.end_follows(conn, target.id)
        else:
            sessions.delete_for_account(conn, target.id)
        _warn(conn, decision, target, "suspend", now)
        _audit(conn, decision, "suspend_account", target, now)

    await context.db.write(write)


def _remove(status: Status, now: str) -> Callable[[Connection], None]:
    """A remote post goes from this server only (its author's server keeps it)."""

    def write(conn: Connection) -> None:
        statuses.delete_status(conn, status, now)

    return write


async def unsuspend(context: Context, decision: Decision, target: Account) -> None:
    if target.is_local and target.is_suspended:
        try:
            await members.set_suspended(context, target.username, False)
        except members.MemberError as exc:
            raise ModerationError(str(exc)) from None
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        if not target.is_local:
            accounts.set_suspended(conn, target.id, None)
        _audit(conn, decision, "unsuspend_account", target, now)

    await context.db.write(write)


async def delete_reported_posts(context: Context, decision: Decision, target: Account) -> int:
    """Delete the posts of the decision's report: a member's own post as if they deleted it
    (a Delete goes out as theirs), a private group's copy as its moderators would, a remote
    post here only. Returns how many went."""
    if decision.report_id is None:
        raise ModerationError("deleting posts needs a report")
    await _check(context, decision, target)
    async with context.db.read() as conn:
        report = await reports.get(conn, decision.report_id)
        found = [await statuses.get_by_id(conn, s) for s in report.status_ids] if report else []
    gone = [s for s in found if s is not None]
    now = to_db(utcnow())
    for status in gone:
        if not status.is_local:
            await context.db.write(_remove(status, now))
        elif status.account_id == status.group_id and status.group_id is not None:
            async with context.db.read() as conn:
                group = await group_rows.get_group(conn, status.group_id)
            if group is not None:
                await delete_copy(
                    context, group, status, moderator=(decision.actor.id, decision.text)
                )
        else:
            async with context.db.read() as conn:
                author = await accounts.get_by_id(conn, status.account_id)
            if author is not None:
                await posting.delete_status(context, author.username, status.id)

    def write(conn: Connection) -> None:
        _warn(conn, decision, target, "delete_statuses", now, tuple(s.id for s in gone))
        for status in gone:
            record(
                conn, decision.actor, "destroy_status", target_type="status",
                target_id=status.id, target_label=status.uri, now=now, reason=decision.text,
            )  # fmt: skip

    await context.db.write(write)
    return len(gone)
