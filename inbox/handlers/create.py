"""Create{Note, Article, Question, Page}: a new post (an Event is stored as an event, by
fedi.events.remote). The object's author must be the actor and live on the actor's host
(security.md S17); the post is kept only if it concerns someone here. A vote on one of our
polls (a Note with a `name` and no content) is counted, never stored as a reply. A post for one
of our private groups is the group's to copy or refuse (fedi.groups.submissions), never stored
as it came. A post from a refused domain or by a suspended author, relayed by anyone, is
dropped before anything is fetched (security.md M5). A space's Document is a document of its
library (fedi.library.remote); anyone else's Image, Audio, Video or Document is a post with its
media (fedi.activitypub.remote_media)."""

from __future__ import annotations

import logging

from fedi.activitypub.parse import InvalidActivity, host_of, types_of
from fedi.activitypub.remote_note import note_from_ap
from fedi.activitypub.votes import vote_from_ap
from fedi.context import Context
from fedi.events.remote import is_event, receive_event
from fedi.federation.dereference import fetch_document
from fedi.federation.refused_sources import refused_object
from fedi.federation.remote_posts import store_note
from fedi.groups.relay import relay_remote_post
from fedi.groups.submissions import receive, submission_of
from fedi.library.remote import receive_document
from fedi.relationships.subscriptions import notify_subscribers_of
from fedi.statuses.voting import receive_vote
from inbox.handlers.common import Incoming

log = logging.getLogger(__name__)


async def handle_create(context: Context, incoming: Incoming) -> None:
    obj = incoming.object
    refused = await refused_object(context, obj, incoming.actor)
    if refused is not None:
        log.info("dropped Create %s by %s: %s", incoming.id, incoming.actor.uri, refused)
        return
    if isinstance(obj, str):
        obj = await fetch_document(context, obj)  # from its origin, with the origin checks
    if not isinstance(obj, dict):
        raise InvalidActivity("the Create has no object")
    if is_event(obj):
        await receive_event(context, obj, incoming.actor)  # an event, not a plain post
        return
    if "Document" in types_of(obj) and incoming.actor.actor_type == "Group":
        await receive_document(context, obj, incoming.actor)  # a space's library document
        return
    vote = vote_from_ap(obj)
    if vote is not None:
        await receive_vote(context, vote, incoming.actor)
        return
    note = note_from_ap(obj)
    if note.author_uri != incoming.actor.uri or host_of(note.uri) != host_of(incoming.actor.uri):
        raise InvalidActivity("the object was not written by the actor")
    submission = submission_of(obj, note, incoming.id, incoming.recipient_id)
    known = incoming.batch.known
    if await receive(context, submission, incoming.actor, known):
        return
    stored = await store_note(
        context, note, incoming.actor, recipient_id=incoming.recipient_id, known=known,
        present=incoming.batch.present,
    )  # fmt: skip
    await notify_subscribers_of(context, stored, incoming.batch.subscribed)
    # FEP-1b12: a post for one of our public groups is shared by the group.
    await relay_remote_post(context, incoming.activity, obj, stored, incoming.actor, known)
