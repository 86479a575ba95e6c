"""Joining a local group: who may ask, whose request waits for a moderator, and approving one.

Membership is an accepted follow of the group; a pending follow is a join request (groups.md).
The same rules answer a Follow from another server (inbox/handlers/group_follow.py) and a local
member's follow (fedi.relationships.relationships.follow). What happened goes to the group's
log with one of these actions: `join` (accepted at once), `join_request` (waits for a
moderator), `approve`, `refused_banned`, `refused_domain` (a partners-only group; the domain is
recorded) and `refused_local_only` (a remote Follow of a group that does not exist for other
servers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fedi.activitypub.notes import wrap
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account, Group
from fedi.db import groups as group_rows
from fedi.db.connection import Connection

JoinState = Literal["accepted", "pending", "refused"]


@dataclass(frozen=True)
class Join:
    """The answer to a request to join: the follow's new state, and what to log (None when
    nothing changed, e.g. a member repeating their Follow)."""

    state: JoinState
    action: str | None


async def judge_join(context: Context, group: Group, follower: Account) -> Join:
    """How a group answers `follower` asking to join it:
    - banned, or suspended on this server: refused;
    - a remote account and a local-only group: refused (the group does not exist for them);
    - already a member: stays accepted (a repeated Follow is answered with Accept again);
    - a remote account on a domain outside a partners-only group's partner domains: refused;
    - a private group: pending until a moderator approves (groups.md pitfall 12);
    - a public group: accepted."""
    async with context.db.read() as conn:
        banned = await group_rows.is_banned(conn, group.id, follower.id)
        state = await group_rows.membership(conn, group.id, follower.id)
        partners = await group_rows.partner_domains(conn, group.id)
    if banned:
        return Join("refused", "refused_banned")
    if follower.is_suspended:
        return Join("refused", None)
    if follower.domain is not None:
        if group.is_local_only:
            return Join("refused", "refused_local_only")
        if state != "accepted" and group.partners_only and follower.domain not in partners:
            return Join("refused", "refused_domain")
    if state == "accepted":
        return Join("accepted", None)
    if group.is_private:
        return Join("pending", None if state == "pending" else "join_request")
    return Join("accepted", "join")


def log_join(conn: Connection, group: Group, follower: Account, join: Join, now: str) -> None:
    """Write the group-log entry of a join decision, if it has one."""
    if join.action is not None:
        group_rows.log_action(
            conn, group.id, follower.id, join.action, now,
            target_account_id=follower.id, target_domain=follower.domain,
        )  # fmt: skip


def follow_reply(
    kind: Literal["Accept", "Reject"], group: Group, follower: Account, follow: Mapping[str, Any]
) -> dict[str, Any]:
    """Accept{Follow} or Reject{Follow} from the group to the follower (Mastodon ends an
    existing follow on Reject, as it does for a removed member)."""
    body = {k: v for k, v in follow.items() if k != "@context"}
    reply_id = f"{group.account.uri}#{kind.lower()}s/follows/{ids.new_id()}"
    return wrap(kind, reply_id, group.account, body, [follower.uri], [])
