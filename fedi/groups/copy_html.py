"""The HTML of a private group's copy: the member's name first (the attribution, since the group
is the author as far as other servers know), then their sanitised text in which a mention of
anyone who is not a member becomes plain text and the mention of the group itself goes (leak
pitfall 6 in groups.md: a mention gives the mentioned account access on Mastodon)."""

from __future__ import annotations

import html
from collections.abc import Collection
from html.parser import HTMLParser

from fedi.core.html import sanitize
from fedi.core.models import Account


class _MentionRewriter(HTMLParser):
    """Copies HTML through, unlinking mention links whose href is not kept and dropping those
    (with their text) whose href is to go."""

    def __init__(self, keep: Collection[str], drop: Collection[str]) -> None:
        super().__init__(convert_charrefs=False)
        self.keep, self.drop = keep, drop
        self.out: list[str] = []
        self._links: list[str] = []  # for each open <a>: "keep", "unlink" or "drop"

    @property
    def _dropping(self) -> bool:
        return "drop" in self._links

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            found = dict(attrs)
            classes = (found.get("class") or "").split()
            href = found.get("href") or ""
            mode = "keep"
            if "mention" in classes and "hashtag" not in classes and href not in self.keep:
                mode = "drop" if href in self.drop else "unlink"
            self._links.append(mode)
            if mode != "keep":
                return
        if not self._dropping:
            self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._dropping:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._links:
            if self._links.pop() != "keep" or self._dropping:
                return
        elif self._dropping:
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        if not self._dropping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self._dropping:
            self.out.append(f"&#{name};")


def only_member_mentions(content: str, keep: Collection[str], drop: Collection[str]) -> str:
    """Mention links to hrefs in `keep` stay; those in `drop` go with their text; any other
    mention link becomes its text."""
    rewriter = _MentionRewriter(keep, drop)
    rewriter.feed(content)
    rewriter.close()
    return "".join(rewriter.out)


def copy_content(
    author: Account, content: str, keep: Collection[str], drop: Collection[str]
) -> str:
    """ "<p><a href=author>Name</a>:</p>" and the member's text, mentions rewritten."""
    name = html.escape(author.display_name or author.username, quote=True)
    href = html.escape(author.url or author.uri, quote=True)
    attribution = f'<p><a href="{href}">{name}</a>:</p>'
    return sanitize(attribution + only_member_mentions(content, keep, drop))
