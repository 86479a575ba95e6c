"""Members' own posts: publish (with mentions, hashtags and replies), edit, delete and pin. These
are the functions the command line, the tests and the client API call; each writes the post and
its outgoing activity in one transaction. A local-only post (as GoToSocial and Takahē have them)
is for members of this instance alone: nothing about it is ever queued for other servers."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fedi.accounts.members import MemberError, get_member
from fedi.activitypub.notes import addressing, create_to_ap, wrap
from fedi.context import Context
from fedi.core import ids
from fedi.core.html import find_hashtags, find_mentions, text_to_html
from fedi.core.models import Account, NewStatus, Status, User, Visibility
from fedi.core.timeutil import to_ap, to_db, utcnow
from fedi.core.validation import BASE, Invalid
from fedi.db import interactions, pins, statuses
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.federation.remote_accounts import ActorError, resolve_handle
from fedi.federation.serialize import note_document
from fedi.groups import posting as group_posting
from fedi.groups import relay as group_relay
from fedi.media import media
from fedi.relationships.subscriptions import notify_boosters_of_edit, notify_subscribers_of
from fedi.statuses.polls import PollRequest, check_poll, new_poll

log = logging.getLogger(__name__)
VISIBILITIES: tuple[Visibility, ...] = ("public", "unlisted", "private", "direct")
MAX_CHARACTERS = 500
MAX_MENTIONS = 20


class PostError(Invalid):
    """The post cannot be published; each problem names the field and says why, in Mastodon's
    words (its Status validations)."""


async def _author(context: Context, username: str) -> User:
    user = await get_member(context, username)
    if user.account.is_suspended:
        raise MemberError(f"{username} is suspended and cannot post")
    return user


async def _resolve_mentions(context: Context, text: str) -> dict[str, Account]:
    """handle (lower-cased, as written) -> account, for the handles that resolve."""
    found: dict[str, Account] = {}
    for handle in find_mentions(text)[:MAX_MENTIONS]:
        full = handle if "@" in handle else f"{handle}@{context.settings.domain}"
        try:
            found[handle.lower()] = await resolve_handle(context, full)
        except ActorError as exc:
            log.info("mention %s not resolved: %s", handle, exc)
    return found


def check_text(text: str, spoiler_text: str, has_media: bool = False) -> None:
    if not text.strip() and not has_media:
        raise PostError.of("text", "ERR_BLANK", "can't be blank")
    if len(text) + len(spoiler_text) > MAX_CHARACTERS:
        raise PostError.of("text", "ERR_TOO_LONG", f"character limit of {MAX_CHARACTERS} exceeded")


def audience_for(status: Status, mentioned: list[int], extra: tuple[int, ...] = ()) -> Audience:
    followers = status.account_id if status.visibility != "direct" else None
    return Audience(followers_of=followers, account_ids=tuple(dict.fromkeys([*mentioned, *extra])))


async def post_status(
    context: Context,
    username: str,
    text: str,
    visibility: Visibility = "public",
    spoiler_text: str = "",
    language: str | None = None,
    in_reply_to_id: int | None = None,
    media_ids: Sequence[int] = (),
    poll: PollRequest | None = None,
    local_only: bool = False,
    scheduled_id: int | None = None,
) -> Status:
    """A new post (`scheduled_id`: the scheduled post it publishes, whose uploads it takes)."""
    user = await _author(context, username)
    if visibility not in VISIBILITIES:
        raise PostError.of("visibility", "ERR_INCLUSION", "is not included in the list")
    attached = await _attachable(context, user, media_ids, scheduled_id=scheduled_id)
    check_text(text, spoiler_text, bool(attached))
    if poll is not None:
        check_poll(poll)  # before anything is resolved or written
    parent: Status | None = None
    if in_reply_to_id is not None:
        async with context.db.read() as conn:
            parent = await statuses.get_by_id(conn, in_reply_to_id)
        if parent is None:
            raise PostError.of(
                "in_reply_to_id", "ERR_INVALID", "The post replied to does not exist",
                is_sentence=True,
            )  # fmt: skip
        # A reply to a local-only post stays here too, so the thread never leaks out by a reply.
        local_only = local_only or parent.is_local_only
    mentions = await _resolve_mentions(context, text)
    account = user.account
    # A post for a private group goes to the group alone, whatever the app asked (group_posting).
    group, parent = await _group_target(context, account, list(mentions.values()), parent, poll)
    if group is not None:
        visibility = "direct"
    status_id = ids.new_id()
    now = utcnow()
    uri = context.urls.status(account.username, status_id)
    new = NewStatus(
        id=status_id,
        uri=uri,
        url=context.urls.status_page(account.username, status_id),
        account_id=account.id,
        visibility=visibility,
        content=text_to_html(
            text, {h: (a.url or a.uri) for h, a in mentions.items()}, f"{context.urls.base}/tags"
        ),
        source_text=text,
        spoiler_text=spoiler_text,
        is_sensitive=bool(spoiler_text),
        language=language,
        is_local=True,
        created_at=to_db(now),
        in_reply_to_id=parent.id if parent else None,
        in_reply_to_uri=parent.uri if parent else None,
        in_reply_to_account_id=parent.account_id if parent else None,
        thread_uri=(parent.thread_uri or parent.uri) if parent else None,
        mentions=(group.id,) if group else tuple(a.id for a in mentions.values()),
        tags=tuple(find_hashtags(text)),
        poll=new_poll(poll, now) if poll else None,
        is_local_only=local_only,
        group_id=group.id if group else None,
    )
    # A reply reaches the author of the post it answers, unless it is a direct message that
    # does not mention them (Mastodon's rule: direct goes to the mentioned only).
    extra = (parent.account_id,) if parent and visibility != "direct" else ()

    def write(conn: Connection) -> None:
        statuses.insert_status(conn, new)
        media.attach(conn, account.id, status_id, attached, new.created_at)
        if group is not None:
            return  # the group's copy notifies the members it mentions, and nobody else
        interactions.notify(conn, new.mentions, "mention", account.id, status_id, new.created_at)
        if parent is not None:
            interactions.notify(
                conn, [parent.account_id], "mention", account.id, status_id, new.created_at
            )

    try:
        await context.db.write(write)
    except media.MediaError as exc:
        raise PostError(exc.problem) from None
    async with context.db.read() as conn:
        status = await statuses.get_by_id(conn, status_id)
    assert status is not None
    if group is not None:
        await group_posting.submit(context, status, account, group, list(mentions.values()))
        return status
    await notify_subscribers_of(context, status)
    if status.is_local_only:
        return status
    status = await group_relay.claim_local_post(context, status)  # FEP-1b12 public groups
    audience = audience_for(status, list(new.mentions), extra)
    document = await note_document(context, status, account, with_context=False)
    activity = create_to_ap(document, account)
    await context.db.write(
        lambda conn: enqueue(conn, account.id, activity, audience, new.created_at)
    )
    context.wake.outbox.set()
    await group_relay.relay_local_post(context, status, activity)
    return status


async def _group_target(
    context: Context,
    author: Account,
    mentioned: list[Account],
    parent: Status | None,
    poll: PollRequest | None,
) -> tuple[Account | None, Status | None]:
    """The private group the post goes to (if any) and the post it then answers."""
    try:
        target = await group_posting.target_of(context, author, mentioned, parent)
    except group_posting.GroupPostError as exc:
        raise PostError.of(BASE, "ERR_INVALID", str(exc)) from None
    if target is None:
        return None, parent
    if poll is not None:
        raise PostError.of(
            "poll", "ERR_UNSUPPORTED", "A post to a private group cannot have polls",
            is_sentence=True,
        )  # fmt: skip
    return target


async def _attachable(
    context: Context, user: User, media_ids: Sequence[int] | None, status_id: int | None = None,
    scheduled_id: int | None = None,
) -> tuple[int, ...]:  # fmt: skip
    try:
        return await media.check_attachable(
            context, user.account.id, media_ids or (), status_id, scheduled_id
        )
    except media.MediaError as exc:
        raise PostError(exc.problem) from None


async def _own_status(context: Context, user: User, status_id: int) -> Status:
    async with context.db.read() as conn:
        status = await statuses.get_of_account(conn, user.account.id, status_id)
    if status is None:
        raise PostError.of(BASE, "ERR_INVALID", "no such post of yours")
    return status


async def edit_status(
    context: Context,
    username: str,
    status_id: int,
    text: str,
    spoiler_text: str = "",
    media_ids: Sequence[int] | None = None,
) -> Status:
    """Replace the text of one's post, keep the old version in its history, send an Update.
    media_ids, when given, become the post's attachments (Mastodon: all of them, in order)."""
    user = await _author(context, username)
    status = await _own_status(context, user, status_id)
    attached = await _attachable(context, user, media_ids, status.id)
    async with context.db.read() as conn:
        kept = media_ids is None and bool((await statuses.details(conn, status.id)).attachments)
    check_text(text, spoiler_text, bool(attached) or kept)
    mentions = await _resolve_mentions(context, text)
    group = await group_posting.submission_group(context, status)
    now = utcnow()
    edited = NewStatus(
        id=status.id, uri=status.uri, url=status.url, account_id=status.account_id,
        visibility=status.visibility,
        content=text_to_html(
            text, {h: (a.url or a.uri) for h, a in mentions.items()}, f"{context.urls.base}/tags"
        ),
        spoiler_text=spoiler_text, is_sensitive=bool(spoiler_text), language=status.language,
        is_local=True, created_at=to_db(status.created_at), source_text=text,
        edited_at=to_db(now), tags=tuple(find_hashtags(text)),
        mentions=(group.id,) if group else tuple(a.id for a in mentions.values()),
    )  # fmt: skip
    async with context.db.read() as conn:
        before = await statuses.mentioned_account_ids(conn, status.id)

    def write(conn: Connection) -> None:
        statuses.apply_edit(conn, status, edited)
        if media_ids is not None:
            media.attach(conn, user.account.id, status.id, attached, to_db(now))

    try:
        await context.db.write(write)
    except media.MediaError as exc:
        raise PostError(exc.problem) from None
    async with context.db.read() as conn:
        updated = await statuses.get_by_id(conn, status.id)
    assert updated is not None
    if group is not None:
        await group_posting.resubmit(context, updated, user.account, group, [*mentions.values()])
        return updated
    await notify_boosters_of_edit(context, updated)
    if updated.is_local_only:
        return updated
    document = await note_document(context, updated, user.account, with_context=False)
    activity = wrap(
        "Update", f"{status.uri}#updates/{int(now.timestamp() * 1000)}", user.account, document,
        document["to"], document["cc"], to_ap(now),
    )  # fmt: skip
    audience = audience_for(updated, [*before, *edited.mentions])
    await context.db.write(
        lambda conn: enqueue(conn, user.account.id, activity, audience, to_db(now))
    )
    context.wake.outbox.set()
    await group_relay.relay_post_update(context, updated, activity)
    return updated


async def delete_status(context: Context, username: str, status_id: int) -> Status:
    """Delete a post of your own: a tombstone takes its place; a Delete goes to all who had it."""
    user = await get_member(context, username)
    status = await _own_status(context, user, status_id)
    group = await group_posting.submission_group(context, status)
    async with context.db.read() as conn:
        details = await statuses.details(conn, status.id)
    mentioned = [m.account_id for m in details.mentions]
    now = to_db(utcnow())
    tombstone = {"id": status.uri, "type": "Tombstone", "atomUri": status.uri}
    # The Delete is addressed like the post was, so it reaches exactly who could see it.
    to, cc = addressing(
        status.visibility, user.account.followers_uri, [m.uri for m in details.mentions]
    )
    activity = wrap("Delete", f"{status.uri}#delete", user.account, tombstone, to, cc)
    audience = audience_for(status, mentioned, (status.in_reply_to_account_id or 0,))
    await group_relay.relay_post_delete(context, status, activity)  # while its boost is here

    def write(conn: Connection) -> None:
        media.detach(conn, status.id, now)
        statuses.delete_status(conn, status, now)
        if status.is_local_only or group is not None:
            return  # it never left (local-only), or the group alone had it (withdraw)
        enqueue(
            conn,
            user.account.id,
            activity,
            Audience(audience.followers_of, tuple(a for a in audience.account_ids if a)),
            now,
        )

    await context.db.write(write)
    if group is not None:
        await group_posting.withdraw(context, status, user.account, group)
    context.wake.outbox.set()
    return status


async def pin_status(context: Context, username: str, status_id: int) -> None:
    user = await get_member(context, username)
    async with context.db.read() as conn:
        status = await statuses.get_public(conn, user.account.id, status_id)
    if status is None:
        raise PostError.of(
            BASE, "ERR_INVALID", "only your own public or unlisted posts can be pinned"
        )
    now = to_db(utcnow())
    await context.db.write(lambda conn: pins.pin(conn, user.account.id, status_id, now))
