"""Submissions to a local private group: a member's post addressed to the group (or delivered to
its own inbox), from another server or from our own posting code (both come through here).

The checks (groups.md, PRIVATE GROUP: Check): the author is a current member and not banned (or
one of the group's moderators); the post goes to nobody but the group and its members (no
as:Public in any spelling, no followers collection of the author, nobody else: leak pitfalls 1
and 2); a reply answers a post of this group (pitfall 11). An accepted post becomes the group's
own copy (fedi.groups.copies); a refused one is answered by fedi.groups.refusals and kept nowhere.
Edits and deletions of an accepted post by its author reach the copy."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fedi.activitypub.parse import PUBLIC_FORMS, InvalidActivity, addresses, host_of
from fedi.activitypub.remote_note import ParsedNote
from fedi.context import Context
from fedi.core.models import Account, Group, Status
from fedi.db import account_lookups, accounts, statuses
from fedi.db import group_posts as group_post_rows
from fedi.db import groups as group_rows
from fedi.db.account_lookups import KnownRefs
from fedi.groups.access import is_copy, is_submission, private_group
from fedi.groups.copies import delete_copy, edit_copy, make_copy
from fedi.groups.refusals import Reason, refuse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    note: ParsedNote
    recipients: tuple[str, ...]  # to, cc, bto, bcc and audience, as sent
    activity_id: str
    recipient_id: int | None  # the personal inbox it arrived in (None: the shared inbox)


def submission_of(
    document: dict[str, Any], note: ParsedNote, activity_id: str, recipient_id: int | None
) -> Submission:
    found: list[str] = []
    for key in ("to", "cc", "bto", "bcc", "audience"):
        found += addresses(document, key)
    return Submission(note, tuple(dict.fromkeys(found)), activity_id, recipient_id)


async def target_group(
    context: Context, submission: Submission, known: KnownRefs | None = None
) -> tuple[Group | None, bool]:
    """The local private group the post is for, and whether it is addressed to it (or came to
    its inbox) rather than only replying to one of its posts. `known`: local accounts read
    already (account_lookups.KnownRefs)."""
    async with context.db.read() as conn:
        if submission.recipient_id is not None:
            group = await group_rows.get_group(conn, submission.recipient_id)
            if group is not None and group.is_private:
                return group, True
        local = [uri for uri in submission.recipients if host_of(uri) == context.settings.domain]
        named = await account_lookups.refs_by_uri(conn, local, known)
        for uri in local:
            account = named.get(uri)
            if account is not None and account.is_local and account.actor_type == "Group":
                group = await group_rows.get_group(conn, account.id)
                if group is not None and group.is_private:
                    return group, True
        replied = submission.note.in_reply_to_uri
        parent = await statuses.get_by_uri(conn, replied) if replied else None
    if parent is not None and (is_copy(parent) or is_submission(parent)):
        return await private_group(context, parent.group_id), False
    return None, False


async def _beyond(context: Context, group: Group, submission: Submission, author: Account) -> bool:
    """Whether anyone but the group and its current members is addressed (its moderators
    read everything anyway)."""
    allowed = {group.account.uri, group.account.followers_uri, author.uri}
    async with context.db.read() as conn:
        for uri in submission.recipients:
            if uri in PUBLIC_FORMS or uri == author.followers_uri:
                return True
            if uri in allowed:
                continue
            account = await accounts.get_by_uri(conn, uri)
            if account is None:
                return True
            if not await group_rows.is_member(conn, group.id, account.id) and (
                await group_rows.moderator_role(conn, group.id, account.id) is None
            ):
                return True
    return False


async def _parent_copy(context: Context, group: Group, uri: str) -> Status | None:
    """The group's copy a reply answers: named by the copy's id or by its submission's."""
    async with context.db.read() as conn:
        copy = await group_post_rows.copy_by_uri(conn, group.id, uri)
        return copy or await group_post_rows.copy_of_submission(conn, uri, group.id)


async def check(
    context: Context, group: Group, submission: Submission, author: Account
) -> tuple[Reason | None, Status | None]:
    """Why the group refuses the post (None: accepted), and the copy it replies to."""
    async with context.db.read() as conn:
        is_moderator = await group_rows.moderator_role(conn, group.id, author.id) is not None
        if not is_moderator and not await group_rows.is_member(conn, group.id, author.id):
            return "not_member", None
    if await _beyond(context, group, submission, author):
        return "addressed_beyond", None
    parent = None
    if submission.note.in_reply_to_uri:
        parent = await _parent_copy(context, group, submission.note.in_reply_to_uri)
        if parent is None:
            return "reply_outside", None
    return None, parent


async def receive(
    context: Context, submission: Submission, author: Account, known: KnownRefs | None = None
) -> bool:
    """A Create from `author`: True when it was for a local private group (now copied, or
    refused), False when it is not the group's business (stored the ordinary way)."""
    group, addressed = await target_group(context, submission, known)
    if group is None:
        return False
    if group.is_local_only and not author.is_local:
        return True  # a local-only group does not exist for other servers: not even a Reject
    if not addressed and not await _beyond(context, group, submission, author):
        return False  # members answering each other privately, without the group
    note = submission.note
    async with context.db.read() as conn:
        if await group_post_rows.copy_of_submission(conn, note.uri, group.id) is not None:
            return True  # already copied
        if await statuses.is_tombstoned(conn, note.uri):
            return True
    reason, parent = await check(context, group, submission, author)
    if reason is not None:
        log.info("group %s refused %s from %s: %s", group.account.uri, note.uri, author.uri, reason)
        await refuse(
            context, group, author, activity_id=submission.activity_id, kind="Create",
            object_uri=note.uri, reason=reason,
        )  # fmt: skip
        return True
    await make_copy(context, group, note, author, parent)
    return True


async def _copy_by_its_author(
    context: Context, submission_uri: str, author: Account
) -> Status | None:
    async with context.db.read() as conn:
        copy = await group_post_rows.copy_of_submission(conn, submission_uri)
    if copy is not None and copy.submitted_by_id != author.id:
        raise InvalidActivity("only the author can change a post")
    return copy


async def receive_edit(context: Context, submission: Submission, author: Account) -> bool:
    """An Update of a submission a group copied: True when there was such a copy."""
    note = submission.note
    copy = await _copy_by_its_author(context, note.uri, author)
    if copy is None:
        return False
    if note.author_uri != author.uri:
        raise InvalidActivity("only the author can change a post")
    group = await private_group(context, copy.group_id)
    if group is None:
        return True
    reason, _ = await check(context, group, submission, author)
    if reason is not None and reason != "reply_outside":
        await refuse(
            context, group, author, activity_id=submission.activity_id, kind="Update",
            object_uri=note.uri, reason=reason,
        )  # fmt: skip
        return True
    await edit_copy(context, group, copy, note, author)
    return True


async def receive_delete(context: Context, submission_uri: str, author: Account) -> bool:
    """A Delete of a submission a group copied: the copy goes too. True when there was one."""
    copy = await _copy_by_its_author(context, submission_uri, author)
    if copy is None:
        return False
    group = await private_group(context, copy.group_id)
    if group is not None:
        await delete_copy(context, group, copy, submission_gone=True)
    return True
