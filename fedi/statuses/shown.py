"""What a post shows as its text, the same in the client API and on the pages."""

from __future__ import annotations

from html import escape

from fedi.core.models import Status

# A media object's name is its title too (a PeerTube video's, a Funkwhale track's).
TITLED = ("Article", "Page", "Image", "Audio", "Video", "Document")


def shown_content(status: Status) -> str:
    """A remote Article's, Page's or media object's title above its text (apps show only
    `content`); a local Article (a newsletter issue) carries its title already."""
    if status.is_local or status.object_type not in TITLED or not status.title:
        return status.content
    return f"<p><strong>{escape(status.title)}</strong></p>{status.content}"
