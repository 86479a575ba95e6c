"""Mastodon API entities (Account, Status and their parts) from our models, with the wire habits
apps rely on: string ids, millisecond UTC timestamps, absolute avatar URLs."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.actor import avatar_url, header_url
from fedi.api.attachments import attachment_json, rejected_attachment_json
from fedi.api.poll_fields import poll_json
from fedi.context import Context
from fedi.core.html import inline_text_to_html
from fedi.core.models import Account, Status, User
from fedi.core.timeutil import to_api
from fedi.db import accounts, bookmarks, interactions, preferences, statuses


def acct_of(account: Account) -> str:
    return account.username if account.is_local else f"{account.username}@{account.domain}"


async def account_json(context: Context, account: Account) -> dict[str, Any]:
    async with context.db.read() as conn:
        counts = await accounts.counts(conn, account.id)
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
    async with context.db.read() as conn:
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
    async with context.db.read() as conn:
        author = await accounts.get_by_id(conn, status.account_id)
        details = await statuses.details(conn, status.id)
        original = (
            await statuses.get_by_id(conn, status.reblog_of_id) if status.reblog_of_id else None
        )
        favourites = await interactions.count_favourites(conn, status.id)
        reblogs = await statuses.count_reblogs(conn, status.id)
        replies = await statuses.count_replies(conn, status.id, with_local_only=viewer is not None)
        favourited = (
            viewer is not None
            and await interactions.favourite_uri(conn, viewer.account.id, status.id) is not None
        )
        bookmarked = viewer is not None and await bookmarks.is_bookmarked(
            conn, viewer.account.id, status.id
        )
        pinned = viewer is not None and await bookmarks.is_pinned(
            conn, viewer.account.id, status.id
        )
        reblogged = (
            viewer is not None
            and await statuses.get_reblog(conn, viewer.account.id, status.id) is not None
        )
    assert author is not None
    return {
        "id": str(status.id),
        "uri": status.uri,
        "url": status.url,
        "created_at": to_api(status.created_at),
        "edited_at": to_api(status.edited_at),
        "account": await account_json(context, author),
        "content": status.content,
        "visibility": "private" if status.visibility == "private" else status.visibility,
        "local_only": status.is_local_only,  # as GoToSocial names it
        "sensitive": status.is_sensitive,
        "spoiler_text": status.spoiler_text,
        "language": status.language,
        "in_reply_to_id": str(status.in_reply_to_id) if status.in_reply_to_id else None,
        "in_reply_to_account_id": (
            str(status.in_reply_to_account_id) if status.in_reply_to_account_id else None
        ),
        "reblog": await status_json(context, original, viewer) if original else None,
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
        "tags": [{"name": t, "url": f"{context.urls.base}/tags/{t}"} for t in details.tags],
        "emojis": [],
        "reblogs_count": reblogs,
        "favourites_count": favourites,
        "replies_count": replies,
        "favourited": favourited,
        "reblogged": reblogged,
        "muted": False,
        "bookmarked": bookmarked,
        "pinned": pinned,
        "card": None,
        "poll": await poll_json(context, status, viewer),
        "application": None,
        "filtered": [],
    }
