"""Local accounts as ActivityPub actors, field for field as Mastodon serves them."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.vocab import ACTOR_CONTEXT
from fedi.core.html import inline_text_to_html
from fedi.core.models import Account
from fedi.core.timeutil import to_ap
from fedi.core.urls import Urls

DEFAULT_AVATAR = "avatar.png"
DEFAULT_HEADER = "header.png"


def avatar_url(account: Account, urls: Urls) -> str:
    if account.avatar_file:
        return urls.media(account.avatar_file)
    return urls.static(DEFAULT_AVATAR)


def header_url(account: Account, urls: Urls) -> str:
    if account.header_file:
        return urls.media(account.header_file)
    return urls.static(DEFAULT_HEADER)


_IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                "gif": "image/gif", "webp": "image/webp", "avif": "image/avif"}  # fmt: skip


def _image(url: str) -> dict[str, str]:
    extension = url.rsplit(".", 1)[-1].lower()
    return {"type": "Image", "mediaType": _IMAGE_TYPES.get(extension, "image/png"), "url": url}


def _public_key(account: Account) -> dict[str, str]:
    assert account.public_key_id and account.public_key_pem
    return {
        "id": account.public_key_id,
        "owner": account.uri,
        "publicKeyPem": account.public_key_pem,
    }


def person_to_ap(account: Account, urls: Urls) -> dict[str, Any]:
    """A member's actor document. A suspended member keeps only what remote servers need to
    recognise the suspension (Mastodon's `suspended: true` form)."""
    document: dict[str, Any] = {
        "@context": ACTOR_CONTEXT,
        "id": account.uri,
        "type": account.actor_type,
        "following": account.following_uri,
        "followers": account.followers_uri,
        "inbox": account.inbox_uri,
        "outbox": account.outbox_uri,
        "featured": account.featured_uri,
        "preferredUsername": account.username,
        "name": account.display_name,
        "summary": account.note,
        "url": account.url,
        "manuallyApprovesFollowers": account.is_locked,
        "discoverable": account.is_discoverable,
        "indexable": account.is_discoverable,
        "published": to_ap(account.created_at),
        "memorial": False,
        "publicKey": _public_key(account),
        "tag": [],
        "attachment": [
            {"type": "PropertyValue", "name": f.name, "value": inline_text_to_html(f.value)}
            for f in account.fields
        ],
        "endpoints": {"sharedInbox": account.shared_inbox_uri},
        "icon": _image(avatar_url(account, urls)),
        "image": _image(header_url(account, urls)),
    }
    if account.is_suspended:
        for key in ("summary", "attachment", "icon", "image", "featured", "tag"):
            document.pop(key)
        document["name"] = account.username
        document["suspended"] = True
    return {k: v for k, v in document.items() if v is not None}


def group_to_ap(account: Account, urls: Urls) -> dict[str, Any]:
    """A group as FEP-1b12 and Lemmy describe it: type Group, `attributedTo` its moderators
    collection, and whether it is members-only (a private group approves every member). The
    document itself is always public so that any server can ask to join."""
    document = person_to_ap(account, urls)
    document.pop("following", None)
    if account.is_suspended:
        return document
    moderators = f"{account.uri}/moderators"
    document["attributedTo"] = moderators
    document["moderators"] = moderators
    document["postingRestrictedToMods"] = False
    document["nb:visibility"] = "private" if account.is_locked else "public"
    return document


def application_to_ap(account: Account) -> dict[str, Any]:
    """The instance actor, shaped like Mastodon's (InstanceActorsController)."""
    return {
        "@context": ACTOR_CONTEXT,
        "id": account.uri,
        "type": "Application",
        "inbox": account.inbox_uri,
        "outbox": account.outbox_uri,
        "preferredUsername": account.username,
        "name": account.display_name,
        "url": account.url,
        "manuallyApprovesFollowers": True,
        "publicKey": _public_key(account),
        "endpoints": {"sharedInbox": account.shared_inbox_uri},
    }


def actor_to_ap(account: Account, urls: Urls) -> dict[str, Any]:
    if account.actor_type == "Application":
        return application_to_ap(account)
    if account.actor_type == "Group":
        return group_to_ap(account, urls)
    return person_to_ap(account, urls)
