"""Follows and blocks by local members: follow (a request for a locked account), unfollow,
approve or reject follow requests, block and unblock, federated as Follow, Undo, Accept, Reject
and Block."""

from __future__ import annotations

from fedi.accounts.members import MemberError, get_member
from fedi.activitypub.notes import undo, wrap
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows, interactions
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.federation.remote_accounts import resolve_handle
from fedi.groups.groups import group_of
from fedi.groups.membership import judge_join, log_join


async def _account(context: Context, target: str | Account) -> Account:
    if isinstance(target, Account):
        return target
    return await resolve_handle(context, target)


def _follow_activity(follow_id: str, follower: Account, followed: Account) -> dict[str, object]:
    activity = wrap("Follow", follow_id, follower, followed.uri, [followed.uri], [])
    activity.pop("cc")
    return activity


async def follow(context: Context, username: str, target: str | Account) -> str:
    """Follow an account by handle or Account; returns the follow's state (accepted/pending)."""
    user = await get_member(context, username)
    followed = await _account(context, target)
    if followed.id == user.account.id:
        raise MemberError("you cannot follow yourself")
    if followed.is_suspended or (
        followed.domain is not None and context.policy.refuses(followed.domain)
    ):
        # Suspended, or on a domain we do not federate with: no Follow is sent (security.md M8).
        raise MemberError("this account cannot be followed")
    async with context.db.read() as conn:
        if await interactions.is_blocked(conn, followed.id, user.account.id):
            raise MemberError("this account does not accept you as a follower")
        existing = await follows.get_follow(conn, user.account.id, followed.id)
    group = await group_of(context, followed)
    join = await judge_join(context, group, user.account) if group is not None else None
    if join is not None and join.state == "refused":
        raise MemberError("this group does not accept you as a member")
    if existing is not None and existing[2] == "accepted":
        return "accepted"
    now = to_db(utcnow())
    follow_id = f"{user.account.uri}#follows/{ids.new_id()}"
    # A remote follow stays pending until the remote server accepts it; joining a local group
    # follows its rules (fedi.groups.membership).
    state = "accepted" if followed.is_local and not followed.is_locked else "pending"
    if join is not None:
        state = join.state
    activity = _follow_activity(follow_id, user.account, followed)

    def write(conn: Connection) -> None:
        follows.upsert_follow(
            conn, follower_id=user.account.id, followed_id=followed.id, uri=follow_id,
            state=state, now=now,
        )  # fmt: skip
        if group is not None and join is not None:
            log_join(conn, group, user.account, join, now)
        else:
            kind = "follow" if state == "accepted" else "follow_request"
            interactions.notify(conn, [followed.id], kind, user.account.id, None, now)
        if not followed.is_local:
            enqueue(conn, user.account.id, activity, Audience.personal(followed), now)

    await context.db.write(write)
    context.wake.outbox.set()
    return state


async def unfollow(context: Context, username: str, target: str | Account) -> None:
    user = await get_member(context, username)
    followed = await _account(context, target)
    async with context.db.read() as conn:
        existing = await follows.get_follow(conn, user.account.id, followed.id)
    if existing is None:
        return
    follow_id = existing[1] or f"{user.account.uri}#follows/{existing[0]}"
    cancel = undo(_follow_activity(follow_id, user.account, followed), user.account)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        follows.delete_follow(conn, user.account.id, followed.id)
        if not followed.is_local:
            enqueue(conn, user.account.id, cancel, Audience.personal(followed), now)

    await context.db.write(write)
    context.wake.outbox.set()


async def _answer_request(
    context: Context, username: str, follower_id: int, accept: bool, any_state: bool = False
) -> None:
    user = await get_member(context, username)
    async with context.db.read() as conn:
        request = await follows.get_follow(conn, follower_id, user.account.id)
        follower = await accounts.get_by_id(conn, follower_id)
    if request is None or follower is None or (request[2] != "pending" and not any_state):
        raise MemberError("there is no such follow request")
    now = to_db(utcnow())
    follow_activity = {
        "id": request[1], "type": "Follow", "actor": follower.uri, "object": user.account.uri,
    }  # fmt: skip
    kind = "Accept" if accept else "Reject"
    reply = wrap(
        kind, f"{user.account.uri}#{kind.lower()}s/follows/{request[0]}", user.account,
        follow_activity, [follower.uri], [],
    )  # fmt: skip

    def write(conn: Connection) -> None:
        if accept:
            follows.set_state(conn, follower_id, user.account.id, "accepted")
            interactions.notify(conn, [user.account.id], "follow", follower_id, None, now)
        else:
            follows.delete_follow(conn, follower_id, user.account.id)
        if not follower.is_local:
            enqueue(conn, user.account.id, reply, Audience.personal(follower), now)

    await context.db.write(write)
    context.wake.outbox.set()


async def authorize_follow(context: Context, username: str, follower_id: int) -> None:
    await _answer_request(context, username, follower_id, accept=True)


async def reject_follow(context: Context, username: str, follower_id: int) -> None:
    await _answer_request(context, username, follower_id, accept=False)


async def remove_follower(context: Context, username: str, follower_id: int) -> None:
    """End an account's follow (or follow request) of a member, telling its server with
    Reject{Follow} (Mastodon's RemoveFromFollowersService; also used by user domain blocks)."""
    await _answer_request(context, username, follower_id, accept=False, any_state=True)


async def block(context: Context, username: str, target: str | Account) -> None:
    """Block an account: follows end both ways, and its server is told (Mastodon sends Block)."""
    user = await get_member(context, username)
    blocked = await _account(context, target)
    block_id = f"{user.account.uri}#blocks/{ids.new_id()}"
    activity = wrap("Block", block_id, user.account, blocked.uri, [blocked.uri], [])
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        interactions.add_block(conn, user.account.id, blocked.id, block_id, now)
        if not blocked.is_local:
            enqueue(conn, user.account.id, activity, Audience.personal(blocked), now)

    await context.db.write(write)
    context.wake.outbox.set()


async def unblock(context: Context, username: str, target: str | Account) -> None:
    user = await get_member(context, username)
    blocked = await _account(context, target)
    async with context.db.read() as conn:
        block_id = await interactions.block_uri(conn, user.account.id, blocked.id)
    if block_id is None:
        return
    original = wrap("Block", block_id, user.account, blocked.uri, [blocked.uri], [])
    cancel = undo(original, user.account)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        interactions.remove_block(conn, user.account.id, blocked.id)
        if not blocked.is_local:
            enqueue(conn, user.account.id, cancel, Audience.personal(blocked), now)

    await context.db.write(write)
    context.wake.outbox.set()
