"""FEP-8fcf, receiving side: a delivery may carry `Collection-Synchronization` with the sender's
followers collection, the digest of its followers on our server, and where to fetch them. When
our local follows of the sender disagree, we fetch that partial collection and end every local
follow it does not list: the sender removed them and we missed the Reject (groups.md, leaving a
private group). Run by the inbox worker after the activity, never inside the request."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from fedi.activitypub.parse import as_list, host_of, uri_of
from fedi.context import Context
from fedi.core.models import Account
from fedi.db import follows
from fedi.db.connection import Connection
from fedi.federation.dereference import fetch_document
from fedi.groups.groups import followers_digest

log = logging.getLogger(__name__)
HEADER = "collection-synchronization"
MAX_HEADER = 2048
MAX_PAGES = 10
_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*"([^"\\]*)"\s*(?:,|$)')
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class SyncError(Exception):
    """The header is malformed or does not belong to its sender; the message says why."""


@dataclass(frozen=True)
class SyncHeader:
    collection_id: str
    url: str
    digest: str


def parse_header(value: str) -> SyncHeader:
    """`collectionId="…", url="…", digest="…"`, each exactly once (FEP-8fcf)."""
    if len(value) > MAX_HEADER:
        raise SyncError("the header is too long")
    params: dict[str, str] = {}
    position = 0
    while position < len(value):
        match = _PARAM.match(value, position)
        if match is None or match.end() == position:
            raise SyncError('the header is not a list of name="value" pairs')
        if match[1] in params:
            raise SyncError(f"{match[1]} appears twice")
        params[match[1]] = match[2]
        position = match.end()
    try:
        header = SyncHeader(params["collectionId"], params["url"], params["digest"].lower())
    except KeyError as exc:
        raise SyncError(f"the header has no {exc.args[0]}") from None
    if not _DIGEST.match(header.digest):
        raise SyncError("the digest is not a hex SHA-256")
    return header


def check_sender(header: SyncHeader, sender: Account) -> None:
    """The collection must be the sender's own followers, and the list on the sender's host: a
    server may only ever speak about its own followers."""
    if sender.is_local or not sender.followers_uri:
        raise SyncError("the sender has no followers collection")
    if header.collection_id != sender.followers_uri:
        raise SyncError("the collection is not the sender's followers")
    if not header.url.startswith(("https://", "http://")) or host_of(header.url) != sender.host:
        raise SyncError("the partial collection is not on the sender's host")


async def _listed(context: Context, url: str, host: str) -> set[str]:
    """The actor ids of a (partial) collection, following its pages on the same host."""
    listed: set[str] = set()
    page: Any = await fetch_document(context, url)
    for _ in range(MAX_PAGES):
        if host_of(str(page.get("id", ""))) != host:
            raise SyncError("the collection came from another host")
        for key in ("orderedItems", "items"):
            listed.update(uri for uri in map(uri_of, as_list(page.get(key))) if uri)
        following = page.get("first") or page.get("next")
        if isinstance(following, dict):
            page = following
            page.setdefault("id", url)
        elif isinstance(following, str):
            if host_of(following) != host:
                raise SyncError("the collection's pages are on another host")
            page = await fetch_document(context, following)
        else:
            return listed
    raise SyncError(f"the collection has more than {MAX_PAGES} pages")


async def synchronize(context: Context, sender: Account, value: str) -> list[str]:
    """Apply one received header; returns the actor ids of the local follows it ended. Raises
    SyncError for a header we do not believe, DereferenceError when the list cannot be read."""
    header = parse_header(value)
    check_sender(header, sender)
    async with context.db.read() as conn:
        local = await follows.local_follower_uris(conn, sender.id)
    if not local or followers_digest([uri for _, uri in local]) == header.digest:
        return []  # nothing here to end, or we agree
    listed = await _listed(context, header.url, sender.host or "")
    stale = [(follower_id, uri) for follower_id, uri in local if uri not in listed]
    if not stale:
        return []

    def end(conn: Connection) -> None:
        for follower_id, _ in stale:
            follows.delete_follow(conn, follower_id, sender.id)

    await context.db.write(end)
    for _, uri in stale:
        log.info("FEP-8fcf: %s no longer lists %s as a follower; follow ended", sender.uri, uri)
    return [uri for _, uri in stale]
