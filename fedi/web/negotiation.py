"""Content negotiation between ActivityStreams JSON and HTML (RFC 9110 section 12.5.1)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

_AS_PROFILE = "https://www.w3.org/ns/activitystreams"


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    params: dict[str, str]
    quality: float


def parse_accept(header: str) -> list[MediaRange]:
    ranges = []
    for part in header.split(",")[:64]:
        media, *raw_params = part.split(";")
        media = media.strip().lower()
        if "/" not in media:
            continue
        kind, _, subtype = media.partition("/")
        params: dict[str, str] = {}
        quality = 1.0
        for raw in raw_params:
            name, _, value = raw.strip().partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
            else:
                params[name] = value
        ranges.append(MediaRange(kind, subtype, params, quality))
    return ranges


def _is_activity_json(media: MediaRange) -> bool:
    if media.type != "application":
        return False
    if media.subtype == "activity+json":
        return True
    if media.subtype == "ld+json":
        profile = media.params.get("profile")
        return profile is None or _AS_PROFILE in profile.split()
    return False


def _is_html(media: MediaRange) -> bool:
    return media.type == "text" and media.subtype in ("html", "*")


def prefers_activity_json(accept: str | None) -> bool:
    """True when the client asks for ActivityStreams at least as strongly as for anything else.
    `*/*` alone, or no Accept at all, gets HTML: that is what a browser or a link preview wants."""
    if not accept:
        return False
    ranges = parse_accept(accept)
    as_quality = max((m.quality for m in ranges if _is_activity_json(m)), default=0.0)
    if as_quality <= 0:
        return False
    html_quality = max((m.quality for m in ranges if _is_html(m)), default=0.0)
    return as_quality >= html_quality


def wants_activity_json(request: Request) -> bool:
    return prefers_activity_json(request.headers.get("accept"))


def prefers_html(request: Request) -> bool:
    ranges = parse_accept(request.headers.get("accept", ""))
    return any(_is_html(m) and m.quality > 0 for m in ranges)
