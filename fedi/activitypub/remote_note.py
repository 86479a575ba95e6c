"""Remote posts (Note, Article, Question, Page, Event, and the media objects Image, Audio, Video
and Document) to ParsedNote values: sanitised, addressed and bounded (security.md D1-D5, R3)
before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fedi.activitypub.parse import (
    InvalidActivity,
    addresses,
    as_list,
    host_of,
    is_public,
    required_uri,
    text,
    types_of,
    uri_of,
    uris,
)
from fedi.activitypub.remote_media import MEDIA_TYPES, own_media, page_url
from fedi.core.html import plain_text, sanitize
from fedi.core.models import NewAttachment, Poll, PollOption, Visibility

# A media object (PeerTube's Video, Funkwhale's Audio, a photo server's Image) is a post whose
# text is its name and content and whose media is its own `url` (fedi.activitypub.remote_media).
POST_TYPES = ("Note", "Article", "Question", "Page", "Event", *MEDIA_TYPES)
MAX_CONTENT = 100_000
MAX_TAGS = 64
MAX_MENTIONS = 64
MAX_ATTACHMENTS = 16
MAX_POLL_OPTIONS = 20


@dataclass(frozen=True)
class ParsedNote:
    uri: str
    object_type: str
    author_uri: str
    url: str | None
    content: str
    spoiler_text: str
    title: str
    is_sensitive: bool
    language: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    mention_uris: tuple[str, ...]
    tags: tuple[str, ...]
    attachments: tuple[NewAttachment, ...]
    poll: Poll | None
    in_reply_to_uri: str | None
    thread_uri: str | None
    published: datetime | None
    updated: datetime | None
    audience: str | None = None  # the group the post belongs to (FEP-1b12)


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def visibility_of(note: ParsedNote, author_followers: str | None) -> Visibility:
    """Mastodon's reading of the addressing (status_parser.rb#visibility)."""
    if is_public(list(note.to)):
        return "public"
    if is_public(list(note.cc)):
        return "unlisted"
    if author_followers and author_followers in note.to:
        return "private"
    return "direct"


def _language(document: dict[str, Any]) -> str | None:
    content_map = document.get("contentMap")
    if isinstance(content_map, dict):
        for key in content_map:
            if isinstance(key, str) and 0 < len(key) <= 16 and key.replace("-", "").isalnum():
                return key.lower()
    return None


def _content(document: dict[str, Any]) -> str:
    content = document.get("content")
    if not isinstance(content, str):
        content_map = document.get("contentMap")
        if isinstance(content_map, dict):
            content = next((v for v in content_map.values() if isinstance(v, str)), "")
    if not isinstance(content, str):
        content = ""
    if len(content) > MAX_CONTENT:
        raise InvalidActivity("the content is too long")
    return sanitize(content)


def _tags(document: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    mentions: list[str] = []
    hashtags: list[str] = []
    for tag in as_list(document.get("tag"))[: MAX_TAGS + MAX_MENTIONS]:
        if not isinstance(tag, dict):
            continue
        kinds = types_of(tag)
        if "Mention" in kinds and len(mentions) < MAX_MENTIONS:
            href = uri_of(tag.get("href"))
            if href:
                mentions.append(href)
        elif "Hashtag" in kinds and len(hashtags) < MAX_TAGS:
            name = text(tag.get("name"), 100).lstrip("#").strip().lower()
            if name and all(c.isalnum() or c == "_" for c in name):
                hashtags.append(name)
    return tuple(dict.fromkeys(mentions)), tuple(dict.fromkeys(hashtags))


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _attachments(document: dict[str, Any]) -> tuple[NewAttachment, ...]:
    found = []
    for item in as_list(document.get("attachment"))[:MAX_ATTACHMENTS]:
        if not isinstance(item, dict):
            continue
        url = item.get("url")
        if isinstance(url, list):
            url = url[0] if url else None
        href = uri_of(url) if isinstance(url, str | dict) else None
        if href is None:
            continue
        found.append(
            NewAttachment(
                media_type=text(item.get("mediaType"), 100),
                remote_url=href,
                description=text(item.get("name"), 1500),
                blurhash=text(item.get("blurhash"), 100) or None,
                width=_int_or_none(item.get("width")),
                height=_int_or_none(item.get("height")),
            )
        )
    return tuple(found)


def _poll(document: dict[str, Any]) -> Poll | None:
    if "Question" not in types_of(document):
        return None
    multiple = "anyOf" in document
    raw = document.get("anyOf") if multiple else document.get("oneOf")
    options = []
    for option in as_list(raw)[:MAX_POLL_OPTIONS]:  # R3: at most 20 options
        if isinstance(option, dict):
            replies = option.get("replies")
            votes = replies.get("totalItems") if isinstance(replies, dict) else 0
            options.append(PollOption(text(option.get("name"), 200), _int_or_none(votes) or 0))
    if not options:
        return None
    return Poll(
        options=tuple(options),
        is_multiple=multiple,
        voters_count=_int_or_none(document.get("votersCount")),
        expires_at=parse_time(document.get("endTime") or document.get("closed")),
    )


def note_from_ap(document: dict[str, Any]) -> ParsedNote:
    kinds = types_of(document)
    object_type = next((t for t in POST_TYPES if t in kinds), None)
    if object_type is None:
        raise InvalidActivity("not a post")
    uri = required_uri(document, "id")
    authors = [u for u in (uri_of(a) for a in as_list(document.get("attributedTo"))) if u]
    # Lemmy and Mastodon name one author; a list may add the group (audience) after it.
    author = next((a for a in authors if host_of(a) == host_of(uri)), None)
    if author is None:
        raise InvalidActivity("the post has no author on its own host")  # S17
    mention_uris, tags = _tags(document)
    summary = text(document.get("summary"), 1000)
    url = document.get("url")
    url = url[0] if isinstance(url, list) and url else url
    attachments = _attachments(document)
    content = _content(document)
    if object_type in MEDIA_TYPES:
        attachments = (*own_media(document, object_type), *attachments)[:MAX_ATTACHMENTS]
        url = page_url(document)
        if not attachments and not content and not text(document.get("name"), 500).strip():
            raise InvalidActivity("the media object has nothing to show")
    return ParsedNote(
        uri=uri,
        object_type=object_type,
        author_uri=author,
        url=uri_of(url),
        content=content,
        spoiler_text=plain_text(summary) if object_type == "Note" else "",
        title=text(document.get("name"), 500) if object_type != "Question" else "",
        # An Article's or Page's summary is an abstract, not a warning (Mastodon's rule).
        is_sensitive=document.get("sensitive") is True or (bool(summary) and object_type == "Note"),
        language=_language(document),
        to=tuple(addresses(document, "to")),
        cc=tuple(addresses(document, "cc")),
        mention_uris=mention_uris,
        tags=tags,
        attachments=attachments,
        poll=_poll(document),
        in_reply_to_uri=uri_of(document.get("inReplyTo")),
        thread_uri=uri_of(document.get("context") or document.get("conversation")),
        published=parse_time(document.get("published")),
        updated=parse_time(document.get("updated")),
        audience=next(iter(uris(document.get("audience"), 4)), None),
    )
