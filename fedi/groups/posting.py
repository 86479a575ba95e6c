"""Members' own posts whose target is a private group: a post that mentions one (ours, or a
remote Group actor that approves its followers by hand), or a reply to one of its posts.

Whatever visibility the app asked for, such a post is a submission to the group alone
(groups.md: "Our server's Mastodon API forces this addressing"; leak pitfalls 1 and 2): stored
as a direct post mentioning only the group (nobody else is mentioned or notified), sent only to
the group's own inbox with to:[group], cc:[], audience: group, and inReplyTo the group's copy.
A submission to one of our own groups is handed to fedi.groups.submissions, as a remote one would
be, without any HTTP.

The client API shows the post as "direct": it mentions its only recipient, the group, which is
what Mastodon calls a direct post; "private" would tell the app that the author's followers can
read it, and they cannot. (Mastodon masks "limited" as "private", but that is a post received
with silent mentions, not one its author sent.)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fedi.activitypub.notes import create_to_ap, handle_of, wrap
from fedi.activitypub.remote_note import note_from_ap
from fedi.context import Context
from fedi.core.models import Account, Status
from fedi.core.timeutil import to_ap, to_db, utcnow
from fedi.db import accounts, follows
from fedi.db import group_posts as group_post_rows
from fedi.db import groups as group_rows
from fedi.db.connection import Connection, Reader
from fedi.federation.publish import Audience, enqueue
from fedi.federation.serialize import note_document
from fedi.groups.access import is_copy, is_submission
from fedi.groups.submissions import receive, receive_delete, receive_edit, submission_of


class GroupPostError(ValueError):
    """The post cannot go to the private group it targets; the message says why."""


async def is_private_group(context: Context, account: Account) -> bool:
    if account.actor_type != "Group":
        return False
    if not account.is_local:
        return account.is_locked  # manuallyApprovesFollowers: members are approved by hand
    async with context.db.read() as conn:
        group = await group_rows.get_group(conn, account.id)
    return group is not None and group.is_private


async def target_of(
    context: Context, author: Account, mentioned: Iterable[Account], parent: Status | None
) -> tuple[Account, Status | None] | None:
    """The private group a new post goes to, and the post it then replies to (the group's copy
    when the parent is a submission to one of our groups); None for an ordinary post."""
    found: dict[int, Account] = {a.id: a for a in mentioned if await is_private_group(context, a)}
    if parent is not None:
        owner_id = parent.group_id if parent.group_id is not None else parent.account_id
        async with context.db.read() as conn:
            owner = await accounts.get_by_id(conn, owner_id)
        if owner is not None and await is_private_group(context, owner):
            found.setdefault(owner.id, owner)
    if not found:
        return None
    if len(found) > 1:
        raise GroupPostError("a post can go to one private group only")
    group = next(iter(found.values()))
    async with context.db.read() as conn:
        if not await _may_post(conn, group, author):
            raise GroupPostError(
                f"only members of the private group {group.username} can post to it"
            )
        if parent is None or (is_copy(parent) and parent.group_id == group.id):
            return group, parent
        if not group.is_local and parent.account_id == group.id:
            return group, parent  # a remote group's post: its copies are all we see of it
        if is_submission(parent) and parent.group_id == group.id:
            copy = await group_post_rows.copy_of_submission(conn, parent.uri, group.id)
            return group, copy or parent
    raise GroupPostError("a post to a private group can only reply to posts of that group")


async def may_post(context: Context, group: Account, author: Account) -> bool:
    """Whether `author` may post in the group: a member or moderator who is not banned (one of
    our groups), or an accepted follower (a remote one)."""
    async with context.db.read() as conn:
        if group.is_local and await group_rows.is_banned(conn, group.id, author.id):
            return False
        return await _may_post(conn, group, author)


async def _may_post(conn: Reader, group: Account, author: Account) -> bool:
    """A member or moderator of one of our groups; for a remote group, an accepted follow."""
    if group.is_local:
        return await group_rows.is_member(conn, group.id, author.id) or (
            await group_rows.moderator_role(conn, group.id, author.id) is not None
        )
    follow = await follows.get_follow(conn, author.id, group.id)
    return follow is not None and follow[2] == "accepted"


async def submission_group(context: Context, status: Status) -> Account | None:
    """The group a member's own post was submitted to, if it was."""
    if not is_submission(status):
        return None
    async with context.db.read() as conn:
        return await accounts.get_by_id(conn, status.group_id or 0)


async def _document(
    context: Context, status: Status, author: Account, group: Account, mentioned: list[Account]
) -> dict[str, Any]:
    """The submission as the group receives it: to the group alone; Mention tags for the others
    named in the text, so that the group can keep those who are members (and only those)."""
    document = await note_document(context, status, author, with_context=False)
    document["to"], document["cc"], document["audience"] = [group.uri], [], group.uri
    named = {tag.get("href") for tag in document["tag"] if isinstance(tag, dict)}
    document["tag"] += [
        {"type": "Mention", "href": a.uri,
         "name": handle_of(a.username, a.domain, context.settings.domain)}
        for a in mentioned if a.uri not in named
    ]  # fmt: skip
    return document


async def submit(
    context: Context, status: Status, author: Account, group: Account, mentioned: list[Account]
) -> None:
    document = await _document(context, status, author, group, mentioned)
    activity = create_to_ap(document, author)
    if group.is_local:
        note = note_from_ap(document)
        await receive(context, submission_of(document, note, activity["id"], group.id), author)
        return
    await _to_group(context, author, group, activity)


async def resubmit(
    context: Context, status: Status, author: Account, group: Account, mentioned: list[Account]
) -> None:
    """The author edited their submission: the group's copy follows."""
    document = await _document(context, status, author, group, mentioned)
    now = utcnow()
    activity = wrap(
        "Update", f"{status.uri}#updates/{int(now.timestamp() * 1000)}", author, document,
        document["to"], [], to_ap(now),
    )  # fmt: skip
    if group.is_local:
        note = note_from_ap(document)
        await receive_edit(context, submission_of(document, note, activity["id"], group.id), author)
        return
    await _to_group(context, author, group, activity)


async def withdraw(context: Context, status: Status, author: Account, group: Account) -> None:
    """The author deleted their submission: the group's copy goes too."""
    if group.is_local:
        await receive_delete(context, status.uri, author)
        return
    tombstone = {"id": status.uri, "type": "Tombstone", "atomUri": status.uri}
    activity = wrap("Delete", f"{status.uri}#delete", author, tombstone, [group.uri], [])
    await _to_group(context, author, group, activity)


async def _to_group(
    context: Context, author: Account, group: Account, activity: dict[str, Any]
) -> None:
    """To the group's own inbox and nowhere else (never a shared inbox, never followers)."""
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        enqueue(conn, author.id, activity, Audience.personal(group), now)

    await context.db.write(write)
    context.wake.outbox.set()
