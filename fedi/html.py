"""HTML that leaves this server: plain text rendered to HTML, and every fragment passed through nh3
last, so nothing a later rendering step adds can smuggle markup in."""

from __future__ import annotations

import html
import re

import nh3

# Mastodon's allow-list for post and bio HTML, and the microformat classes it keeps.
ALLOWED_TAGS = {
    "p", "br", "span", "a", "del", "s", "pre", "code", "em", "strong", "b", "i", "u",
    "ul", "ol", "li", "blockquote",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "class", "translate"}, "span": {"class", "translate"}}
LINK_REL = "nofollow noopener noreferrer"
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
_ALLOWED_CLASS = re.compile(r"^(h|p|u|dt|e)-[a-z0-9-]+$|^(mention|hashtag|ellipsis|invisible)$")


def _filter_class(tag: str, attribute: str, value: str) -> str | None:
    if attribute != "class":
        return value
    kept = [c for c in value.split() if _ALLOWED_CLASS.match(c)]
    return " ".join(kept) or None


def sanitize(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_class,
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
    )


def linkify(escaped_text: str) -> str:
    """Turn URLs in already-escaped text into links."""
    return _URL.sub(lambda m: f'<a href="{m[0]}">{m[0]}</a>', escaped_text)


def text_to_html(text: str) -> str:
    """A member's plain text as HTML paragraphs with line breaks and links."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip().replace("\r\n", "\n")) if p]
    rendered = [
        "<p>" + linkify(html.escape(p, quote=True)).replace("\n", "<br>") + "</p>"
        for p in paragraphs
    ]
    return sanitize("".join(rendered))


def inline_text_to_html(text: str) -> str:
    """One line (a profile field value) as HTML with links."""
    return sanitize(linkify(html.escape(text.strip(), quote=True)))
