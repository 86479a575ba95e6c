"""Moderating a group's membership: answering join requests, removing, banning and unbanning
members, and naming moderators. Each action checks that the acting member may do it (a
moderator of the group, or an administrator or moderator of this server), is written to the
group's log, and is told to the member's server: Accept{Follow}, or Reject{Follow}, which
Mastodon also reads as the end of an existing follow (groups.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fedi.activitypub.notes import undo, wrap
from fedi.activitypub.vocab import PUBLIC
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import Account, Group, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows, interactions, users
from fedi.db import groups as group_rows
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.federation.remote_accounts import ActorError, parse_handle
from fedi.groups.announcements import announce_moderation
from fedi.groups.groups import GroupError

STAFF_ROLES = ("admin", "moderator")
# The notification a local member gets when a moderator lets them in. Mastodon has no type for
# an accepted follow request; apps that do not know a type leave it out.
JOIN_ACCEPTED = "group_join_accepted"


class ModerationError(GroupError):
    """A moderator action cannot be done. `code` names the reason for the pages to translate."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class NotAllowed(ModerationError):
    """The acting member may not do this in this group (pages answer as for a missing group)."""

    def __init__(self) -> None:
        super().__init__("not_allowed", "you do not moderate this group")


@dataclass(frozen=True)
class Moderated:
    """What an action did: for a public group, the activity FEP-1b12 wants the group to announce
    (None for a private group, whose moderation stays among its members); for an approval,
    whether the new member is the first from their server, whose admins can now read the group."""

    activity: dict[str, Any] | None = None
    first_on_domain: bool = False


async def may_moderate(context: Context, group: Group, user: User) -> bool:
    if user.role in STAFF_ROLES:
        return True
    async with context.db.read() as conn:
        return await group_rows.moderator_role(conn, group.id, user.account.id) is not None


async def may_name_moderators(context: Context, group: Group, user: User) -> bool:
    """Only the group's owner or an administrator adds and removes moderators."""
    if user.role == "admin":
        return True
    async with context.db.read() as conn:
        return await group_rows.moderator_role(conn, group.id, user.account.id) == "owner"


async def check_moderator(context: Context, group: Group, user: User) -> None:
    if not await may_moderate(context, group, user):
        raise NotAllowed()


async def _account(context: Context, account_id: int) -> Account:
    async with context.db.read() as conn:
        account = await accounts.get_by_id(conn, account_id)
    if account is None:
        raise ModerationError("unknown_account", "there is no such account")
    return account


def _follow_answer(
    kind: str, group: Group, member: Account, follow: tuple[int, str | None, str]
) -> dict[str, Any]:
    """Accept{Follow} or Reject{Follow} from the group, with the member's own Follow (its stored
    id) as the object, as Mastodon expects it."""
    follow_id = follow[1] or f"{member.uri}#follows/{follow[0]}"
    follow_activity = {
        "id": follow_id, "type": "Follow", "actor": member.uri, "object": group.account.uri,
    }  # fmt: skip
    activity_id = f"{group.account.uri}#{kind.lower()}s/follows/{new_id()}"
    return wrap(kind, activity_id, group.account, follow_activity, [member.uri], [])


async def _follow_of(
    context: Context, group: Group, member: Account
) -> tuple[int, str | None, str]:
    async with context.db.read() as conn:
        found = await follows.get_follow(conn, member.id, group.id)
    if found is None:
        raise ModerationError("no_request", "this account has not asked to join")
    return found


async def _announced(context: Context, group: Group, activity: dict[str, Any]) -> Moderated:
    """FEP-1b12: a public group announces its moderation (bans, moderators) to its followers. A
    private group's moderation is for its moderators: nothing is announced."""
    if group.is_private:
        return Moderated()
    await announce_moderation(context, group, activity, to_db(utcnow()))
    return Moderated(activity=activity)


async def approve(context: Context, group: Group, moderator: User, account_id: int) -> Moderated:
    """Let a join request in: the follow becomes accepted."""
    await check_moderator(context, group, moderator)
    member = await _account(context, account_id)
    follow = await _follow_of(context, group, member)
    if follow[2] != "pending":
        raise ModerationError("no_request", "this account has no pending join request")
    async with context.db.read() as conn:
        if await group_rows.is_banned(conn, group.id, member.id):
            raise ModerationError("banned", "this account is banned from the group")
        first = member.domain is not None and not await group_rows.has_member_on_domain(
            conn, group.id, member.domain
        )
    accept = _follow_answer("Accept", group, member, follow)
    now = to_db(utcnow())

    def write(conn: Connection) -> bool:
        if not follows.set_state(conn, member.id, group.id, "accepted"):
            return False  # the request was withdrawn meanwhile
        if member.is_local:
            interactions.notify(conn, [member.id], JOIN_ACCEPTED, group.id, None, now)
        elif not group.is_local_only:
            enqueue(conn, group.id, accept, Audience.personal(member), now)
        group_rows.log_action(
            conn, group.id, moderator.account.id, "approve_new_domain" if first else "approve",
            now, target_account_id=member.id, target_domain=member.domain,
        )  # fmt: skip
        return True

    if not await context.db.write(write):
        raise ModerationError("no_request", "this account has no pending join request")
    context.wake.outbox.set()
    return Moderated(first_on_domain=first)


async def _end_follow(
    context: Context,
    group: Group,
    moderator: User,
    member: Account,
    action: str,
    reason: str,
    follow: tuple[int, str | None, str] | None,
    also: Callable[[Connection, str], None] | None = None,
) -> None:
    """Delete the member's follow (if any) and tell their server with Reject{Follow}; log it."""
    reject = _follow_answer("Reject", group, member, follow) if follow else None
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        if also is not None:
            also(conn, now)
        if follow is not None:
            follows.delete_follow(conn, member.id, group.id)
            if reject is not None and not member.is_local and not group.is_local_only:
                enqueue(conn, group.id, reject, Audience.personal(member), now)
        group_rows.log_action(
            conn, group.id, moderator.account.id, action, now,
            target_account_id=member.id, target_domain=member.domain, detail=reason,
        )  # fmt: skip

    await context.db.write(write)
    context.wake.outbox.set()


async def reject(context: Context, group: Group, moderator: User, account_id: int) -> Moderated:
    """Refuse a join request."""
    await check_moderator(context, group, moderator)
    member = await _account(context, account_id)
    follow = await _follow_of(context, group, member)
    if follow[2] != "pending":
        raise ModerationError("no_request", "this account has no pending join request")
    await _end_follow(context, group, moderator, member, "reject", "", follow)
    return Moderated()


async def _check_target(context: Context, group: Group, member: Account) -> None:
    """Moderators are not removed or banned as members: take their role away first."""
    async with context.db.read() as conn:
        role = await group_rows.moderator_role(conn, group.id, member.id)
    if role is not None or member.id == group.id:
        raise ModerationError("is_moderator", "a moderator cannot be removed or banned")


async def remove_member(
    context: Context, group: Group, moderator: User, account_id: int, reason: str = ""
) -> Moderated:
    """End a membership; the member may ask again (a ban keeps them out)."""
    await check_moderator(context, group, moderator)
    member = await _account(context, account_id)
    await _check_target(context, group, member)
    follow = await _follow_of(context, group, member)
    await _end_follow(context, group, moderator, member, "remove", reason.strip()[:500], follow)
    return Moderated()


def _block(group: Group, moderator: User, member: Account, reason: str) -> dict[str, Any]:
    """FEP-1b12 (Lemmy's shape): a moderator's Block of the member with the group as target."""
    activity = wrap(
        "Block", f"{moderator.account.uri}#group-blocks/{new_id()}", moderator.account,
        member.uri, [PUBLIC], [group.account.uri],
    )  # fmt: skip
    activity["target"] = group.account.uri
    if reason:
        activity["summary"] = reason
    return activity


async def ban(
    context: Context, group: Group, moderator: User, account_id: int, reason: str = ""
) -> Moderated:
    """Keep an account out: its membership or request ends, and later requests are refused."""
    await check_moderator(context, group, moderator)
    member = await _account(context, account_id)
    await _check_target(context, group, member)
    reason = reason.strip()[:500]
    async with context.db.read() as conn:
        follow = await follows.get_follow(conn, member.id, group.id)

    def add_ban(conn: Connection, now: str) -> None:
        group_rows.ban(conn, group.id, member.id, reason, moderator.account.id, now)

    await _end_follow(context, group, moderator, member, "ban", reason, follow, add_ban)
    return await _announced(context, group, _block(group, moderator, member, reason))


async def unban(context: Context, group: Group, moderator: User, account_id: int) -> Moderated:
    await check_moderator(context, group, moderator)
    member = await _account(context, account_id)
    now = to_db(utcnow())

    def write(conn: Connection) -> bool:
        if not group_rows.unban(conn, group.id, member.id):
            return False
        group_rows.log_action(
            conn, group.id, moderator.account.id, "unban", now,
            target_account_id=member.id, target_domain=member.domain,
        )  # fmt: skip
        return True

    if not await context.db.write(write):
        raise ModerationError("not_banned", "this account is not banned")
    return await _announced(
        context, group, undo(_block(group, moderator, member, ""), moderator.account)
    )


async def find_moderator_candidate(context: Context, handle: str) -> Account:
    """A local member (`name`, `@name` or `@name@ourdomain`) or a remote account this server
    already knows (`@name@server`); nothing is fetched."""
    text = handle.strip().removeprefix("acct:").lstrip("@")
    if "@" not in text:
        text = f"{text}@{context.settings.domain}"
    try:
        username, domain = parse_handle(text)
    except ActorError:
        raise ModerationError("bad_handle", "write a handle like @name@server.example") from None
    async with context.db.read() as conn:
        if domain == context.settings.domain.lower():
            user = await users.get_user(conn, username)
            account = user.account if user is not None and user.is_approved else None
        else:
            account = await accounts.get_remote_by_acct(conn, username, domain)
    if account is None or account.is_suspended or account.actor_type not in ("Person", "Service"):
        raise ModerationError("unknown_account", f"no known account {handle!r}")
    return account


def _moderators_change(kind: str, group: Group, moderator: User, target: Account) -> dict[str, Any]:
    """FEP-1b12: Add or Remove on the group's moderators collection."""
    activity = wrap(
        kind, f"{moderator.account.uri}#group-moderators/{new_id()}", moderator.account,
        target.uri, [PUBLIC], [group.account.uri],
    )  # fmt: skip
    activity["target"] = f"{group.account.uri}/moderators"
    return activity


async def add_moderator(context: Context, group: Group, moderator: User, handle: str) -> Moderated:
    if not await may_name_moderators(context, group, moderator):
        await check_moderator(context, group, moderator)  # a moderator: refused, not hidden
        raise ModerationError("owner_only", "only the owner or an administrator names moderators")
    target = await find_moderator_candidate(context, handle)
    async with context.db.read() as conn:
        if await group_rows.moderator_role(conn, group.id, target.id) is not None:
            raise ModerationError("already_moderator", "this account is already a moderator")
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        group_rows.add_moderator(conn, group.id, target.id, "moderator", now)
        group_rows.log_action(
            conn, group.id, moderator.account.id, "add_moderator", now,
            target_account_id=target.id, target_domain=target.domain,
        )  # fmt: skip

    await context.db.write(write)
    return await _announced(context, group, _moderators_change("Add", group, moderator, target))


async def remove_moderator(
    context: Context, group: Group, moderator: User, account_id: int
) -> Moderated:
    if not await may_name_moderators(context, group, moderator):
        await check_moderator(context, group, moderator)
        raise ModerationError("owner_only", "only the owner or an administrator names moderators")
    target = await _account(context, account_id)
    now = to_db(utcnow())

    def write(conn: Connection) -> bool:
        if not group_rows.remove_moderator(conn, group.id, target.id):
            return False
        group_rows.log_action(
            conn, group.id, moderator.account.id, "remove_moderator", now,
            target_account_id=target.id, target_domain=target.domain,
        )  # fmt: skip
        return True

    if not await context.db.write(write):
        async with context.db.read() as conn:
            role = await group_rows.moderator_role(conn, group.id, target.id)
        if role == "owner":
            raise ModerationError("is_owner", "the owner of a group cannot be removed")
        raise ModerationError("not_moderator", "this account is not a moderator")
    return await _announced(context, group, _moderators_change("Remove", group, moderator, target))
