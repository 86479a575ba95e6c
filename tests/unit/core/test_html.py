"""sanitize(): paragraphs of plain text skip nh3 only when nh3 would give them back unchanged."""

from __future__ import annotations

import random

import nh3
import pytest

from fedi.core import html
from fedi.core.html import sanitize


def through_nh3(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=html.ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=html.ALLOWED_ATTRIBUTES,
        attribute_filter=html._filter_class,
        url_schemes={"http", "https"},
        link_rel=html.LINK_REL,
    )


@pytest.mark.parametrize(
    "fragment",
    [
        "<p>hello</p>",
        "<p>one</p><p>two<br>three</p>",
        '<p>it\'s "quoted" = a/b</p>',
        "<p>a<p>b",  # unclosed: the parser closes it
        "<p>a\r\nb</p>",  # CR is normalised
        "<p>a\x00b</p>",  # NUL is dropped
        "<p>a &amp; b</p>",
        "<p>a<br/>b</p>",
        "<p>caf\u00e9\u00a0</p>",  # not ASCII: nh3 decides
        "<p><b</p><p>r></p>",  # a tag split around a paragraph break
        "<p><script>alert(1)</script></p>",
        '<p><a href="javascript:x">x</a></p>',
        "<p>x</p>\n<p>y</p>",
    ],
)
def test_sanitize_matches_nh3(fragment: str) -> None:
    assert sanitize(fragment) == through_nh3(fragment)


def test_random_paragraphs_come_out_as_nh3_makes_them() -> None:
    pieces = ["<p>", "</p>", "<br>", "<br/>", "a", " ", "\n", "\t", "\x01", "\x0b", "'", '"',
              "=", "/", "p", "b", "r", "<", ">", "&", "\x00", "\r", "</p><p>", "<!--", "-->",
              "<b", "script", "\u00e9"]  # fmt: skip
    rng = random.Random(5)
    for _ in range(20_000):
        inner = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        fragment = f"<p>{inner}</p>"
        assert sanitize(fragment) == through_nh3(fragment), fragment
