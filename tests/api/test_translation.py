"""Translating posts through a LibreTranslate engine (a stand-in on loopback, over real HTTP):
a post is translated once per version of its text and language; a post that is not public
never reaches an engine the operator has not declared self-hosted; what the engine answers is
sanitised; an engine that fails, stalls or redirects is a 503; and a viewer who may not see
the post gets the 404 of GET /api/v1/statuses/:id."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mastodon import MastodonAPIError

from fedi.db import accounts, users
from fedi.media.media import upload
from fedi.statuses.posting import edit_status, post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.tokens import access_token
from tests.api.translation_rig import posts, serve, tokens, translate
from tests.testrig.pictures import png_with_text
from tests.testrig.serving import free_port
from tests.testrig.translation_engines import StandIn, libretranslate

NOT_ALLOWED = {"error": "This action is not allowed"}


@pytest.fixture
async def engine() -> AsyncIterator[StandIn]:
    async with libretranslate() as stand_in:
        yield stand_in


def libre_env(engine: StandIn, *, self_hosted: bool = False) -> dict[str, str]:
    return {
        "FEDI_TRANSLATION_ENGINE": "libretranslate",
        "FEDI_TRANSLATION_URL": engine.base,
        "FEDI_TRANSLATION_API_KEY": "libre-key",
        "FEDI_TRANSLATION_ENGINE_IS_SELF_HOSTED": "true" if self_hosted else "false",
    }


@pytest.fixture
async def served(tmp_path: Path, engine: StandIn) -> AsyncIterator[Served]:
    async with serve(tmp_path, libre_env(engine)) as instance:
        yield instance


async def test_a_public_post_is_translated_kept_and_translated_again_after_an_edit(
    served: Served, engine: StandIn
) -> None:
    token = (await tokens(served, "alice", "ben", "nick", "olga"))["alice"]
    ids = await posts(served)
    answer = await translate(served, token, ids["public"], lang="fr")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["content"] == "<p>Bonjour amis</p>"
    assert body["spoiler_text"] == "avertissement"
    assert body["poll"] == {"id": str(ids["public"]), "options": [{"title": "Oui"},
                                                                 {"title": "Non"}]}  # fmt: skip
    assert body["media_attachments"] == []
    assert (body["detected_source_language"], body["language"]) == ("en", "fr")
    assert body["provider"] == "LibreTranslate"
    [sent] = engine.paths("/translate")
    assert sent.json() == {"q": ["<p>Good morning friends</p>", "content warning", "Yes", "No"],
                           "source": "auto", "target": "fr", "format": "html",
                           "api_key": "libre-key"}  # fmt: skip
    # Asked again, the kept translation answers: the engine is not asked.
    again = await translate(served, token, ids["public"], lang="fr")
    assert again.json() == body and len(engine.paths("/translate")) == 1
    assert len(engine.paths("/languages")) == 1  # its languages are kept a day
    # An edited post is translated afresh.
    await edit_status(served.context, "ben", ids["public"], "Meeting today", "")
    edited = await translate(served, token, ids["public"], lang="fr")
    assert edited.json()["content"] == "<p>Réunion aujourd'hui</p>"
    assert edited.json()["spoiler_text"] == ""
    assert len(engine.paths("/translate")) == 2
    unlisted = await translate(served, token, ids["unlisted"], lang="fr")
    assert unlisted.json()["content"] == "<p>Réunion aujourd'hui</p>"


async def test_the_target_is_lang_else_the_members_language_else_accept_language(
    served: Served, engine: StandIn
) -> None:
    found = await tokens(served, "alice", "ben", "nick", "olga")
    ids = await posts(served)
    alice = await _account_id(served, "alice")
    await served.context.db.write(lambda conn: users.set_locale(conn, alice, "de"))
    assert (await translate(served, found["alice"], ids["public"])).json()["language"] == "de"
    german = {"Accept-Language": "pt-BR, en;q=0.5"}
    answer = await translate(served, found["nick"], ids["public"], headers=german)
    assert answer.json()["language"] == "pt"
    # A post already in the reader's language is not translatable; a bad code is a 422.
    refused = await translate(served, found["nick"], ids["public"], lang="en")
    assert (refused.status_code, refused.json()) == (403, NOT_ALLOWED)
    french = await translate(served, found["nick"], ids["french"], lang="fr-CA")
    assert (french.status_code, french.json()) == (403, NOT_ALLOWED)
    bad = await translate(served, found["nick"], ids["public"], lang="<b>")
    assert bad.status_code == 422 and "error" in bad.json()
    assert [r.json()["target"] for r in engine.paths("/translate")] == ["de", "pt"]


async def test_posts_that_are_not_public_never_reach_an_engine_not_self_hosted(
    served: Served, engine: StandIn
) -> None:
    found = await tokens(served, "alice", "ben", "nick", "olga")
    ids = await posts(served)
    for name in ("private", "direct", "local_only", "space"):
        async with httpx.AsyncClient(base_url=served.base) as http:
            seen = await http.get(
                f"/api/v1/statuses/{ids[name]}",
                headers={"Authorization": f"Bearer {found['alice']}"},
            )
        assert seen.status_code == 200, name  # alice may read it...
        answer = await translate(served, found["alice"], ids[name], lang="fr")
        assert (answer.status_code, answer.json()) == (403, NOT_ALLOWED), name  # ...not send it
        if name != "local_only":  # for every member of this server
            hidden = await translate(served, found["nick"], ids[name], lang="fr")
            assert (hidden.status_code, hidden.json()) == (404, {"error": "Record not found"})
    assert engine.received == []
    assert "Good morning" not in engine.texts_sent()


async def test_a_self_hosted_engine_translates_them_for_those_who_may_see_them(
    tmp_path: Path, engine: StandIn
) -> None:
    async with serve(tmp_path, libre_env(engine, self_hosted=True)) as served:
        found = await tokens(served, "alice", "ben", "nick", "olga")
        ids = await posts(served)
        for name in ("private", "direct", "space"):
            hidden = await translate(served, found["nick"], ids[name], lang="fr")
            assert hidden.status_code == 404, name
            assert engine.received == [], name  # nothing sent for a reader who may not see it
        for name in ("private", "direct", "local_only", "space"):
            answer = await translate(served, found["alice"], ids[name], lang="fr")
            assert answer.status_code == 200, (name, answer.text)
            assert "Bonjour" in answer.json()["content"] or "Réunion" in answer.json()["content"]
        assert len(engine.paths("/translate")) == 4


async def test_the_engines_answer_is_sanitised(served: Served, engine: StandIn) -> None:
    token = (await tokens(served, "alice", "ben", "nick", "olga"))["alice"]
    ids = await posts(served)
    engine.mode = "hostile"
    body = (await translate(served, token, ids["public"], lang="fr")).json()
    for field in ("content", "spoiler_text"):
        assert "<script" not in body[field] and "onerror" not in body[field]
        assert "javascript:" not in body[field]
    assert body["content"].startswith("<p>Bonjour amis</p>")
    assert "<" not in body["spoiler_text"] and "<" not in body["poll"]["options"][0]["title"]


@pytest.mark.parametrize("mode", ["fail", "redirect", "stall"])
async def test_an_engine_that_fails_stalls_or_redirects_is_a_503(
    served: Served, engine: StandIn, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fedi.statuses.translation.exchange.DEADLINE", 0.5)
    token = (await tokens(served, "alice", "ben", "nick", "olga"))["alice"]
    ids = await posts(served)
    engine.mode = mode
    answer = await translate(served, token, ids["public"], lang="fr")
    assert answer.status_code == 503
    assert answer.json() == {"error": "The translation service is unavailable"}
    assert engine.paths("/elsewhere") == []  # a redirect is never followed
    async with httpx.AsyncClient(base_url=served.base) as http:
        listed = await http.get("/api/v1/instance/translation_languages")
    assert listed.status_code == 503 and "error" in listed.json()


async def test_an_engine_nobody_answers_at_is_a_503(tmp_path: Path) -> None:
    nowhere = StandIn(base=f"http://127.0.0.1:{free_port(reserve=False)}")
    async with serve(tmp_path, libre_env(nowhere)) as served:
        token = (await tokens(served, "alice", "ben", "nick", "olga"))["alice"]
        ids = await posts(served)
        answer = await translate(served, token, ids["public"], lang="fr")
    assert answer.status_code == 503 and answer.json()["error"]


async def test_the_instance_offers_translation_and_lists_the_engines_languages(
    served: Served,
) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        v1 = (await http.get("/api/v1/instance")).json()
        v2 = (await http.get("/api/v2/instance")).json()
        listed = await http.get("/api/v1/instance/translation_languages/")
    assert v1["configuration"]["translation"] == {"enabled": True}
    assert v2["configuration"]["translation"] == {"enabled": True}
    assert listed.status_code == 200
    assert listed.json()["en"] == ["fr", "de", "ar", "pt"]
    assert set(listed.json()) == {"en", "fr", "de", "ar", "pt"}


async def test_scopes_are_checked_and_unknown_posts_are_404(served: Served) -> None:
    found = await tokens(served, "alice", "ben", "nick", "olga")
    ids = await posts(served)
    async with httpx.AsyncClient(base_url=served.base) as http:
        writer = await access_token(http, "alice", "write:statuses")
    refused = await translate(served, writer, ids["public"], lang="fr")
    assert refused.status_code == 403 and "error" in refused.json()
    assert (await translate(served, None, ids["public"], lang="fr")).status_code == 401
    assert (await translate(served, found["alice"], 12345, lang="fr")).status_code == 404
    assert (await translate(served, found["alice"], -1, lang="fr")).status_code == 404


async def _account_id(served: Served, username: str) -> int:
    async with served.context.db.read() as conn:
        account = await accounts.get_local_actor(conn, username)
    assert account is not None
    return account.id


async def test_mastodon_py_translates_a_status_and_lists_the_languages(served: Served) -> None:
    await tokens(served, "alice", "ben", "nick", "olga")
    ids = await posts(served)

    def run() -> tuple[Any, Any, Any]:
        with logged_in(served.base) as client:
            translated = client.status_translate(ids["public"], lang="fr")
            pairs = client.instance_translation_languages()
            try:
                client.status_translate(ids["private"], lang="fr")
            except MastodonAPIError as exc:
                return translated, pairs, exc.args[1]
            return translated, pairs, None

    translated, pairs, refused = await asyncio.to_thread(run)
    assert translated.content == "<p>Bonjour amis</p>"
    assert translated.detected_source_language == "en"
    assert translated.provider == "LibreTranslate"
    assert pairs["fr"] == ["en", "de", "ar", "pt"]
    assert refused == 403


async def test_media_descriptions_are_translated_and_api_posts_carry_a_language(
    served: Served, engine: StandIn
) -> None:
    found = await tokens(served, "alice", "ben", "nick", "olga")
    ben = await _account_id(served, "ben")
    described = await upload(served.context, ben, png_with_text(), "A map of the square")
    bare = await upload(served.context, ben, png_with_text())
    post = await post_status(served.context, "ben", "Meeting today", language="en",
                             media_ids=[described.id, bare.id])  # fmt: skip
    body = (await translate(served, found["alice"], post.id, lang="fr")).json()
    assert body["media_attachments"] == [
        {"id": str(described.id), "description": "Une carte of the square"}
    ]
    assert engine.paths("/translate")[0].json()["q"] == ["<p>Meeting today</p>",
                                                         "A map of the square"]  # fmt: skip
    # Posted through the API without a language (or with none that is one), a post is in the
    # member's interface language, else the server's: the translate button needs it.
    alice = await _account_id(served, "alice")
    await served.context.db.write(lambda conn: users.set_locale(conn, alice, "fr"))
    async with httpx.AsyncClient(base_url=served.base) as http:
        sent = {"Authorization": f"Bearer {found['alice']}"}
        mine = await http.post("/api/v1/statuses", data={"status": "Salut"}, headers=sent)
        odd = await http.post(
            "/api/v1/statuses", data={"status": "Salut", "language": "<b>"}, headers=sent
        )
        nicks = await http.post(
            "/api/v1/statuses", data={"status": "Hi"},
            headers={"Authorization": f"Bearer {found['nick']}"},
        )  # fmt: skip
    assert mine.json()["language"] == odd.json()["language"] == "fr"
    assert nicks.json()["language"] == "en"
