"""A remote space's library, as its members here see it: documents the space announced
(Create/Update{Document} from the group, checked strictly and kept only while someone here is a
member) stored as links to the space's server, removed by its Delete; and a member's download,
fetched from the space's server with a GET signed by that member's own actor (the space serves
a members-only file to a member's signature only), never kept here."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fedi.activitypub.library import document_from_ap
from fedi.activitypub.parse import InvalidActivity, host_of
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import follows
from fedi.db import library as library_rows
from fedi.db.connection import Connection
from fedi.db.library import Document, NewDocument, NewVersion
from fedi.federation.signing import signer_for
from fedi.library.spaces import space_for
from fedi.media.images import SIZE_LIMIT
from fedi.transport.netguard import FetchError

log = logging.getLogger(__name__)


class DownloadError(Exception):
    """The file cannot be had: unknown, not the reader's, or the space's server refused."""


@dataclass(frozen=True)
class Download:
    document: Document
    media_type: str
    data: bytes


async def receive_document(context: Context, obj: dict[str, Any], actor: Account) -> None:
    """A Document a remote space announced: its own (attributed to it, in its context, on its
    host, its file too), within the size limit, for a space someone here is a member of."""
    parsed = document_from_ap(obj)
    if actor.actor_type != "Group" or actor.domain is None:
        raise InvalidActivity("only a space sends its library's documents")
    if parsed.attributed_to != actor.uri or parsed.context != actor.uri:
        raise InvalidActivity("the document is not the space's own")
    home = host_of(actor.uri)
    if host_of(parsed.uri) != home or host_of(parsed.url) != home:
        raise InvalidActivity("a space's documents are kept by its own server")
    if parsed.size > SIZE_LIMIT:
        raise InvalidActivity("the document is larger than uploads may be")
    async with context.db.read() as conn:
        if not await follows.has_local_follower(conn, actor.id):
            return  # nobody here is a member: nothing to keep
    now = to_db(utcnow())
    new = NewDocument(
        id=ids.new_id(), group_id=actor.id, folder_id=None, name=parsed.name,
        title=parsed.title, description=parsed.description, language=parsed.language,
        uploaded_by_id=None, uri=parsed.uri, is_local=False, now=now,
    )  # fmt: skip
    version = NewVersion(
        id=ids.new_id(), file=None, remote_url=parsed.url, media_type=parsed.media_type,
        size=parsed.size, uploaded_by_id=None,
    )  # fmt: skip
    if not await context.db.write(lambda conn: library_rows.store_remote(conn, new, version)):
        raise InvalidActivity("the document's id belongs to another space")
    log.info("library document %s of %s kept", parsed.uri, actor.uri)


async def receive_removal(context: Context, uri: str, actor: Account) -> bool:
    """A space removed one of its documents: True if it was one kept here."""

    def write(conn: Connection) -> bool:
        found = library_rows.remote_document_id(conn, uri, actor.id)
        if found is not None:
            library_rows.delete_document(conn, found)
        return found is not None

    return bool(await context.db.write(write))


async def download(context: Context, version_id: int, reader: Account) -> Download:
    """A version of a remote space's document for a member here: fetched from the space's
    server, signed by the member's own actor."""
    async with context.db.read() as conn:
        found = await library_rows.get_version(conn, version_id)
    if found is None or found[0].remote_url is None:
        raise DownloadError("no such file")
    version, document = found
    url = found[0].remote_url
    if await space_for(context, document.group_id, reader) is None:
        raise DownloadError("no such file")
    try:
        response = await context.http.get(
            url, {"Accept": "*/*"}, sign=signer_for(context, reader),
            max_bytes=SIZE_LIMIT,
        )  # fmt: skip
        response.raise_for_status()
    except FetchError as exc:
        log.info("library file %d not fetched: %s", version.id, exc)
        raise DownloadError("the space's server did not give the file") from None
    return Download(document, version.media_type, response.body)
