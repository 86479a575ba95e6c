"""The URLs of local objects. Every ActivityPub id this server mints is built here."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from urllib.parse import quote


@dataclass(frozen=True)
class Urls:
    base: str
    # The instance's secret for attachment keys (fedi.core.urls.attachment_key); none in tests
    # that build Urls by hand.
    media_secret: bytes = field(default=b"", repr=False)

    def actor(self, username: str) -> str:
        return f"{self.base}/users/{username}"

    def profile(self, username: str) -> str:
        return f"{self.base}/@{username}"

    def tag(self, name: str) -> str:
        """A hashtag's page, its name percent-encoded (as Mastodon links #café or an Arabic
        hashtag)."""
        return f"{self.base}/tags/{quote(name, safe='')}"

    def key_id(self, actor_uri: str) -> str:
        return f"{actor_uri}#main-key"

    def status(self, username: str, status_id: int) -> str:
        return f"{self.actor(username)}/statuses/{status_id}"

    def status_page(self, username: str, status_id: int) -> str:
        return f"{self.profile(username)}/{status_id}"

    def event(self, event_id: int) -> str:
        """An event's id, which is also its page (as Mobilizon's are); `.ics` is its calendar."""
        return f"{self.base}/events/{event_id}"

    @property
    def shared_inbox(self) -> str:
        return f"{self.base}/inbox"

    @property
    def instance_actor(self) -> str:
        return f"{self.base}/actor"

    def static(self, name: str) -> str:
        return f"{self.base}/static/{name}"

    def media(self, name: str) -> str:
        return f"{self.base}/media/{name}"

    def attachment(self, name: str) -> str:
        """A post's stored file, with the key that lets whoever received the post have it
        (a members-only space's files are refused without it, to all but its members)."""
        return f"{self.base}/media/k/{attachment_key(self.media_secret, name)}/{name}"


def attachment_key(secret: bytes, name: str) -> str:
    """The capability to fetch one stored file: 128 bits of an HMAC of its name."""
    digest = hmac.new(secret, name.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def valid_attachment_key(secret: bytes, name: str, key: str) -> bool:
    return bool(secret) and hmac.compare_digest(attachment_key(secret, name), key)
