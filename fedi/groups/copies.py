"""A private group's own copies of its members' submissions: made, edited and deleted here, and
sent to the servers of the current members only (groups.md, PRIVATE GROUP: Copy, Deliver,
Moderation). Each change writes the copy and its outgoing activity; the outbox works out the
recipients when it fans out (a member removed meanwhile gets nothing, security.md V4), one
delivery per server with an FEP-8fcf Collection-Synchronization header. Never via relays, never
as an Announce."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.group_notes import COPY_CONTEXT
from fedi.activitypub.notes import create_to_ap, wrap
from fedi.activitypub.remote_note import ParsedNote
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account, Group, NewStatus, Status
from fedi.core.timeutil import to_ap, to_db, utcnow
from fedi.db import accounts, interactions, statuses
from fedi.db import groups as group_rows
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.federation.serialize import note_document
from fedi.groups.copy_html import copy_content
from fedi.groups.groups import GroupError


async def member_mentions(context: Context, group: Group, note: ParsedNote) -> list[Account]:
    """The mentioned accounts that are current members (the others are not named, pitfall 6)."""
    found: list[Account] = []
    async with context.db.read() as conn:
        for uri in note.mention_uris:
            account = await accounts.get_by_uri(conn, uri)
            if account is not None and await group_rows.is_member(conn, group.id, account.id):
                found.append(account)
    return found


async def _content(context: Context, group: Group, note: ParsedNote, author: Account) -> str:
    members = await member_mentions(context, group, note)
    keep = {a.uri for a in members} | {a.url for a in members if a.url}
    drop = {group.account.uri, group.account.url or group.account.uri}
    return copy_content(author, note.content, keep, drop)


def _to_members(conn: Connection, group: Group, activity: dict[str, Any], now: str) -> None:
    activity["@context"] = COPY_CONTEXT
    enqueue(conn, group.id, activity, Audience(members_of=group.id), now)


async def _get(context: Context, status_id: int) -> Status:
    async with context.db.read() as conn:
        status = await statuses.get_by_id(conn, status_id)
    assert status is not None
    return status


async def make_copy(
    context: Context, group: Group, note: ParsedNote, author: Account, parent: Status | None
) -> Status:
    """The group's copy of a member's accepted submission, sent to the members as Create."""
    members = await member_mentions(context, group, note)
    copy_id = ids.new_id()
    name = group.account.username
    uri = context.urls.status(name, copy_id)
    new = NewStatus(
        id=copy_id, uri=uri, url=context.urls.status_page(name, copy_id), account_id=group.id,
        visibility="private", content=await _content(context, group, note, author),
        spoiler_text=note.spoiler_text, is_sensitive=note.is_sensitive, language=note.language,
        is_local=True, created_at=to_db(utcnow()),
        in_reply_to_id=parent.id if parent else None,
        in_reply_to_uri=parent.uri if parent else None,
        in_reply_to_account_id=parent.account_id if parent else None,
        thread_uri=(parent.thread_uri or parent.uri) if parent else uri,
        mentions=tuple(a.id for a in members), tags=note.tags, attachments=note.attachments,
        group_id=group.id, submitted_by_id=author.id, submission_uri=note.uri,
        is_local_only=group.is_local_only,  # a local-only group's posts never leave
    )  # fmt: skip

    def write(conn: Connection) -> None:
        statuses.insert_status(conn, new)
        # Only members are mentioned, so only members are notified (notify skips remote ids).
        interactions.notify(conn, new.mentions, "mention", group.id, copy_id, new.created_at)

    await context.db.write(write)
    copy = await _get(context, copy_id)
    document = await note_document(context, copy, group.account, with_context=False)
    activity = create_to_ap(document, group.account)
    await context.db.write(lambda conn: _to_members(conn, group, activity, new.created_at))
    context.wake.outbox.set()
    return copy


async def edit_copy(
    context: Context, group: Group, copy: Status, note: ParsedNote, author: Account
) -> Status:
    """The author edited their submission: the copy follows (its old text kept in the edit
    history) and an Update goes to the members."""
    members = await member_mentions(context, group, note)
    now = utcnow()
    edited = NewStatus(
        id=copy.id, uri=copy.uri, url=copy.url, account_id=group.id, visibility="private",
        content=await _content(context, group, note, author), spoiler_text=note.spoiler_text,
        is_sensitive=note.is_sensitive, language=note.language, is_local=True,
        created_at=to_db(copy.created_at), edited_at=to_db(now),
        mentions=tuple(a.id for a in members), tags=note.tags, attachments=note.attachments,
        group_id=group.id, submitted_by_id=copy.submitted_by_id,
        submission_uri=copy.submission_uri,
    )  # fmt: skip
    await context.db.write(lambda conn: statuses.apply_edit(conn, copy, edited))
    updated = await _get(context, copy.id)
    document = await note_document(context, updated, group.account, with_context=False)
    activity = wrap(
        "Update", f"{copy.uri}#updates/{int(now.timestamp() * 1000)}", group.account, document,
        document["to"], document["cc"], to_ap(now),
    )  # fmt: skip
    await context.db.write(lambda conn: _to_members(conn, group, activity, to_db(now)))
    context.wake.outbox.set()
    return updated


async def delete_copy(
    context: Context,
    group: Group,
    copy: Status,
    *,
    submission_gone: bool = False,
    moderator: tuple[int, str] | None = None,
) -> None:
    """The copy becomes a tombstone and a Delete goes to the members. submission_gone: the
    author deleted the original, whose id is remembered so a late copy of it is refused;
    moderator: (account id, reason) for the group's log."""
    now = to_db(utcnow())
    tombstone = {"id": copy.uri, "type": "Tombstone", "atomUri": copy.uri}
    followers = group.account.followers_uri or group.account.uri
    activity = wrap("Delete", f"{copy.uri}#delete", group.account, tombstone, [followers], [])

    def write(conn: Connection) -> None:
        statuses.delete_status(conn, copy, now)
        if submission_gone and copy.submission_uri and copy.submitted_by_id:
            statuses.tombstone_only(conn, copy.submission_uri, copy.submitted_by_id, now)
        if moderator is not None:
            moderator_id, reason = moderator
            group_rows.log_action(
                conn, group.id, moderator_id, "delete_post", now,
                target_account_id=copy.submitted_by_id,
                detail=f"{reason} ({copy.uri})" if reason else copy.uri,
            )  # fmt: skip
        _to_members(conn, group, activity, now)

    await context.db.write(write)
    context.wake.outbox.set()


async def delete_group_post(
    context: Context, group: Group, status_id: int, moderator_account_id: int, reason: str = ""
) -> Status:
    """A moderator removes one of a private group's posts: it goes for every member (Delete of
    the group's own object, which Mastodon honours), and the group's log records who and why."""
    async with context.db.read() as conn:
        role = await group_rows.moderator_role(conn, group.id, moderator_account_id)
        status = await statuses.get_by_id(conn, status_id)
    if role is None:
        raise GroupError("only the group's moderators can delete its posts")
    if status is None or status.account_id != group.id or status.group_id != group.id:
        raise GroupError("no such post in this group")
    await delete_copy(context, group, status, moderator=(moderator_account_id, reason.strip()))
    return status
