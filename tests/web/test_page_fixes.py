"""What a new member ran into on the pages: sizes in words each language pluralises, the name
below the header image, `?lang=` kept by the redirects to a page, error pages that know who is
signed in, and pages that depend on who asks never kept by a cache."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.i18n.locales import Translations
from fedi.web.templating import Pages
from tests.testrig.group_web import BROWSER, sign_in

STYLE = Path(__file__).parents[2] / "fedi" / "web" / "static" / "style.css"


def size_in(code: str, byte_count: int) -> str:
    pages = Pages(Translations(), "t", True)
    request = Request({"type": "http", "path": "/", "query_string": b"", "headers": []})
    return str(pages.helpers(request, pages.translations.get(code))["format_size"](byte_count))


@pytest.mark.parametrize(
    ("code", "count", "expected"),
    [
        ("en", 592, "592 bytes"), ("en", 1, "1 byte"), ("fr", 592, "592\xa0octets"),
        ("fr", 1, "1\xa0octet"), ("de", 592, "592 Byte"), ("pt", 592, "592 bytes"),
        ("ar", 592, "592 بايت"), ("en", 1500, "1.5 kB"), ("fr", 1500, "1,5\u202fko"),
        ("de", 2_500_000, "2,5 MB"), ("en", 16 * 1024 * 1024, "16.8 MB"),
    ],
)  # fmt: skip
def test_sizes_are_words_each_language_pluralises(code: str, count: int, expected: str) -> None:
    assert size_in(code, count) == expected


def test_the_name_is_laid_out_below_the_header_image_with_logical_properties() -> None:
    css = STYLE.read_text(encoding="utf-8")
    identity = re.search(r"\.identity \{([^}]*)\}", css)
    assert identity and "margin-block-start: -" not in identity[1]  # nothing lifted as a whole
    assert "flex-direction: column" in identity[1]  # avatar, then the name below it
    physical = re.findall(r"(?<![-\w])(?:margin|padding|border)-(?:left|right|top|bottom)\b|"
                          r"(?<![-\w])(?:left|right|top|bottom)\s*:|text-align:\s*(?:left|right)",
                          css)  # fmt: skip
    assert physical == []


@pytest.fixture
async def alice(context: Context) -> None:
    await add_member(context, "alice", "alice-password")


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/users/alice?lang=ar", "https://fedi.test/@alice?lang=ar"),
        ("/users/alice?lang=pt-BR", "https://fedi.test/@alice?lang=pt"),
        ("/users/alice?lang=xx", "https://fedi.test/@alice"),
        ("/users/alice", "https://fedi.test/@alice"),
        ("/actor?lang=de", "https://fedi.test/about?lang=de"),
    ],
)
async def test_redirects_to_a_page_keep_the_language(
    client: httpx.AsyncClient, alice: None, path: str, location: str
) -> None:
    response = await client.get(path, headers=BROWSER)
    assert response.status_code == 302
    assert response.headers["location"] == location
    if "lang=ar" in location:
        page = await client.get(location, headers=BROWSER)
        assert '<html lang="ar" dir="rtl">' in page.text
        assert '<p class="handle" dir="ltr">@alice@fedi.test</p>' in page.text
        assert '<bdi dir="ltr">@alice@fedi.test</bdi>' in page.text  # inside the Arabic sentence


async def test_error_pages_know_who_is_signed_in(client: httpx.AsyncClient, alice: None) -> None:
    visitor = await client.get("/@nobody?lang=en", headers=BROWSER)
    assert visitor.status_code == 404 and 'href="/auth/sign_in"' in visitor.text
    assert "no-store" not in visitor.headers.get("cache-control", "")
    await sign_in(client, "alice", "alice-password")
    for path in ("/@nobody?lang=en", "/no/such/page?lang=en", "/@alice/not-a-number?lang=en"):
        member = await client.get(path, headers=BROWSER)
        assert member.status_code in (400, 404), path
        assert 'href="/auth/sign_in"' not in member.text, path
        assert 'Signed in as <bdi dir="ltr">@alice</bdi>' in member.text, path
        assert member.headers["cache-control"] == "private, no-store"


async def test_pages_that_depend_on_who_asks_are_never_cached(
    client: httpx.AsyncClient, alice: None
) -> None:
    public = await client.get("/@alice", headers=BROWSER)
    assert "cache-control" not in public.headers  # the same page for every visitor
    form = await client.get("/auth/sign_in", headers=BROWSER)
    assert form.headers["cache-control"] == "private, no-store"  # it holds the visitor's token
    await sign_in(client, "alice", "alice-password")
    for path in ("/", "/home", "/@alice", "/settings/profile", "/settings/account"):
        page = await client.get(path, headers=BROWSER)
        assert page.headers["cache-control"] == "private, no-store", path


async def test_a_members_own_profile_links_to_its_settings(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    await add_member(context, "bob", "bob-password")
    await sign_in(client, "alice", "alice-password")
    own = 'class="edit-profile" href="/settings/profile"'
    assert own in (await client.get("/@alice", headers=BROWSER)).text
    assert own not in (await client.get("/@bob", headers=BROWSER)).text
