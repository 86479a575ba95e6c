"""The visitor's pages: home/about and profiles, in five languages, Arabic right to left."""

from __future__ import annotations

import re

import httpx
import pytest

from fedi.accounts.members import add_member, set_suspended
from fedi.context import Context
from fedi.statuses.posting import post_status

BROWSER = {"Accept": "text/html"}
EXPECTED_TEXT = {
    "en": "Members",
    "fr": "Membres",
    "de": "Mitglieder",
    "pt": "Membros",
    "ar": "الأعضاء",
}


def html_attributes(page: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page)
    assert match, "no <html lang dir>"
    return match[1], match[2]


@pytest.fixture
async def alice(context: Context) -> None:
    await add_member(context, "alice", "password-alice")


@pytest.mark.parametrize("code", ["en", "fr", "ar", "de", "pt"])
async def test_home_page_in_each_language(
    client: httpx.AsyncClient, alice: None, code: str
) -> None:
    response = await client.get(f"/?lang={code}", headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["content-language"] == code
    lang, direction = html_attributes(response.text)
    assert lang == code
    assert direction == ("rtl" if code == "ar" else "ltr")
    assert EXPECTED_TEXT[code] in response.text
    assert "Test network" in response.text
    assert "@alice@fedi.test" in response.text


async def test_lang_query_sets_a_cookie_that_later_visits_use(client: httpx.AsyncClient) -> None:
    first = await client.get("/?lang=de", headers=BROWSER)
    assert "lang=de" in first.headers["set-cookie"]
    assert "HttpOnly" in first.headers["set-cookie"]
    later = await client.get("/", headers=BROWSER | {"Accept-Language": "fr"})
    assert later.headers["content-language"] == "de"


async def test_accept_language_is_used_without_query_or_cookie(client: httpx.AsyncClient) -> None:
    response = await client.get("/", headers=BROWSER | {"Accept-Language": "pt-BR,pt;q=0.9"})
    assert response.headers["content-language"] == "pt"
    assert "Accept-Language" in response.headers["vary"]


async def test_unsupported_language_falls_back_to_english(client: httpx.AsyncClient) -> None:
    response = await client.get("/?lang=tlh", headers=BROWSER | {"Accept-Language": "ja"})
    assert response.headers["content-language"] == "en"
    assert "set-cookie" not in response.headers  # neither a language nor a CSRF cookie


async def test_arabic_pages_are_mirrored(client: httpx.AsyncClient, alice: None) -> None:
    page = await client.get("/@alice?lang=ar", headers=BROWSER)
    assert html_attributes(page.text) == ("ar", "rtl")
    assert 'dir="ltr"' in page.text  # handles stay left to right inside the mirrored page
    css = await client.get("/static/style.css")
    assert css.status_code == 200
    # Mirroring comes from logical properties: nothing may pin a side.
    assert not re.search(r"(margin|padding|border)-(left|right)|float:\s*(left|right)", css.text)
    assert "inline-start" in css.text


async def test_profile_page_shows_profile_counts_and_posts(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    await post_status(context, "alice", "First <script>alert(1)</script> post")
    await post_status(context, "alice", "Not for the public", visibility="private")
    page = await client.get("/@alice?lang=fr", headers=BROWSER)
    assert page.status_code == 200
    text = page.text
    assert "@alice@fedi.test" in text
    assert "<script>alert" not in text
    assert "First &lt;script&gt;alert(1)&lt;/script&gt; post" in text
    assert "Not for the public" not in text
    assert "2 publications" in text  # the count includes followers-only posts, as Mastodon's
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_arabic_plural_forms_are_used(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    for n in range(2):
        await post_status(context, "alice", f"post {n}")
    dual = await client.get("/@alice?lang=ar", headers=BROWSER)
    assert "منشوران" in dual.text  # the dual form
    await post_status(context, "alice", "post 3")
    few = await client.get("/@alice?lang=ar", headers=BROWSER)
    assert "منشورات" in few.text and "منشوران" not in few.text  # 3..10 take the plural


async def test_profile_of_a_suspended_member(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    await post_status(context, "alice", "visible before")
    await set_suspended(context, "alice", True)
    page = await client.get("/@alice?lang=en", headers=BROWSER)
    assert page.status_code == 200
    assert "suspended" in page.text
    assert "visible before" not in page.text


async def test_status_page(client: httpx.AsyncClient, context: Context, alice: None) -> None:
    status = await post_status(context, "alice", "A single post", spoiler_text="cw")
    page = await client.get(f"/@alice/{status.id}", headers=BROWSER)
    assert page.status_code == 200
    assert "A single post" in page.text and "<summary>" in page.text
    hidden = await post_status(context, "alice", "private one", visibility="private")
    assert (await client.get(f"/@alice/{hidden.id}", headers=BROWSER)).status_code == 404


@pytest.mark.parametrize(
    ("code", "title"), [("en", "Page not found"), ("de", "Seite nicht gefunden")]
)
async def test_missing_page_is_a_readable_localised_404(
    client: httpx.AsyncClient, code: str, title: str
) -> None:
    response = await client.get(f"/no/such/page?lang={code}", headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert title in response.text


async def test_missing_page_for_a_program_is_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}


async def test_wrong_method_is_405_not_500(client: httpx.AsyncClient) -> None:
    response = await client.post("/@alice", headers={"Accept": "application/json"})
    assert response.status_code == 405
    assert "error" in response.json()


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
