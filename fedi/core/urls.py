"""The URLs of local objects. Every ActivityPub id this server mints is built here."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Urls:
    base: str

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
