"""Telling the space's members' servers about its library: a new document is sent by the space
as Create{Document}, a new version as Update{Document}, a removal as Delete, addressed as the
space's posts are (a members-only space's to its current members alone, groups.md; a public
space's to its followers). The file stays on this server: the Document's url is ours, and a
members-only space's file is served only to a member's signed fetch (fedi.web.media). Nothing
about a local-only space leaves."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.library import LIBRARY_CONTEXT, document_to_ap
from fedi.activitypub.notes import wrap
from fedi.activitypub.vocab import PUBLIC
from fedi.context import Context
from fedi.core.models import Group
from fedi.core.timeutil import to_ap, to_db, utcnow
from fedi.db.connection import Connection
from fedi.db.library import Document
from fedi.federation.publish import Audience, enqueue


def _addressing(group: Group) -> tuple[list[str], list[str], Audience]:
    followers = group.account.followers_uri or group.account.uri
    if group.is_private:
        return [followers], [], Audience(members_of=group.id)
    return [PUBLIC], [followers], Audience(followers_of=group.id)


async def _send(
    context: Context, group: Group, activity: dict[str, Any], audience: Audience
) -> None:
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        enqueue(conn, group.id, activity, audience, now)

    await context.db.write(write)
    context.wake.outbox.set()


async def document_added(context: Context, group: Group, document: Document) -> None:
    if group.is_local_only or document.latest.file is None:
        return
    to, cc, audience = _addressing(group)
    url = context.urls.media(document.latest.file)
    obj = document_to_ap(document, document.latest, group.account, url, to, cc)
    kind = "Create" if document.version_count == 1 else "Update"
    activity_id = f"{document.uri}#versions/{document.latest.id}"
    activity = wrap(kind, activity_id, group.account, obj, to, cc, to_ap(utcnow()))
    activity["@context"] = LIBRARY_CONTEXT
    await _send(context, group, activity, audience)


async def document_removed(context: Context, group: Group, document: Document) -> None:
    if group.is_local_only:
        return
    to, cc, audience = _addressing(group)
    tombstone = {"id": document.uri, "type": "Tombstone"}
    activity = wrap("Delete", f"{document.uri}#delete", group.account, tombstone, to, cc)
    await _send(context, group, activity, audience)
