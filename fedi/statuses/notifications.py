"""A member's notifications as the client API and the pages show them: a page of rows read
without the senders the member hides or moderators took out of view, then loaded at once
(fedi.statuses.batch) and judged by the member's rules, so that both faces leave out exactly
the same notifications in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.context import Context
from fedi.core.models import Account, Status, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import account_warnings, interactions, statuses
from fedi.db.account_warnings import AccountWarning
from fedi.db.moderated import moderated_sender_clause
from fedi.db.mutes import hidden_sender_clause
from fedi.db.notifications import Row
from fedi.statuses.batch import Batch, load
from fedi.statuses.timeline_rules import Verdict, ViewerRules, judge, moderated_in

__all__ = ["TYPES", "Row", "Shown", "hidden_senders", "rows_of", "shown"]
TYPES = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "moderation_warning",
)


def hidden_senders(me: int) -> tuple[str, list[object]]:
    """Senders the member hides, and those moderators took out of view."""
    muted, muted_args = hidden_sender_clause(me, to_db(utcnow()))
    moderated, moderated_args = moderated_sender_clause(me)
    return muted + moderated, [*muted_args, *moderated_args]


async def rows_of(
    context: Context, me: int, max_id: int | None, min_id: int | None, limit: int,
    types: list[str] | None = None, exclude: list[str] | None = None,
    from_account_id: int | None = None,
) -> list[Row]:  # fmt: skip
    """A page of the member's notification rows, newest first, hidden senders left out."""
    async with context.db.read_now() as conn:
        return await interactions.notifications_page(
            conn,
            me,
            max_id,
            min_id,
            limit,
            types or [],
            exclude or [],
            hidden_senders(me),
            from_account_id,
        )


@dataclass(frozen=True)
class Shown:
    """A notification kept on the page: its row, sender, status (with the verdict of the
    member's rules on it, when they apply) and moderation warning."""

    row: Row
    sender: Account
    status: Status | None
    verdict: Verdict | None
    warning: AccountWarning | None

    @property
    def id(self) -> int:
        return self.row[0]

    @property
    def kind(self) -> str:
        return self.row[1]

    @property
    def group_key(self) -> str:
        """Its group (Mastodon 4.3): the stored key, or `ungrouped-<id>`."""
        return self.row[5] or f"ungrouped-{self.row[0]}"


async def shown(
    context: Context, user: User, rows: list[Row], rules: ViewerRules | None,
    with_accounts: tuple[int, ...] = (),
) -> tuple[Batch, list[Shown]]:  # fmt: skip
    """The page loaded at once, and what it keeps. A row is left out when its sender is gone
    or moderated away, its status is a private group's post the member may no longer read, or
    (with the member's rules) a `hide` filter in the notifications context matches it. (A post
    that notified the member was addressed to them, so its visibility is not asked again.)"""
    async with context.db.read_now() as conn:
        found = await statuses.get_many(conn, [r[3] for r in rows if r[3]])
        warnings = await account_warnings.of_notifications(
            conn, [r[0] for r in rows if r[1] == "moderation_warning"]
        )
    batch = await load(
        context, list(found.values()), user.account,
        with_accounts=[*(r[2] for r in rows), *(w.target_account_id for w in warnings.values()),
                       *with_accounts],
    )  # fmt: skip
    kept = []
    for row in rows:
        notification_id, _, from_id, status_id, _, _ = row
        sender = batch.accounts.get(from_id)
        if sender is None:
            continue
        if moderated_in(batch, user.account.id, [sender], "notifications"):
            continue  # suspended, or limited and not followed (live streams come here too)
        status = found.get(status_id) if status_id else None
        if status is not None and batch.may_see_group_post(status) is False:
            continue  # a private group's post, and the member has left the group
        verdict = None
        if status is not None and rules is not None:
            verdict = judge(batch, rules, status, "notifications")
            if verdict.hidden:
                continue
        kept.append(Shown(row, sender, status, verdict, warnings.get(notification_id)))
    return batch, kept
