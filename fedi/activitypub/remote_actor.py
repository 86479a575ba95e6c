"""Remote actor documents to RemoteActor values, checked and bounded before anything is stored."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.parse import (
    InvalidActivity,
    as_list,
    host_of,
    required_uri,
    text,
    types_of,
    uri_of,
    uris,
)
from fedi.core.html import sanitize
from fedi.core.models import ActorType, ProfileField, RemoteActor

ACTOR_TYPES: dict[str, ActorType] = {
    "Person": "Person",
    "Service": "Service",
    "Application": "Application",
    "Group": "Group",
    "Organization": "Organization",
}
MAX_FIELDS = 16


def _image_url(value: Any) -> str | None:
    for item in as_list(value)[:4]:
        if isinstance(item, dict):
            url = item.get("url")
            if isinstance(url, list):
                url = url[0] if url else None
            found = uri_of(url) if isinstance(url, str | dict) else None
            if found:
                return found
        elif uri_of(item):
            return uri_of(item)
    return None


def _same_host(uri: str | None, host: str) -> str | None:
    return uri if uri is not None and host_of(uri) == host else None


def actor_from_ap(document: dict[str, Any]) -> RemoteActor:
    """Raises InvalidActivity unless the document is an actor we can talk to. Collections and
    inboxes must be on the actor's own host: a document cannot point our deliveries elsewhere."""
    uri = required_uri(document, "id")
    host = host_of(uri)
    kinds = [ACTOR_TYPES[t] for t in types_of(document) if t in ACTOR_TYPES]
    if not kinds:
        raise InvalidActivity("not an actor")
    inbox = required_uri(document, "inbox")
    username = text(document.get("preferredUsername"), 64).strip()
    if not username or any(c.isspace() or c in "@/" for c in username):
        raise InvalidActivity("preferredUsername is missing or invalid")
    key = document.get("publicKey")
    key = next((k for k in as_list(key) if isinstance(k, dict)), None)
    if key is None or not isinstance(key.get("publicKeyPem"), str):
        raise InvalidActivity("the actor has no public key")
    key_id = required_uri(key, "id")
    owner = uri_of(key.get("owner"))
    # GoToSocial #3198 / Mastodon: a key belongs to exactly the actor that lists it.
    if owner is not None and owner != uri:
        raise InvalidActivity("publicKey.owner is not the actor")
    if host_of(key_id) != host or host_of(inbox) != host:
        raise InvalidActivity("the key or inbox is on another host than the actor")
    endpoints = document.get("endpoints")
    shared = uri_of(endpoints.get("sharedInbox")) if isinstance(endpoints, dict) else None
    fields = tuple(
        ProfileField(
            name=text(item.get("name"), 255), value=sanitize(text(item.get("value"), 2048))
        )
        for item in as_list(document.get("attachment"))[:MAX_FIELDS]
        if isinstance(item, dict) and item.get("type") == "PropertyValue"
    )
    url = document.get("url")
    return RemoteActor(
        uri=uri,
        actor_type=kinds[0],
        username=username,
        domain=host,
        display_name=text(document.get("name"), 200).strip(),
        note=sanitize(text(document.get("summary"), 20_000)),
        fields=fields,
        url=uri_of(url[0] if isinstance(url, list) and url else url),
        inbox_uri=inbox,
        shared_inbox_uri=_same_host(shared, host),
        outbox_uri=_same_host(uri_of(document.get("outbox")), host),
        followers_uri=_same_host(uri_of(document.get("followers")), host),
        following_uri=_same_host(uri_of(document.get("following")), host),
        featured_uri=_same_host(uri_of(document.get("featured")), host),
        public_key_id=key_id,
        public_key_pem=key["publicKeyPem"][:8192],
        avatar_remote_url=_image_url(document.get("icon")),
        header_remote_url=_image_url(document.get("image")),
        is_locked=document.get("manuallyApprovesFollowers") is True,
        is_bot=kinds[0] in ("Service", "Application"),
        is_discoverable=document.get("discoverable") is True,
        also_known_as=tuple(uris(document.get("alsoKnownAs"), limit=20)),
        moved_to_uri=uri_of(document.get("movedTo")),
    )
