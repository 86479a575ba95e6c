"""HTML that leaves this server: plain text rendered to HTML, and every fragment passed through nh3
last, so nothing a later rendering step adds can smuggle markup in."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from urllib.parse import quote

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


def _is_plain_paragraphs(fragment: str) -> bool:
    """Whether the fragment is paragraphs of plain ASCII text (with line breaks), which nh3
    gives back unchanged: every `<` and `>` belongs to a `</p><p>` or a `<br>`, and nothing the
    HTML parser rewrites (`&`, NUL, CR) is there. Most posts from Mastodon look like this."""
    if not (fragment.startswith("<p>") and fragment.endswith("</p>") and fragment.isascii()):
        return False
    inner = fragment[3:-4]
    if "&" in inner or "\x00" in inner or "\r" in inner:
        return False
    tags = inner.count("</p><p>") * 2 + inner.count("<br>")
    return inner.count("<") == tags and inner.count(">") == tags


def sanitize(fragment: str) -> str:
    if _is_plain_paragraphs(fragment):
        return fragment
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


def text_to_html(text: str, mentions: Mapping[str, str] | None = None, tag_base: str = "") -> str:
    """A member's plain text as HTML paragraphs with line breaks and links; `@handles` found in
    `mentions` (lower-cased handle -> profile URL) and `#tags` (when tag_base is given) become
    links in Mastodon's markup."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip().replace("\r\n", "\n")) if p]
    rendered = [
        "<p>" + _render_inline(p, mentions or {}, tag_base).replace("\n", "<br>") + "</p>"
        for p in paragraphs
    ]
    return sanitize("".join(rendered))


# URLs, @user or @user@host handles, and #hashtags, as Mastodon recognises them.
# A port is allowed after the host, for instances reached on one (local set-ups and tests).
MENTION = re.compile(
    r"(?<![\w/\\])@([a-z0-9_]+(?:@[a-z0-9.-]+[a-z0-9](?::\d{1,5})?)?)", re.IGNORECASE
)
HASHTAG = re.compile(r"(?<![\w/)&])#(\w{1,100})")
_TOKEN = re.compile(f"({_URL.pattern})|({MENTION.pattern})|({HASHTAG.pattern})", re.IGNORECASE)


def _render_inline(text: str, mentions: Mapping[str, str], tag_base: str) -> str:
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        out.append(html.escape(text[position : match.start()], quote=True))
        position = match.end()
        token = match[0]
        escaped = html.escape(token, quote=True)
        if match[1]:
            out.append(f'<a href="{escaped}">{escaped}</a>')
        elif match[2] and token[1:].lower() in mentions:
            url = html.escape(mentions[token[1:].lower()], quote=True)
            name = html.escape(token[1:].split("@")[0], quote=True)
            out.append(
                f'<span class="h-card"><a href="{url}" class="u-url mention">@<span>{name}'
                "</span></a></span>"
            )
        elif match[4] and tag_base:
            name = html.escape(token[1:], quote=True)
            address = f"{tag_base}/{quote(token[1:].lower(), safe='')}"
            out.append(
                f'<a href="{address}" class="mention hashtag" rel="tag">#<span>{name}</span></a>'
            )
        else:
            out.append(escaped)
    out.append(html.escape(text[position:], quote=True))
    return "".join(out)


def find_mentions(text: str) -> list[str]:
    """The @handles in a member's text, in order, without duplicates."""
    return list(dict.fromkeys(m[1] for m in MENTION.finditer(text)))


def find_hashtags(text: str) -> list[str]:
    return list(dict.fromkeys(m[1].lower() for m in HASHTAG.finditer(text)))


_TAG = re.compile(r"^\w{1,100}$")


def tag_name(raw: object) -> str | None:
    """A tag as stored in status_tags (lower-case, without #), or None if it cannot be one."""
    text = str(raw).strip().removeprefix("#").lower()
    return text if _TAG.match(text) else None


def inline_text_to_html(text: str) -> str:
    """One line (a profile field value) as HTML with links."""
    return sanitize(linkify(html.escape(text.strip(), quote=True)))


KEPT_FRAGMENT = 4096  # characters: at most 4096 of them kept per cache, 16 MiB or so each


def kept_when_short(work: Callable[[str], str], size: int) -> Callable[[str], str]:
    """work(text), the answers for the last `size` texts of at most KEPT_FRAGMENT characters
    kept (pages show the same recent posts again and again); a longer text, which could fill
    memory, is worked out each time. `work` must be a pure function of the text."""
    kept = lru_cache(maxsize=size)(work)

    def answer(text: str) -> str:
        return work(text) if len(text) > KEPT_FRAGMENT else kept(text)

    return answer


def _plain_text(fragment: str) -> str:
    return html.unescape(nh3.clean(fragment, tags=set(), clean_content_tags={"script", "style"}))


# Text with every tag removed (a remote content warning, title or poll option); filters match
# every post of every page against it.
plain_text = kept_when_short(_plain_text, 4096)
_BLOCK_START = re.compile(r"<(?=/?(?:p|br|li|ul|ol|blockquote|pre)\b)", re.IGNORECASE)


def words_of(fragment: str) -> str:
    """The fragment's text with its paragraphs and lines apart (for the search index, which
    reads each post once: nothing is kept)."""
    return _plain_text(_BLOCK_START.sub(" <", fragment))


# Posts' contents cleaned for the pages, the same recent posts shown page after page.
sanitized_kept = kept_when_short(sanitize, 2048)
