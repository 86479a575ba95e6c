"""Update of a post (an edit, kept in its history) or of the actor itself (its profile, and its
key: the Update is signed by the key we hold, so a new key in it is trusted, security.md S13)."""

from __future__ import annotations

from fedi.activitypub.parse import InvalidActivity, types_of
from fedi.activitypub.remote_actor import ACTOR_TYPES, actor_from_ap
from fedi.activitypub.remote_note import POST_TYPES, note_from_ap
from fedi.context import Context
from fedi.core.models import NewStatus
from fedi.core.timeutil import to_db, utcnow
from fedi.db import statuses
from fedi.events.remote import is_event, receive_event
from fedi.federation.refused_sources import refused_object
from fedi.federation.remote_accounts import store_actor
from fedi.federation.remote_posts import mentioned_ids, status_by_uri
from fedi.groups.relay import relay_post_update
from fedi.groups.submissions import receive_edit, submission_of
from fedi.library.remote import receive_document
from fedi.relationships.subscriptions import notify_boosters_of_edit
from fedi.statuses.voting import refresh_counts
from inbox.handlers.common import Incoming


async def handle_update(context: Context, incoming: Incoming) -> None:
    obj = incoming.object
    if not isinstance(obj, dict):
        return  # an Update by reference says nothing; the next fetch will see any change
    kinds = types_of(obj)
    actor = incoming.actor
    if kinds & set(ACTOR_TYPES):
        updated = actor_from_ap(obj)
        if updated.uri != actor.uri:
            raise InvalidActivity("an actor can only update itself")
        await store_actor(context, updated, accept_new_key=True)
        return
    if is_event(obj):
        await receive_event(context, obj, actor)
        return
    if "Document" in kinds:  # a new version of a space's library document
        await receive_document(context, obj, actor)
        return
    if not kinds & set(POST_TYPES):
        return
    if await refused_object(context, obj) is not None:
        return  # a post from a refused domain or by a suspended author (security.md M5)
    note = note_from_ap(obj)
    status = await status_by_uri(context, note.uri)
    if status is None:
        # A member's submission is not kept, but a private group here may hold a copy of it.
        submission = submission_of(obj, note, incoming.id, incoming.recipient_id)
        await receive_edit(context, submission, actor)
        return  # never received: nothing else to edit
    if status.account_id != actor.id or note.author_uri != actor.uri:
        raise InvalidActivity("only the author can edit a post")
    if await refresh_counts(context, status, note):
        return  # a poll's new counts: no edit in the history
    if (
        note.updated is not None
        and status.edited_at is not None
        and note.updated <= status.edited_at
    ):
        # As Mastodon's already_updated_more_recently?, and an edit applied already (its
        # handler run again after its worker died) is not applied a second time.
        return
    mentions = await mentioned_ids(context, note, None)
    edited = NewStatus(
        id=status.id, uri=status.uri, url=status.url, account_id=status.account_id,
        visibility=status.visibility, content=note.content, spoiler_text=note.spoiler_text,
        is_sensitive=note.is_sensitive, language=note.language, is_local=False,
        created_at=to_db(status.created_at), title=note.title,
        edited_at=to_db(note.updated or utcnow()), tags=note.tags,
        attachments=note.attachments, poll=note.poll, mentions=tuple(mentions),
    )  # fmt: skip
    await context.db.write(lambda conn: statuses.apply_edit(conn, status, edited))
    await notify_boosters_of_edit(context, status)
    await relay_post_update(context, status, incoming.activity)
