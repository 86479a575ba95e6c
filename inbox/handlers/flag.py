"""Flag: another server reports one of our accounts (and some of its posts). A report opens with
the sending actor as reporter, unless reports from its domain are rejected. Objects that are
not ours, unknown, or another account's posts are left out; a Flag naming no local account is
ignored."""

from __future__ import annotations

import logging

from fedi.activitypub.parse import uri_of
from fedi.context import Context
from fedi.moderation.report_flags import local_objects
from fedi.moderation.reports import receive_flag
from inbox.handlers.common import Incoming

log = logging.getLogger(__name__)
MAX_OBJECTS = 100


async def handle_flag(context: Context, incoming: Incoming) -> None:
    named = incoming.object if isinstance(incoming.object, list) else [incoming.object]
    uris = [u for u in (uri_of(item) for item in named[:MAX_OBJECTS]) if u]
    target, reported = await local_objects(context, uris)
    if target is None:
        log.info("ignoring Flag %s from %s: it names no local account", incoming.id,
                 incoming.actor.uri)  # fmt: skip
        return
    content = incoming.activity.get("content")
    comment = content if isinstance(content, str) else ""
    await receive_flag(context, incoming.id, incoming.actor, target, reported, comment)
