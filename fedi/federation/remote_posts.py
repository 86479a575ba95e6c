"""Remote posts kept here: stored when they concern someone here, with their thread's parents
fetched from their origin within bounds (security.md R4). Used by the inbox and by search.
Nothing is stored from a suspended author, and no parent is fetched from a refused domain or
kept from a suspended author (security.md M6, M7): the reply is kept without it."""

from __future__ import annotations

import logging
from typing import Any

from fedi.activitypub.parse import InvalidActivity, host_of
from fedi.activitypub.remote_note import ParsedNote, note_from_ap, visibility_of
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import Account, NewAttachment, NewStatus, Status
from fedi.core.timeutil import to_db, utcnow
from fedi.db import account_lookups, accounts, follows, interactions, status_ids, statuses
from fedi.db.account_lookups import KnownRefs
from fedi.federation.dereference import DereferenceError, fetch_document
from fedi.federation.refused_sources import refused_author, refuses_uri
from fedi.federation.remote_accounts import ActorError, get_actor
from fedi.transport.netguard import AddressPolicy, FetchError, check_url

log = logging.getLogger(__name__)
MAX_REPLY_DEPTH = 16  # security.md R4: parents are fetched this far up a thread, no further


def is_ours(context: Context, uri: str) -> bool:
    return host_of(uri) == context.settings.domain


async def status_by_uri(context: Context, uri: str) -> Status | None:
    async with context.db.read() as conn:
        return await statuses.get_by_uri(conn, uri)


async def _is_relevant(
    context: Context, note: ParsedNote, author: Account, incoming_to: int | None
) -> bool:
    """Whether anyone here has a reason to keep this post: it is for a local account, its
    author has local followers, or it answers a local post."""
    if incoming_to is not None:
        return True
    addressed = [*note.to, *note.cc, *note.mention_uris]
    if note.audience:
        addressed.append(note.audience)
    if any(is_ours(context, uri) for uri in addressed):
        return True
    if note.in_reply_to_uri and is_ours(context, note.in_reply_to_uri):
        return True
    async with context.db.read() as conn:
        return await follows.has_local_follower(conn, author.id)


async def mentioned_ids(
    context: Context, note: ParsedNote, recipient_id: int | None, known: KnownRefs | None = None
) -> list[int]:
    """Mentioned accounts we know, plus local accounts addressed without a Mention tag (Mastodon's
    silent mentions), so that a direct message reaches them and nobody else. `known`: local
    accounts read already. Of the addressees only ours are looked up: an account on another
    host is never local."""
    found: list[int] = []
    addressed = (uri for uri in (*note.to, *note.cc) if is_ours(context, uri))
    named = list(dict.fromkeys((*note.mention_uris, *addressed)))
    async with context.db.read() as conn:
        refs = await account_lookups.refs_by_uri(conn, named, known)
    for uri in named:
        account = refs.get(uri)
        if account is not None and (uri in note.mention_uris or account.is_local):
            found.append(account.id)
    if recipient_id is not None:
        found.append(recipient_id)
    return list(dict.fromkeys(found))


async def _remote_group_of(context: Context, note: ParsedNote) -> int | None:
    """The remote group a post says it belongs to (its FEP-1b12 audience), when we know that
    group. A local group's posts are marked by the group itself, after its checks
    (fedi.groups.relay), never on the post's say-so."""
    if note.audience is None or is_ours(context, note.audience):
        return None
    async with context.db.read() as conn:
        group = await accounts.get_by_uri(conn, note.audience)
    return group.id if group is not None and group.actor_type == "Group" else None


async def store_note(
    context: Context,
    note: ParsedNote,
    author: Account,
    *,
    recipient_id: int | None = None,
    depth: int = 0,
    force: bool = False,
    known: KnownRefs | None = None,
    present: frozenset[str] | None = None,
) -> Status | None:
    """Store a remote post unless it is already here, was deleted, or concerns nobody here.
    Read for a batch of the inbox already: `known`, local accounts (account_lookups.KnownRefs);
    `present`, the posts stored or tombstoned then: one not among them is not looked for again
    before its write, which checks instead."""
    if present is None or note.uri in present:
        found, existing = await _already_here(context, note.uri)
        if found:
            return existing
    if not force and not await _is_relevant(context, note, author, recipient_id):
        log.info("dropping %s: it concerns nobody here", note.uri)
        return None
    if author.is_suspended or refuses_uri(context, author.uri):
        log.info("dropping %s: its author %s is suspended or refused", note.uri, author.uri)
        return None
    parent = None
    if note.in_reply_to_uri and not refuses_uri(context, note.in_reply_to_uri):
        parent = await fetch_status(context, note.in_reply_to_uri, depth + 1)
    mentions = await mentioned_ids(context, note, recipient_id, known)
    group_id = await _remote_group_of(context, note)
    now = utcnow()
    new = NewStatus(
        id=new_id(), uri=note.uri, url=note.url, account_id=author.id,
        visibility=visibility_of(note, author.followers_uri), content=note.content,
        spoiler_text=note.spoiler_text, is_sensitive=note.is_sensitive, language=note.language,
        is_local=False, created_at=to_db(min(note.published or now, now)),
        object_type=note.object_type, title=note.title,
        in_reply_to_id=parent.id if parent else None, in_reply_to_uri=note.in_reply_to_uri,
        in_reply_to_account_id=parent.account_id if parent else None,
        # The thread of a known parent wins over what the note claims, so a reply from a server
        # that names threads its own way still joins the thread (and conversation) it answers.
        thread_uri=(parent.thread_uri or parent.uri) if parent else note.thread_uri,
        reply_depth=depth, mentions=tuple(mentions), tags=note.tags,
        attachments=_linkable(context, note), poll=note.poll, group_id=group_id,
    )  # fmt: skip
    stamp = to_db(now)

    def write(conn: Any) -> bool:
        if present is not None and status_ids.is_present(conn, new.uri):
            return False  # stored or deleted since the batch began
        statuses.insert_status(conn, new)
        interactions.notify(conn, mentions, "mention", author.id, new.id, stamp)
        return True

    if not await context.db.write(write):
        return (await _already_here(context, note.uri))[1]
    return statuses.as_stored(new)


def _public(url: str, policy: AddressPolicy) -> bool:
    try:
        check_url(url, policy=policy)
    except FetchError:
        return False
    return True


def _linkable(context: Context, note: ParsedNote) -> tuple[NewAttachment, ...]:
    """The media apps may be sent to: none on a loopback, private or otherwise reserved
    address (security.md F1), which a hostile post could name to reach a reader's network."""
    policy = AddressPolicy(context.settings.allow_private_networks)
    kept = tuple(a for a in note.attachments if a.remote_url and _public(a.remote_url, policy))
    if len(kept) < len(note.attachments):
        log.info("%s: dropped media on addresses apps must not reach", note.uri)
    return kept


async def _already_here(context: Context, uri: str) -> tuple[bool, Status | None]:
    """Whether the post is stored or tombstoned here, and the stored one."""
    async with context.db.read() as conn:
        stored, tombstoned = await status_ids.presence(conn, uri)
        existing = await statuses.get_by_uri(conn, uri) if stored else None
    return existing is not None or tombstoned, existing


async def fetch_status(context: Context, uri: str, depth: int = 0) -> Status | None:
    """A post by its id: ours, already stored, or fetched from its origin (bounded depth; a
    cycle ends at a post already stored or at the bound)."""
    if is_ours(context, uri):
        return await status_by_uri(context, uri)
    known = await status_by_uri(context, uri)
    if known is not None or depth > MAX_REPLY_DEPTH:
        return known
    if refuses_uri(context, uri):
        return None
    try:
        document = await fetch_document(context, uri)
        note = note_from_ap(document)
        if host_of(note.author_uri) != host_of(note.uri):
            return None
        if await refused_author(context, note.author_uri):
            return None
        author = await get_actor(context, note.author_uri)
    except (DereferenceError, InvalidActivity, ActorError) as exc:
        log.info("could not fetch %s: %s", uri, exc)
        return None
    return await store_note(context, note, author, depth=depth, force=True)
