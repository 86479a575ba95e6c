"""Who may receive a post on which live stream: the one check every `update`, `status.update` and
`delete` event passes before it is sent. Each stream shows exactly what its timeline would."""

from __future__ import annotations

from dataclasses import dataclass, field

from fedi.db import lists, streams, tag_follows, timelines
from fedi.db.connection import Reader
from fedi.db.streams import PostFacts

# Mastodon's channel names: (only local posts? None for both, only posts with media?).
PUBLIC_STREAMS: dict[str, tuple[bool | None, bool]] = {
    "public": (None, False),
    "public:media": (None, True),
    "public:local": (True, False),
    "public:local:media": (True, True),
    "public:remote": (False, False),
    "public:remote:media": (False, True),
}
HASHTAG_STREAMS: dict[str, bool | None] = {"hashtag": None, "hashtag:local": True}
PRIVATE_STREAMS = ("user", "user:notification", "direct", "list")
STREAM_NAMES = (*PUBLIC_STREAMS, *HASHTAG_STREAMS, *PRIVATE_STREAMS)


@dataclass(frozen=True)
class Stream:
    """One subscription's stream: a channel name, with its tag or list."""

    name: str
    tag: str | None = None
    list_id: int | None = None
    as_sent: str | None = field(default=None, compare=False)  # the tag as the app wrote it

    def label(self) -> list[str]:
        """The `stream` array of WebSocket messages, as Mastodon sends it."""
        if self.tag is not None:
            return [self.name, self.as_sent or self.tag]
        if self.list_id is not None:
            return [self.name, str(self.list_id)]
        return [self.name]


async def may_receive(conn: Reader, viewer_id: int, stream: Stream, post: PostFacts) -> bool:
    """Whether `post` belongs on `stream` for the member `viewer_id`: the timeline's own rule.
    What the member hides on every timeline (mutes, blocks, domain blocks, exclusive lists,
    filters) is applied next, to the rendered status (fedi.api.stream_events)."""
    if stream.name == "user":
        return await _in_home(conn, viewer_id, post)
    if stream.name == "direct":
        return post.visibility == "direct" and _involves(viewer_id, post)
    if stream.name in PUBLIC_STREAMS:
        only_local, only_media = PUBLIC_STREAMS[stream.name]
        return _public(post, only_local) and (post.has_media or not only_media)
    if stream.name in HASHTAG_STREAMS:
        return _public(post, HASHTAG_STREAMS[stream.name]) and stream.tag in post.tags
    if stream.name == "list" and stream.list_id is not None:
        owned = await lists.get_list(conn, viewer_id, stream.list_id)  # None once deleted
        return owned is not None and await timelines.in_list(conn, owned, post.id)
    return False  # "user:notification" carries no posts


async def _in_home(conn: Reader, viewer_id: int, post: PostFacts) -> bool:
    """The home timeline's rule (fedi.db.timelines.home): one's own posts, posts addressed to
    one, followers-only or wider posts of the accounts one follows, and public posts (not
    boosts) carrying a hashtag one follows."""
    if _involves(viewer_id, post):
        return True
    if post.visibility in ("public", "unlisted", "private") and await streams.is_following(
        conn, viewer_id, post.account_id
    ):
        return True
    return _public(post, None) and bool(await tag_follows.following_of(conn, viewer_id, post.tags))


def _involves(viewer_id: int, post: PostFacts) -> bool:
    return post.account_id == viewer_id or viewer_id in post.mentions


def _public(post: PostFacts, only_local: bool | None) -> bool:
    """The public timelines' rule (fedi.db.timelines.public): public posts, boosts excluded."""
    if post.visibility != "public" or post.is_reblog:
        return False
    return only_local is None or post.is_local == only_local
