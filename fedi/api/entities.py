"""Mastodon API entities (Account, Status and their parts) from our models, with the wire habits
apps rely on: string ids, millisecond UTC timestamps, absolute avatar URLs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fedi.activitypub.actor import avatar_url, header_url
from fedi.api.attachments import attachment_json, rejected_attachment_json
from fedi.api.kept import Kept
from fedi.api.poll_fields import poll_entity
from fedi.context import Context
from fedi.core.html import inline_text_to_html
from fedi.core.models import Account, Counts, Status, StatusDetails, User
from fedi.core.timeutil import to_api
from fedi.db import account_stats, accounts, preferences
from fedi.statuses.batch import Batch, load
from fedi.statuses.shown import shown_content


def acct_of(account: Account) -> str:
    return account.username if account.is_local else f"{account.username}@{account.domain}"


async def account_json(context: Context, account: Account) -> dict[str, Any]:
    async with context.db.read_now() as conn:
        counts = await account_stats.counts(conn, account.id)
    return account_entity(context, account, counts)


async def accounts_json(context: Context, listed: Sequence[Account]) -> list[dict[str, Any]]:
    """Many accounts, their counts read at once."""
    async with context.db.read_now() as conn:
        counts = await account_stats.counts_of(conn, [a.id for a in listed])
    return [account_entity(context, a, counts.get(a.id, account_stats.NO_COUNTS)) for a in listed]


# Rendered accounts and statuses, by id, with the stamp they were rendered from (fedi.api.kept).
_accounts: Kept[int, tuple[dict[str, Any], bytes]] = Kept(2048)
_statuses: Kept[int, _Base] = Kept(2048)


def account_entity(context: Context, account: Account, counts: Counts) -> dict[str, Any]:
    return dict(_kept_account(context, account, counts)[0])  # callers may add keys


def account_bytes(context: Context, account: Account, counts: Counts) -> bytes:
    """account_entity as JSON, encoded once while the account stays the same."""
    return _kept_account(context, account, counts)[1]


def _kept_account(
    context: Context, account: Account, counts: Counts
) -> tuple[dict[str, Any], bytes]:
    stamp = (account, counts, context.policy.current, context.urls)
    kept = _accounts.get(account.id, stamp)
    if kept is None:
        entity = _account_entity(context, account, counts)
        kept = (entity, dump_json(entity))
        _accounts.put(account.id, stamp, kept)
    return kept


def _account_entity(context: Context, account: Account, counts: Counts) -> dict[str, Any]:
    # A domain whose media is rejected shows the default pictures (Mastodon reject_media).
    rejected = account.domain is not None and context.policy.current.rejects_media(account.domain)
    avatar = (None if rejected else account.avatar_remote_url) or avatar_url(account, context.urls)
    header = (None if rejected else account.header_remote_url) or header_url(account, context.urls)
    return {
        "id": str(account.id),
        "username": account.username,
        "acct": acct_of(account),
        "display_name": account.display_name,
        "locked": account.is_locked,
        "bot": account.is_bot,
        "discoverable": account.is_discoverable,
        "indexable": account.is_discoverable,
        "group": account.actor_type == "Group",
        "created_at": to_api(account.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": account.note,
        "url": account.url or account.uri,
        "uri": account.uri,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": counts.followers,
        "following_count": counts.following,
        "statuses_count": counts.statuses,
        "last_status_at": None,
        "hide_collections": False,
        "noindex": not account.is_discoverable,
        "emojis": [],
        "roles": [],
        "fields": [
            {
                "name": f.name,
                "value": inline_text_to_html(f.value) if account.is_local else f.value,
                "verified_at": None,
            }
            for f in account.fields
        ],
        "suspended": account.is_suspended or None,
    }


async def credential_account_json(context: Context, user: User) -> dict[str, Any]:
    body = await account_json(context, user.account)
    async with context.db.read_now() as conn:
        note = await accounts.note_source(conn, user.account.id)
        defaults = await preferences.posting_defaults(conn, user.account.id)
    body["source"] = {
        "privacy": defaults.visibility,
        "sensitive": defaults.sensitive,
        "language": defaults.language,
        "note": note,
        "fields": [
            {"name": f.name, "value": f.value, "verified_at": None} for f in user.account.fields
        ],
        "follow_requests_count": 0,
        "indexable": user.account.is_discoverable,
        "hide_collections": False,
        "discoverable": user.account.is_discoverable,
    }
    body["role"] = {
        "id": "0",
        "name": user.role,
        "permissions": "0",
        "color": "",
        "highlighted": False,
    }
    return {k: v for k, v in body.items() if v is not None or k == "last_status_at"}


async def status_json(context: Context, status: Status, viewer: User | None) -> dict[str, Any]:
    """One status (a page of them renders through load and status_entity)."""
    batch = await load(context, [status], viewer.account if viewer else None)
    return status_entity(context, batch, status, viewer)


def status_entity(
    context: Context, batch: Batch, status: Status, viewer: User | None
) -> dict[str, Any]:
    """Mastodon's Status entity of a status of the batch, for the viewer it was loaded for: the
    viewer-independent part kept (or rendered and kept), the viewer's own fields added."""
    details = batch.details_of(status)
    original = batch.original(status)
    poll = details.poll
    rendered = dict(_status_base(context, batch, status, details).entity)
    rendered["reblog"] = status_entity(context, batch, original, viewer) if original else None
    rendered["favourited"] = status.id in batch.favourited
    rendered["reblogged"] = status.id in batch.reblogged
    rendered["bookmarked"] = status.id in batch.bookmarked
    rendered["pinned"] = status.id in batch.pinned
    if poll is not None:  # its `expired`, `voted` and `own_votes` change with time and viewer
        rendered["poll"] = poll_entity(poll, batch.poll_choices.get(status.id, []), status, viewer)
    return rendered


def status_bytes(
    context: Context, batch: Batch, status: Status, viewer: User | None, filtered: bytes = b"[]"
) -> bytes:
    """status_entity as JSON (the kept part encoded once), with `filtered` (a JSON array) on
    the status and on the post it boosts, as fedi.api.filtering sets it."""
    details = batch.details_of(status)
    base = _status_base(context, batch, status, details)
    original = batch.original(status)
    poll = details.poll
    done = status.id
    return b"".join((
        base.head,
        b',"reblog":',
        status_bytes(context, batch, original, viewer, filtered) if original else b"null",
        base.middle,
        b',"favourited":', _JSON_BOOL[done in batch.favourited],
        b',"reblogged":', _JSON_BOOL[done in batch.reblogged],
        b',"muted":false,"bookmarked":', _JSON_BOOL[done in batch.bookmarked],
        b',"pinned":', _JSON_BOOL[done in batch.pinned],
        b',"card":null,"poll":',
        b"null" if poll is None
        else dump_json(poll_entity(poll, batch.poll_choices.get(done, []), status, viewer)),
        b',"application":null,"filtered":', filtered, b"}",
    ))  # fmt: skip


_JSON_BOOL = {True: b"true", False: b"false"}


def dump_json(content: Any) -> bytes:
    """As fedi.web.responses.JSONResponse encodes its content."""
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class _Base:
    """A status's viewer-independent entity, and its JSON around the viewer's fields: `head`
    up to in_reply_to_account_id (from the opening brace), `middle` from media_attachments to
    replies_count (with its leading comma)."""

    entity: dict[str, Any]
    head: bytes
    middle: bytes


_HEAD_END = "in_reply_to_account_id"
_MIDDLE = ("media_attachments", "mentions", "tags", "emojis", "reblogs_count",
           "favourites_count", "replies_count")  # fmt: skip


def _encoded(entity: dict[str, Any]) -> _Base:
    keys = list(entity)
    head = {k: entity[k] for k in keys[: keys.index(_HEAD_END) + 1]}
    middle = {k: entity[k] for k in _MIDDLE}
    return _Base(entity, dump_json(head)[:-1], b"," + dump_json(middle)[1:-1])


def _status_base(context: Context, batch: Batch, status: Status, details: StatusDetails) -> _Base:
    author = batch.accounts[status.account_id]
    counts = (
        batch.reblogs.get(status.id, 0),
        batch.favourites.get(status.id, 0),
        batch.replies.get(status.id, 0),
    )
    stamp = (
        status, author, batch.counts_of(author), details.mentions, details.tags,
        details.attachments, counts, context.policy.current, context.urls,
    )  # fmt: skip
    kept = _statuses.get(status.id, stamp)
    if kept is None:
        kept = _encoded(_render_base(context, batch, status, author, details, counts))
        _statuses.put(status.id, stamp, kept)
    return kept


def _render_base(
    context: Context, batch: Batch, status: Status, author: Account, details: StatusDetails,
    counts: tuple[int, int, int],
) -> dict[str, Any]:  # fmt: skip
    """Everything but the viewer's fields (set to their defaults, in their places)."""
    return {
        "id": str(status.id),
        "uri": status.uri,
        "url": status.url or status.uri,  # a post without a page: its id, as Mastodon's
        "created_at": to_api(status.created_at),
        "edited_at": to_api(status.edited_at),
        "account": account_entity(context, author, batch.counts_of(author)),
        "content": shown_content(status),
        "visibility": "private" if status.visibility == "private" else status.visibility,
        "local_only": status.is_local_only,  # as GoToSocial names it
        "sensitive": status.is_sensitive,
        "spoiler_text": status.spoiler_text,
        "language": status.language,
        "in_reply_to_id": str(status.in_reply_to_id) if status.in_reply_to_id else None,
        "in_reply_to_account_id": (
            str(status.in_reply_to_account_id) if status.in_reply_to_account_id else None
        ),
        "reblog": None,
        "media_attachments": [
            rejected_attachment_json(attachment_json(context.urls, a))
            if author.domain is not None and context.policy.current.rejects_media(author.domain)
            else attachment_json(context.urls, a)
            for a in details.attachments
        ],
        "mentions": [
            {
                "id": str(m.account_id),
                "username": m.username,
                "url": m.url or m.uri,
                "acct": m.username if m.domain is None else f"{m.username}@{m.domain}",
            }
            for m in details.mentions
        ],
        "tags": [{"name": t, "url": context.urls.tag(t)} for t in details.tags],
        "emojis": [],
        "reblogs_count": counts[0],
        "favourites_count": counts[1],
        "replies_count": counts[2],
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "pinned": False,
        "card": None,
        "poll": None,
        "application": None,
        "filtered": [],
    }
