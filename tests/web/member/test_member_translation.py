"""The Translate button on a post's card: shown to a member when translation is on, the post may
reach the engine and is in another language than the page's; a plain form (CSRF checked) that
answers a page with the translation and the engine's name, or with htmx the card alone with its
translation inside. The engine is a LibreTranslate stand-in on loopback, over real HTTP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.app import create_app
from fedi.context import Context, open_context
from fedi.core.config import Settings, load_settings
from fedi.core.models import User
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from tests.conftest import BASE, DOMAIN
from tests.testrig.translation_engines import StandIn, libretranslate
from tests.web.member.helpers import BROWSER, sign_in, submit

HTMX = {"HX-Request": "true"}


def base_env(tmp_path: Path) -> dict[str, str]:
    return {"FEDI_DOMAIN": DOMAIN, "FEDI_DATA_DIR": str(tmp_path / "data"),
            "FEDI_REGISTRATIONS": "approval"}  # fmt: skip


@pytest.fixture
async def engine() -> AsyncIterator[StandIn]:
    async with libretranslate() as stand_in:
        yield stand_in


@pytest.fixture
def settings(tmp_path: Path, engine: StandIn) -> Settings:
    return load_settings(base_env(tmp_path) | {
        "FEDI_TRANSLATION_ENGINE": "libretranslate", "FEDI_TRANSLATION_URL": engine.base,
    })  # fmt: skip


@pytest.fixture
async def amal(context: Context) -> User:
    """A member who reads in French and follows ben."""
    member = await add_member(context, "amal", "password-amal")
    ben = await add_member(context, "ben", "password-ben")
    await follow(context, "amal", ben.account)
    return member


async def signed_in_in_french(client: httpx.AsyncClient) -> None:
    await sign_in(client, "amal", "password-amal")
    assert (await client.get("/home?lang=fr", headers=BROWSER)).status_code == 200


def translate_form(page: str, status_id: int) -> bool:
    return f'action="/statuses/{status_id}/translate"' in page


async def test_a_member_translates_a_post_without_javascript(
    client: httpx.AsyncClient, context: Context, amal: User, engine: StandIn
) -> None:
    english = await post_status(context, "ben", "Good morning friends", language="en")
    french = await post_status(context, "ben", "Bonjour", language="fr")
    await signed_in_in_french(client)
    home = (await client.get("/home", headers=BROWSER)).text
    assert translate_form(home, english.id) and not translate_form(home, french.id)
    answer = await submit(client, f"/statuses/{english.id}/translate", {"next": "/home"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "private, no-store"
    page = answer.text
    assert "<h1" in page and "Traduction" in page
    translation = page[page.index('class="translation"') :]
    assert "<p>Bonjour amis</p>" in translation
    assert "Traduit par <bdi>LibreTranslate</bdi> (langue d\u2019origine" in translation
    assert not translate_form(page, english.id)  # translated already
    [sent] = engine.paths("/translate")
    assert sent.json()["target"] == "fr"
    # In English, the page offers the French post's translation and not the English one's.
    english_home = (await client.get("/home?lang=en", headers=BROWSER)).text
    assert translate_form(english_home, french.id) and not translate_form(english_home, english.id)


async def test_with_htmx_the_card_comes_back_with_its_translation(
    client: httpx.AsyncClient, context: Context, amal: User, engine: StandIn
) -> None:
    post = await post_status(context, "ben", "Meeting today", "public", "content warning", "en")
    await signed_in_in_french(client)
    for _ in range(2):
        answer = await submit(
            client, f"/statuses/{post.id}/translate", {"next": "/home"},
            headers=HTMX | {"HX-Target": f"post-{post.id}"},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        assert "HX-Request" in answer.headers["vary"]
        fragment = answer.text
        assert "<html" not in fragment and fragment.count("<article") == 1
        assert f'id="post-{post.id}"' in fragment
        assert "Réunion aujourd&#39;hui" in fragment or "Réunion aujourd'hui" in fragment
        assert '<p class="spoiler" dir="auto">avertissement</p>' in fragment
    assert len(engine.paths("/translate")) == 1  # the second time, the kept translation
    # A boosted request (a whole page) gets the page.
    boosted = await submit(
        client, f"/statuses/{post.id}/translate", {"next": "/home"},
        headers=HTMX | {"HX-Boosted": "true"},
    )  # fmt: skip
    assert "<html" in boosted.text and "Réunion" in boosted.text


async def test_posts_that_may_not_reach_the_engine_have_no_button_and_are_refused(
    client: httpx.AsyncClient, context: Context, amal: User, engine: StandIn
) -> None:
    private = await post_status(context, "ben", "Good morning", "private", language="en")
    direct = await post_status(context, "ben", "@amal Good morning", "direct", language="en")
    await signed_in_in_french(client)
    home = (await client.get("/home", headers=BROWSER)).text
    thread = (await client.get(f"/@ben/{private.id}", headers=BROWSER)).text
    assert "Good morning" in home and "Good morning" in thread
    assert not translate_form(home, private.id) and not translate_form(thread, private.id)
    for post in (private, direct):
        answer = await submit(client, f"/statuses/{post.id}/translate", {"next": "/home"})
        assert answer.status_code == 403
        assert "Cette publication ne peut pas être traduite." in answer.text
    assert engine.received == []


async def test_a_post_the_member_may_not_see_is_a_404_and_the_form_needs_its_token(
    client: httpx.AsyncClient, context: Context, amal: User, engine: StandIn
) -> None:
    await add_member(context, "nick", "password-nick")
    private = await post_status(context, "nick", "Good morning", "private", language="en")
    public = await post_status(context, "nick", "Good morning", "public", language="en")
    await signed_in_in_french(client)
    hidden = await submit(client, f"/statuses/{private.id}/translate", {"next": "/home"})
    assert hidden.status_code == 404
    forged = await client.post(
        f"/statuses/{public.id}/translate", data={"next": "/home"},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert forged.status_code == 403
    assert engine.received == []


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
async def test_an_engine_that_fails_is_a_503_page_whose_heading_says_so(
    client: httpx.AsyncClient, context: Context, amal: User, engine: StandIn,
    headers: dict[str, str],
) -> None:  # fmt: skip
    post = await post_status(context, "ben", "Good morning", language="en")
    await signed_in_in_french(client)
    engine.mode = "fail"
    answer = await submit(
        client, f"/statuses/{post.id}/translate", {"next": "/home"}, headers=headers
    )
    assert answer.status_code == 503
    heading = re.search(r"<h1[^>]*>([^<]+)</h1>", answer.text)
    assert heading and "service de traduction" in heading[1]


async def test_without_an_engine_no_post_offers_a_translation(tmp_path: Path) -> None:
    settings = load_settings(base_env(tmp_path / "plain"))
    async with open_context(settings) as context:
        await add_member(context, "amal", "password-amal")
        await add_member(context, "ben", "password-ben")
        post = await post_status(context, "ben", "Good morning", language="en")
        app = create_app(settings, context, workers=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE
        ) as client:
            await signed_in_in_french(client)
            thread = (await client.get(f"/@ben/{post.id}", headers=BROWSER)).text
            assert "Good morning" in thread and not translate_form(thread, post.id)
            answer = await submit(client, f"/statuses/{post.id}/translate", {"next": "/home"})
            assert answer.status_code == 403
